from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SandboxIdpConfig(AppConfig):
    """A simulated national identity provider (OpenID Connect), a "separate site" at /sandbox-idp/.

    Nothing in the portal imports this package, and it imports nothing of the portal: it plays the
    outside party the portal's OpenID Connect client talks to over HTTP.
    """

    name = "sandbox_idp"
    verbose_name = _("Sandbox identity provider")

    def ready(self) -> None:
        from django.conf import settings

        from govportal.web.demo import IDENTITY_MAKERS
        from sandbox_idp.demo import demo_identities

        if settings.IDENTITY_SANDBOX and demo_identities not in IDENTITY_MAKERS:
            IDENTITY_MAKERS.append(demo_identities)  # seed_demo's "identities"
