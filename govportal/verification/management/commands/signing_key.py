from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govportal.entities.models import Entity
from govportal.verification.services import key_create, key_revoke, key_rotate


class Command(BaseCommand):
    help = "Manage an issuing entity's signing keys: create, rotate or revoke (each audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Give an entity its first key.")
        create.add_argument("--entity", required=True, help="Entity code, e.g. NDC")
        rotate = sub.add_parser("rotate", help="New active key; the old one keeps verifying what it signed.")
        rotate.add_argument("--entity", required=True)
        revoke = sub.add_parser("revoke", help="Compromised key: everything it signed stops verifying.")
        revoke.add_argument("--kid", required=True)
        revoke.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "revoke":
                key = key_revoke(kid=options["kid"], reason=options["reason"])
                self.stdout.write(self.style.WARNING(f"Revoked {key.kid}."))
                return
            entity = Entity.objects.filter(code=options["entity"]).first()
            if entity is None:
                raise CommandError(f"No entity with code {options['entity']!r}.")
            key = key_create(entity=entity) if options["action"] == "create" else key_rotate(entity=entity)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Active key for {entity.code}: {key.kid}"))
