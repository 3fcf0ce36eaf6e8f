import contextlib
import json
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govportal.web.demo import demo_load


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # refuse production before touching anything
    help = "Load the demo world (idempotent): entity tree, one staff user per role, a citizen. Never in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", required=True, help="Password given to every demo account.")
        parser.add_argument("--json", action="store_true", help="Print accounts and samples as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run in production mode (DJANGO_DEBUG is off).")
        if len(options["password"]) < 10:
            raise CommandError("Use a demo password of at least 10 characters.")
        if options["json"]:
            # Keep stdout pure JSON: anything printed meanwhile (console e-mail) goes to stderr.
            with contextlib.redirect_stdout(sys.stderr):
                world = demo_load(password=options["password"])
        else:
            world = demo_load(password=options["password"])
        if options["json"]:
            self.stdout.write(json.dumps(world, ensure_ascii=False, indent=2))
            return
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in at /accounts/login/ with:"))
        for account in world["accounts"]:
            secret = account["totp_secret"] or "-"
            entity = account["entity"] or "-"
            self.stdout.write(f"  {account['role']:<22} {account['email']:<42} {entity:<8} TOTP secret: {secret}")
        self.stdout.write(f"  password for all: {options['password']}")
        self.stdout.write("Staff accounts need the 6-digit code from an authenticator app holding the TOTP secret.")
