from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "govportal.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from govportal.accounts import receivers  # noqa: F401  (connects the audit receivers)
        from govportal.accounts.totp import remember_used_codes_while_valid
        from govportal.audit.labels import register

        remember_used_codes_while_valid()
        register({"citizen_signup_duplicate": _("Sign-up tried with a registered national ID number")})
