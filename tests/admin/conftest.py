"""An administrator signed in through allauth with TOTP, as every staff member must be."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import PASSWORD, UserFactory, current_totp


@pytest.fixture
def admin_client(db: Any) -> Client:
    admin = UserFactory(is_staff=True, is_superuser=True, with_totp=True, email="admin@example.iq")
    client = Client()
    client.post("/accounts/login/", {"login": admin.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": current_totp(admin)})
    client.admin = admin
    return client
