import datetime as dt
from typing import Any

from django import template
from django.utils.translation import gettext as _

from govportal.audit.labels import action_label
from govportal.uploads import file_size
from govportal.verification.display import iso_datetime as _iso_datetime

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (keeps filters when paging); None removes one."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return str(query.urlencode())


@register.filter
def audit_action(action: str) -> str:
    """The translated name of an audit action (the code itself when it has none)."""
    return action_label(action)


@register.filter
def dinars(amount: int | None) -> str:
    """An amount of Iraqi dinars with thousands separators and the currency: "250,000 د.ع"."""
    if amount is None:
        return ""
    return _("%(amount)s IQD") % {"amount": f"{int(amount):,}"}


@register.filter
def filesize(size: int | None) -> str:
    """A file's size in whole units of the reader's language: "2 MB", "2 ميغابايت" (not filesizeformat's "2.0 م.ب.")."""
    return "" if size is None else file_size(int(size))


@register.filter
def iso_datetime(value: dt.datetime | dt.date | None) -> str:
    """``<time datetime="{{ moment|iso_datetime }}">``: ``2026-12-07T14:08:00+03:00``, Baghdad time to the
    second (``|date:"c"`` writes microseconds, which HTML does not allow)."""
    return _iso_datetime(value)
