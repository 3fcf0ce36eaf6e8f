"""Template tags for outlet pages."""

from typing import Any

from django import template

from collection import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def runs_outlets(context: dict[str, Any]) -> bool:
    """Whether the signed-in person runs a collecting entity's outlets (its head): the staff
    navigation then links to them."""
    return selectors.outlet_entities(context["request"].user).exists()
