from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

_SUPPORTED = {code for code, _name in settings.LANGUAGES}


class LanguageMiddleware:
    """Arabic unless the person chose Kurdish or English with the language switch (a cookie).

    The browser's Accept-Language is deliberately ignored: the portal is Arabic-first,
    and a shared office computer set to English must not change that for everyone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path_info.startswith("/api/")
        if api:  # programs have no cookie: their messages follow Accept-Language
            chosen = _accepted(request.headers.get("Accept-Language", ""))
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in _SUPPORTED else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Accept-Language" if api else "Cookie"])
        return response


def _accepted(header: str) -> str:
    """The first of our languages an ``Accept-Language`` header names (``ckb-IQ`` counts as ``ckb``)."""
    for code, _quality in parse_accept_lang_header(header):
        base = code.lower().split("-")[0]
        if base in _SUPPORTED:
            return base
    return ""
