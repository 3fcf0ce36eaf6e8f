import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings
from django.utils import translation

from govportal.accounts.constants import Role
from govportal.entities.models import Entity
from govportal.web.demo import demo_load

# The e-mails the demo world sends while it is made (a receipt, a letter to approve, training
# notices…) are kept, not printed: the logins must be the last thing `make run` prints.
HELD_MAIL = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
KINDS = {"administrator": "Administrator, /admin/", "citizen": "Citizen"}


@contextlib.contextmanager
def _mail_held() -> Iterator[list[Any]]:
    """E-mails sent inside the block go to a list instead of the configured mailer."""
    before = len(getattr(mail, "outbox", []))
    held: list[Any] = []
    with override_settings(MAILERS=HELD_MAIL):
        try:
            yield held
        finally:
            held.extend(getattr(mail, "outbox", [])[before:])


@contextlib.contextmanager
def _task_log_quiet() -> Iterator[None]:
    """In-process tasks log a line each ("Task … succeeded"); seeding runs dozens."""
    logger = logging.getLogger("celery.app.trace")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # refuse production before touching anything
    help = "Load the demo world (idempotent): entity tree, staff for every journey, a citizen. Never in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", required=True, help="Password given to every demo account.")
        parser.add_argument("--json", action="store_true", help="Print accounts and samples as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run in production mode (DJANGO_DEBUG is off).")
        if len(options["password"]) < 10:
            raise CommandError("Use a demo password of at least 10 characters.")
        # Keep stdout for the logins (or pure JSON): anything printed meanwhile goes to stderr.
        with contextlib.redirect_stdout(sys.stderr), _mail_held() as held, _task_log_quiet():
            world = demo_load(password=options["password"])
        if options["json"]:
            self.stdout.write(json.dumps(world, ensure_ascii=False, indent=2))
            return
        with translation.override("en"):
            self._logins(world["accounts"], password=options["password"], mails=len(held))
            self._identities(world["identities"])
            self._api_clients(world["api_clients"])
        self.stdout.write("Staff accounts need the 6-digit code from an authenticator app holding the TOTP secret.")

    def _logins(self, accounts: list[dict[str, Any]], *, password: str, mails: int) -> None:
        """The accounts table: the last thing printed, so it is on screen when the server starts."""
        codes = sorted({role["entity"] for account in accounts for role in account["roles"]})
        names = dict(Entity.objects.filter(code__in=codes).values_list("code", "name_en"))
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if mails:
            self.stdout.write(f"({mails} e-mails sent while loading it are not shown; later e-mails print here.)")
        self.stdout.write(f"Sign in at {settings.SITE_URL}/accounts/login/ with the password {password}")
        self.stdout.write("")
        row = "  {:<40} {:<24} {:<8} {}"
        self.stdout.write(row.format("E-mail", "Role", "Entity", "TOTP secret"))
        for account in accounts:
            secret = account["totp_secret"] or "-"
            if not account["roles"]:
                self.stdout.write(row.format(account["email"], KINDS[account["kind"]], "-", secret))
            for index, role in enumerate(account["roles"]):
                email, shown = (account["email"], secret) if index == 0 else ("", "(same account)")
                self.stdout.write(row.format(email, str(Role(role["role"]).label), role["entity"], shown))
        self.stdout.write("")
        self.stdout.write("Entities: " + "; ".join(f"{code} = {names.get(code, code)}" for code in codes))

    def _identities(self, identities: list[dict[str, Any]]) -> None:
        """The sandbox identity provider's people: "Sign in with the sandbox identity provider"."""
        if not identities:
            return
        self.stdout.write("")
        self.stdout.write(f"National sign-in (sandbox identity provider at {settings.SITE_URL}/sandbox-idp/):")
        row = "  {:<14} {:<24} {}"
        self.stdout.write(row.format("National ID", "Password", "Name"))
        for identity in identities:
            self.stdout.write(row.format(identity["national_id"], identity["password"], identity["name"]))

    def _api_clients(self, api_clients: list[dict[str, Any]]) -> None:
        """Other systems' demo clients: OAuth2 client credentials for the API."""
        if not api_clients:
            return
        self.stdout.write("")
        self.stdout.write(
            f"API clients (client credentials at {settings.SITE_URL}/api/v1/oauth/token, "
            f"documentation at {settings.SITE_URL}/api/v1/docs):"
        )
        row = "  {:<16} {:<30} {:<44} {}"
        self.stdout.write(row.format("Entity", "Client ID", "Client secret", "Scopes"))
        for client in api_clients:
            scopes = " ".join(client["scopes"])
            self.stdout.write(row.format(client["entity"], client["client_id"], client["client_secret"], scopes))
