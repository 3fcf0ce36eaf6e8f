"""A fund officer fetches the payment company's settlement file of a day through its adapter: a task
on the bulk queue imports and reconciles it as an upload would be; a day already imported, a day with
no transactions and a provider with no download each say so; every request is audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from collection.constants import FetchStatus, Provider, SettlementStatus
from collection.models import SandboxCharge, SettlementFetch, SettlementFile
from collection.providers import SettlementNotOffered, get_provider
from collection.reconciliation import settlement_fetch_request, settlement_fetch_run
from govportal.audit.models import AuditEvent
from govportal.queues import BULK, QUEUE_OF_TASK
from tests.collection.conftest import PaymentFactory

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def charged(payment, when: dt.datetime) -> SandboxCharge:
    """The sandbox company's record of ``payment``, paid at ``when``."""
    return SandboxCharge.objects.create(
        id=payment.provider_ref,
        payment_ref=payment.payment_ref,
        amount=payment.amount,
        merchant="صندوق الإسكان",
        return_url="http://testserver/",
        state=SandboxCharge.State.SUCCEEDED,
        card_last4="1111",
        completed_at=when,
        fee=payment.amount * 5 // 1000,
    )


@pytest.fixture
def yesterdays_payment(recon, settings):
    settings.PAYMENT_SANDBOX = True
    noon = timezone.make_aware(dt.datetime.combine(YESTERDAY, dt.time(12)))
    payment = PaymentFactory(collecting_entity=recon["fund"], succeeded_at=noon)
    charged(payment, noon)
    return payment


