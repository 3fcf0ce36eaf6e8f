"""What a client may be allowed to do, by scope (OAuth2 ``scope``)."""

from django.utils.translation import gettext_lazy as _

SCOPES = {
    "bills:write": _("Create and cancel bills of its entity"),
    "bills:read": _("Read the bills of its entity"),
    "verify": _("Verify printed documents"),
}
