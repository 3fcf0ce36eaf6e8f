from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language, get_language_bidi, get_language_info

from govportal.accounts.selectors import memberships_of
from govportal.notifications.models import Notification
from govportal.web.digits import offers_arabic_digits, wants_arabic_digits

# Each language in its own name and script, as a reader looks for theirs in the switch (Django's
# own list writes the Arabic with a shadda, "العربيّة", which the portal does not).
OWN_NAMES = {"ar": "العربية", "ckb": "کوردی", "en": "English"}


def other_languages() -> list[dict[str, str]]:
    """The languages the page is not in, for the language switch, in the order of ``LANGUAGES``."""
    current = get_language()
    return [
        {
            "code": code,
            "name": OWN_NAMES.get(code) or get_language_info(code)["name_local"],
            "dir": "rtl" if get_language_info(code)["bidi"] else "ltr",
        }
        for code, _name in settings.LANGUAGES
        if code != current
    ]


def portal(request: HttpRequest) -> dict[str, Any]:
    """What the shared layout needs on every page: direction and the user's entities."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    # A visitor (the verify page's scanners) has none: no query built for nothing.
    memberships = list(memberships_of(user)) if signed_in else []
    entities = list({m.entity_id: m.entity for m in memberships}.values())
    return {
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "other_languages": other_languages(),
        "user_entities": entities,
        "user_entity": entities[0] if len(entities) == 1 else None,
        "digits_switch": offers_arabic_digits(request),
        "arabic_digits": wants_arabic_digits(request),
        "unread_notifications": (Notification.objects.filter(user=user).unread().count() if signed_in else 0),
    }
