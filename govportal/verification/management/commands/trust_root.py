import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govportal.verification import trust


class Command(BaseCommand):
    help = (
        "The General Secretariat's trust root key, which signs the trust list and the status lists: "
        "create, rotate, revoke or show it (each change audited). See docs/OPERATIONS.md, 'The trust root'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("create", help="The first root key (at installation).")
        sub.add_parser("rotate", help="A new active root key; the old one stays pinned until revoked.")
        revoke = sub.add_parser("revoke", help="A retired root key that leaked: scanners stop trusting it.")
        revoke.add_argument("--kid", required=True)
        revoke.add_argument("--reason", required=True)
        sub.add_parser("show", help="The public keys scanners pin, as JSON (to publish and compare).")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "show":
            self.stdout.write(json.dumps(trust.root_pins(), indent=2))
            return
        try:
            if action == "create":
                key = trust.root_create()
            elif action == "rotate":
                key = trust.root_rotate()
            else:
                key = trust.root_revoke(kid=options["kid"], reason=options["reason"])
                self.stdout.write(self.style.WARNING(f"Revoked {key.kid}."))
                return
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Active root key: {key.kid}"))
        self.stdout.write(json.dumps(key.public_jwk))
