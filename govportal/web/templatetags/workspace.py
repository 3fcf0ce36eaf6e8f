from typing import Any

from django import template

from govportal.web.workspace import HeaderLink, header_links

register = template.Library()


@register.simple_tag(takes_context=True)
def waiting_links(context: dict[str, Any]) -> list[HeaderLink]:
    """The header's links to work waiting on the signed-in staff member, from the apps that registered
    one; none (and no query) for people without a membership, as the layout already knows them."""
    if not context.get("user_entities"):
        return []
    request = context.get("request")
    return header_links(getattr(request, "user", None))
