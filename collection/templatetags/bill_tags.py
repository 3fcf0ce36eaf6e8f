"""How a bill is named and tagged on pages."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from collection.models import Obligation

register = template.Library()


@register.filter
def bill_title(bill: Obligation) -> SafeString:
    """``Obligation.title`` with each argument (a loan number, an installment's number) in ``<bdi>``,
    so that it keeps its own direction inside Arabic."""
    if bill.description and bill.description_args is not None:
        args = {key: format_html("<bdi>{}</bdi>", value) for key, value in bill.description_args.items()}
        return mark_safe(conditional_escape(gettext(bill.description)) % args)  # noqa: S308 — escaped above
    return conditional_escape(bill.title)


@register.inclusion_tag("includes/tag.html")
def bill_state(bill: Obligation) -> dict[str, str]:
    """The bill's status tag: "overdue" for a payable bill past its due day (``Obligation.state``)."""
    return {"tone": bill.state_tone, "text": bill.state_label}
