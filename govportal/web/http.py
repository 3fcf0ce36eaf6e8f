from django.http import HttpRequest

from govportal.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is signed in (for type checking)."""

    user: User
