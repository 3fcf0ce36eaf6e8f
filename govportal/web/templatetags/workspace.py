from typing import Any

from django import template

from govportal.web.workspace import HeaderLink, header_links

register = template.Library()


@register.simple_tag(takes_context=True)
def waiting_links(context: dict[str, Any]) -> list[HeaderLink]:
    """The header's links to work waiting on the signed-in person, from the apps that registered one."""
    request = context.get("request")
    return header_links(getattr(request, "user", None))
