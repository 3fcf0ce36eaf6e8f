from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "govportal.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from govportal.accounts import receivers  # noqa: F401  (connects the audit receivers)
        from govportal.accounts.totp import remember_used_codes_while_valid
        from govportal.audit.labels import register, register_sentences

        remember_used_codes_while_valid()
        register({"citizen_signup_duplicate": _("Sign-up tried with a registered national ID number")})
        register_sentences(
            {
                "citizen_signup_duplicate": _(
                    "Someone tried to sign up with the national ID number of %(target)s; its owner was told by e-mail"
                )
            }
        )
