from typing import Any

from django import template

from govportal.audit.labels import person_name

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """A person as pages name them: by their full name, never by their e-mail address."""
    return person_name(user)