def fetch_page(client, fetch, language="ar"):
    client.cookies["govportal_language"] = language
    return client.get(f"/collection/staff/settlements/fetch/{fetch.pk}/", follow=True)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"</?bdi>", "", html)))


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Post the fetch form; the task queued on commit runs in-process, as a worker would run it."""

    def post(client, provider, day):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/collection/staff/settlements/fetch/", {"provider": provider, "day": day})

    return post


def test_a_fund_officer_fetches_a_day_and_it_is_reconciled(
    recon, staff, staff_client, yesterdays_payment, private_settlements, ask
):
    client = staff_client(staff["officer"])
    form = client.get("/collection/staff/settlements/").content.decode()
    assert 'action="/collection/staff/settlements/fetch/"' in form
    assert f'value="{YESTERDAY.isoformat()}"' in form and f'max="{timezone.localdate().isoformat()}"' in form

    response = ask(client, "sandbox", YESTERDAY)
    fetch = SettlementFetch.objects.get()
    assert response["Location"] == f"/collection/staff/settlements/fetch/{fetch.pk}/?watch=1"
    assert (fetch.status, fetch.requested_by) == (FetchStatus.IMPORTED, staff["officer"].user)  # the task ran
    assert fetch.file.status == SettlementStatus.DONE
    assert fetch.file.counts.get("matched") == 1
    assert fetch.file.uploaded_by == staff["officer"].user
    assert yesterdays_payment.settlement.file == fetch.file
    assert fetch_page(client, fetch).redirect_chain[-1][0] == f"/collection/staff/settlements/{fetch.file.pk}/"

    actions = list(
        AuditEvent.objects.filter(action__startswith="settlement_").order_by("id").values_list("action", flat=True)
    )
    assert actions[:2] == ["settlement_fetch", "settlement_import"] and "settlement_fetched" in actions
    assert AuditEvent.objects.get(action="settlement_fetch").actor == staff["officer"].user


def test_the_same_day_again_says_it_was_already_imported(
    recon, staff, staff_client, yesterdays_payment, private_settlements, ask
):
    client = staff_client(staff["officer"])
    ask(client, "sandbox", YESTERDAY)
    first = SettlementFetch.objects.get()
    ask(client, "sandbox", YESTERDAY)
    second = SettlementFetch.objects.exclude(pk=first.pk).get()
    assert (second.status, second.file) == (FetchStatus.DUPLICATE, first.file)
    assert SettlementFile.objects.count() == 1
    page = text(fetch_page(client, second).content.decode())
    assert "مستورد سابقًا" in page and first.file.name in page
    english = text(fetch_page(client, second, "en").content.decode())
    assert "is the one already imported as sandbox-" in english


def test_a_day_without_transactions_says_so_and_imports_nothing(recon, staff, staff_client, settings, ask):
    settings.PAYMENT_SANDBOX = True
    client = staff_client(staff["officer"])
    ask(client, "sandbox", YESTERDAY)
    fetch = SettlementFetch.objects.get()
    assert fetch.status == FetchStatus.EMPTY and fetch.file is None
    assert not SettlementFile.objects.exists()
    page = text(fetch_page(client, fetch, "en").content.decode())
    assert "Sandbox (test payments) settled no payment on" in page
    assert "there is nothing to reconcile for that day" in page


def test_fib_offers_no_settlement_download_and_says_so_in_the_requesters_language(recon, staff, staff_client, ask):
    with translation.override("en"), pytest.raises(SettlementNotOffered, match="offers no settlement file"):
        get_provider(Provider.FIB).settlement_file(YESTERDAY)
    client = staff_client(staff["officer"])
    client.cookies["govportal_language"] = "en"
    ask(client, "fib", YESTERDAY)
    fetch = SettlementFetch.objects.get()
    assert fetch.status == FetchStatus.FAILED
    assert (
        fetch.detail == "First Iraqi Bank offers no settlement file to download. Import the file it sends you instead."
    )
    page = text(fetch_page(client, fetch, "ar").content.decode())
    assert "لم يُجلب الملف" in page and fetch.detail in page


def test_a_day_in_the_future_is_refused_and_nothing_is_asked(recon, staff, staff_client, settings):
    settings.PAYMENT_SANDBOX = True
    client = staff_client(staff["officer"])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post("/collection/staff/settlements/fetch/", {"provider": "sandbox", "day": tomorrow})
    assert response.status_code == 400
    assert "لا يمكن أن يكون اليوم في المستقبل." in response.content.decode()
    assert not SettlementFetch.objects.exists()


def test_only_fund_officers_and_heads_fetch(recon, staff, staff_client, settings):
    settings.PAYMENT_SANDBOX = True
    clients = {who: staff_client(staff[who]) for who in ("auditor", "clerk")}
    for client in clients.values():
        response = client.post("/collection/staff/settlements/fetch/", {"provider": "sandbox", "day": YESTERDAY})
        assert response.status_code == 404
    page = clients["auditor"].get("/collection/staff/settlements/").content.decode()
    assert 'action="/collection/staff/settlements/fetch/"' not in page
    assert not SettlementFetch.objects.exists()


def test_a_request_is_fetched_once_and_shows_progress_until_then(recon, staff, staff_client, settings, monkeypatch):
    settings.PAYMENT_SANDBOX = True
    monkeypatch.setattr("collection.reconciliation.fetching.enqueue", lambda *args, **kwargs: None)  # no worker yet
    officer = staff["officer"].user
    fetch = settlement_fetch_request(provider="sandbox", day=YESTERDAY, actor=officer)
    assert settlement_fetch_request(provider="sandbox", day=YESTERDAY, actor=officer) == fetch  # a second click
    client = staff_client(staff["officer"])
    waiting = fetch_page(client, fetch).content.decode()
    assert "بانتظار دوره" in waiting
    assert 'http-equiv="refresh"' not in waiting  # a timed reload only while the reader wants one
    assert f'href="/collection/staff/settlements/fetch/{fetch.pk}/?watch=1"' in waiting
    watching = client.get(f"/collection/staff/settlements/fetch/{fetch.pk}/?watch=1").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in watching and "أوقف التحقق التلقائي" in watching
    SettlementFetch.objects.filter(pk=fetch.pk).update(status=FetchStatus.FETCHING)
    assert "جارٍ طلب الملف من شركة الدفع…" in fetch_page(client, fetch).content.decode()
    assert settlement_fetch_run(fetch_id=str(fetch.pk)).status == FetchStatus.FETCHING  # taken: left alone
    SettlementFetch.objects.filter(pk=fetch.pk).update(status=FetchStatus.QUEUED)
    assert settlement_fetch_run(fetch_id=str(fetch.pk)).status == FetchStatus.EMPTY
    assert settlement_fetch_run(fetch_id=str(fetch.pk)).status == FetchStatus.EMPTY


def test_someone_elses_request_is_not_shown(recon, staff, staff_client, settings):
    settings.PAYMENT_SANDBOX = True
    fetch = settlement_fetch_request(provider="sandbox", day=YESTERDAY, actor=staff["officer"].user)
    assert staff_client(staff["head"]).get(f"/collection/staff/settlements/fetch/{fetch.pk}/").status_code == 404


def test_the_fetch_runs_on_the_bulk_queue():
    assert QUEUE_OF_TASK["collection.tasks.settlement_fetch"] == BULK


def test_the_sandbox_adapter_gives_nothing_for_a_day_without_charges(db):
    assert get_provider(Provider.SANDBOX).settlement_file(YESTERDAY) is None
