from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language_bidi

from govportal.accounts.selectors import memberships_of
from govportal.notifications.models import Notification
from govportal.web.digits import wants_arabic_digits


def portal(request: HttpRequest) -> dict[str, Any]:
    """What the shared layout needs on every page: direction and the user's entities."""
    user = getattr(request, "user", None)
    memberships = list(memberships_of(user)) if user is not None else []
    entities = list({m.entity_id: m.entity for m in memberships}.values())
    return {
        "text_direction": "rtl" if get_language_bidi() else "ltr",
        "user_entities": entities,
        "user_entity": entities[0] if len(entities) == 1 else None,
        "arabic_digits": wants_arabic_digits(request),
        "unread_notifications": (
            Notification.objects.filter(user=user).unread().count() if user is not None and user.is_authenticated else 0
        ),
    }
