"""Every model of the portal has an admin; every changelist and change page opens for an
administrator with a constant number of queries; records cannot be added, changed or deleted."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govportal.entities.constants import LinkagePhase
from govportal.entities.models import RolloutPhase
from tests.admin.builders import builders

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)

# Configuration an administrator edits (through services where they exist). Every other model is
# a record: read-only in the admin, whatever the account's permissions.
EDITABLE = {
    "auth.Group",
    "account.EmailAddress",
    "accounts.User",
    "accounts.Membership",
    "entities.Entity",
    "entities.RolloutPhase",  # its note; a phase is opened by an action
    "training.Programme",
    "training.Session",
    "mfa.Authenticator",  # deleted when a staff member loses their phone (audited), never edited
    "api.ApiClient",  # created, its secret replaced or revoked through the services
    "collection.MerchantAccount",  # which entity a provider's merchant account is (audited)
}

# Named by the issue: signed or financial records, read but never added, changed or deleted.
SIGNED_OR_FINANCIAL = {
    "collection.Payment",
    "collection.Allocation",
    "collection.Receipt",
    "collection.Refund",
    "collection.Settlement",
    "collection.SettlementRow",
    "collection.PaymentEvent",
    "datacenter.Certificate",
    "training.TrainingCertificate",
    "verification.Artifact",
    "housing_fund.Installment",
    "audit.AuditEvent",
}


def _ours(app_path: str) -> bool:
    """An app of this project, not an installed package (whatever the environment is called)."""
    path = Path(app_path).resolve()
    return path.is_relative_to(settings.BASE_DIR) and not path.is_relative_to(Path(sys.prefix).resolve())


def test_every_model_of_the_portal_has_an_admin():
    ours = [model for config in apps.get_app_configs() if _ours(config.path) for model in config.get_models()]
    assert len(ours) > 40
    missing = [model._meta.label for model in ours if model not in admin.site._registry]
    assert missing == [], f"register these in their app's admin.py: {missing}"


def test_every_registered_model_can_be_given_rows_by_the_tests():
    missing = [model._meta.label for model in REGISTERED if model not in builders()]
    assert missing == [], f"add a builder to tests/admin/builders.py for: {missing}"


def test_the_signed_and_financial_records_are_not_editable_configuration():
    assert SIGNED_OR_FINANCIAL <= {model._meta.label for model in REGISTERED}
    assert not SIGNED_OR_FINANCIAL & EDITABLE


def _url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _queries(client: Any, url: str) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_and_change_page_open_with_queries_that_do_not_grow_with_the_rows(model, admin_client):
    build = builders()[model]
    build(5)
    url = _url(model, "changelist")
    few, few_queries = _queries(admin_client, url)
    assert few.status_code == 200
    build(45)
    many, many_queries = _queries(admin_client, url)
    assert many.status_code == 200
    total = model._default_manager.count()
    assert total >= (len(LinkagePhase) if model is RolloutPhase else 50)
    assert len(many.context["cl"].result_list) == min(total, many.context["cl"].list_per_page)
    assert len(many_queries) == len(few_queries), "\n".join(many_queries)
    # Searching and each filter answer too (a search field or filter naming a wrong field is a 500).
    assert admin_client.get(url, {"q": "x 1"}).status_code == 200
    obj = model._default_manager.order_by("pk").last()
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize(
    "model", [m for m in REGISTERED if m._meta.label not in EDITABLE], ids=lambda model: model._meta.label
)
def test_records_cannot_be_added_changed_or_deleted(model, admin_client):
    builders()[model](1)
    obj = model._default_manager.order_by("pk").last()
    changelist = admin_client.get(_url(model, "changelist")).content.decode()
    assert _url(model, "add") not in changelist
    assert admin_client.get(_url(model, "add")).status_code == 403
    assert admin_client.post(_url(model, "add"), {}).status_code == 403
    assert admin_client.get(_url(model, "delete", obj.pk)).status_code == 403
    assert admin_client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    page = admin_client.get(_url(model, "change", obj.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert _url(model, "delete", obj.pk) not in page.content.decode()
    before = model._default_manager.count()
    response = admin_client.post(_url(model, "change", obj.pk), {})
    assert response.status_code == 403
    assert model._default_manager.count() == before
    bulk_delete = admin_client.post(
        _url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert bulk_delete.status_code in {200, 302}
    assert model._default_manager.filter(pk=obj.pk).exists()
