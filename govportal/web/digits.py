"""Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩) as a reader's preference.

Western digits are the default, as on Iraqi government screens. A reader of Arabic or Kurdish
(both written in Arabic script, both read with these digits) who prefers Arabic-Indic digits
gets them in the text of every HTML page; markup, attributes,
scripts, styles, form values and anything inside <code>, <pre>, <kbd>, <samp> or
<textarea> (serials, codes, secrets to copy) are left exactly as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

COOKIE = "govportal_digits"
ARABIC_INDIC = "arab"
_TO_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")
_KEEP = {"script", "style", "code", "pre", "kbd", "samp", "textarea", "title"}
# The portal's languages written in Arabic script, whose readers may ask for Arabic-Indic digits.
ARABIC_SCRIPT_LANGUAGES = frozenset({"ar", "ckb"})


def to_arabic_indic(html: str) -> str:
    """Convert digits in text nodes only."""
    parts = _TAG.split(html)
    depth = 0
    for index, part in enumerate(parts):
        if index % 2:  # a tag or comment
            match = _TAG_NAME.match(part)
            if match and match.group(2).lower() in _KEEP and not part.endswith("/>"):
                depth += -1 if match.group(1) else 1
                depth = max(depth, 0)
        elif depth == 0 and part:
            parts[index] = part.translate(_TO_ARABIC)
    return "".join(parts)


def offers_arabic_digits(request: HttpRequest) -> bool:
    """Whether the page's language is one whose readers may choose Arabic-Indic digits."""
    return getattr(request, "LANGUAGE_CODE", "") in ARABIC_SCRIPT_LANGUAGES


def wants_arabic_digits(request: HttpRequest) -> bool:
    return request.COOKIES.get(COOKIE) == ARABIC_INDIC and offers_arabic_digits(request)


class DigitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            wants_arabic_digits(request)
            and response.get("Content-Type", "").startswith("text/html")
            and not response.streaming
            and response.status_code == 200
        ):
            charset = response.charset or "utf-8"
            response.content = to_arabic_indic(response.content.decode(charset)).encode(charset)
        return response
