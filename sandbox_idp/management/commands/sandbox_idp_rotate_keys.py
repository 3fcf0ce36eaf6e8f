from typing import Any

from django.core.management.base import BaseCommand

from sandbox_idp.keys import signing_key_rotate


class Command(BaseCommand):
    help = "Make a new signing key for the sandbox identity provider (the previous one stays in its JWKS)."

    def handle(self, *args: Any, **options: Any) -> None:
        key = signing_key_rotate()
        self.stdout.write(f"New signing key {key.kid} (generation {key.generation}).")
