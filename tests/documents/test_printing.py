"""Letters and registers print in the worker: a page says "being prepared" until the file exists,
then the same address gives the PDF, under the letter's reading rules."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext

from documents.constants import Classification
from documents.exports import register_exports_purge
from documents.models import RegisterExport
from govportal.accounts.models import Membership
from govportal.audit.models import AuditEvent
from govportal.pdf.services import SLOW_AFTER
from tests.conftest import login_staff
from tests.pdf.helpers import local_storage, queued, run_jobs, stored_files

pytestmark = pytest.mark.django_db

REFRESH = '<meta http-equiv="refresh" content="3; url='


def signed_in(user) -> Client:
    return login_staff(Client(), Membership.objects.filter(user=user).first())


def pdf_bytes(response) -> bytes:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


# --- letters ----------------------------------------------------------------------------------


def test_until_the_worker_renders_it_the_letter_pdf_is_being_prepared(
    office, dispatched, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as on_dispatch:
        letter = dispatched()
    assert queued(on_dispatch) == [("documents.letter", str(letter.pk))]  # queued on dispatch
    client = signed_in(office["clerk"])
    with django_capture_on_commit_callbacks() as on_visit:
        waiting = client.get(f"/documents/letters/{letter.pk}/pdf")
        again = client.get(f"/documents/letters/{letter.pk}/pdf")
    page = waiting.content.decode()
    assert waiting.status_code == again.status_code == 202
    assert html.escape(gettext("The letter's PDF is being prepared")) in page and letter.number in page
    assert f'{REFRESH}/documents/letters/{letter.pk}/pdf?wait=1">' in page and waiting["Cache-Control"] == "no-store"
    assert f'href="/documents/letters/{letter.pk}/"' in page  # back to the letter
    # The page asks the worker once (in case the broker lost the job), not on every reload.
    assert queued(on_visit) == [("documents.letter", str(letter.pk))]

    run_jobs(on_dispatch)
    # The page, reloading itself, now says the PDF is ready and sends the browser to it.
    ready = client.get(f"/documents/letters/{letter.pk}/pdf", {"wait": "1"})
    assert ready.status_code == 200 and gettext("The PDF is ready") in ready.content.decode()
    assert f'<meta http-equiv="refresh" content="0; url=/documents/letters/{letter.pk}/pdf">' in ready.content.decode()
    assert pdf_bytes(client.get(f"/documents/letters/{letter.pk}/pdf")).startswith(b"%PDF-")


def test_a_letter_dispatched_before_letters_were_stored_gets_its_pdf_on_first_request(
    office, dispatched, django_capture_on_commit_callbacks
):
    letter = dispatched()  # its render never ran, as for letters dispatched before they were stored
    client = signed_in(office["clerk"])
    with django_capture_on_commit_callbacks() as on_visit:
        assert client.get(f"/documents/letters/{letter.pk}/pdf").status_code == 202
        assert client.get(f"/documents/letters/{letter.pk}/pdf").status_code == 202
    assert queued(on_visit) == [("documents.letter", str(letter.pk))]  # once, for both visits
    run_jobs(on_visit)
    letter.refresh_from_db()
    assert letter.pdf and pdf_bytes(client.get(f"/documents/letters/{letter.pk}/pdf")) == letter.pdf.read()


def test_the_reader_can_stop_the_page_refreshing_itself(office, dispatched):
    letter = dispatched()
    page = signed_in(office["clerk"]).get(f"/documents/letters/{letter.pk}/pdf", {"watch": "0"}).content.decode()
    assert REFRESH not in page
    assert f'href="/documents/letters/{letter.pk}/pdf?wait=1"' in page  # check automatically again
    assert f'href="/documents/letters/{letter.pk}/pdf?wait=1&amp;watch=0"' in page  # check once


def test_a_pdf_that_takes_too_long_says_so_and_stops_refreshing(office, dispatched):
    letter = dispatched()
    long_ago = timezone.now() - SLOW_AFTER - dt.timedelta(seconds=1)
    cache.set(f"pdf:waiting:documents.letter:{letter.pk}", (long_ago, long_ago), 600)
    response = signed_in(office["clerk"]).get(f"/documents/letters/{letter.pk}/pdf")
    page = response.content.decode()
    assert response.status_code == 202 and REFRESH not in page
    slow = (
        "This is taking longer than usual. We have asked for it again: check again in a minute. "
        "If it is still not ready, contact the portal's support team."
    )
    assert html.escape(gettext(slow)) in page


def test_reading_a_confidential_letters_pdf_is_audited_and_waiting_for_it_is_not(
    office, dispatched, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as on_dispatch:
        letter = dispatched(classification=Classification.CONFIDENTIAL)
    url = f"/documents/letters/{letter.pk}/pdf"
    head, clerk = signed_in(office["health_head"]), signed_in(office["health_clerk"])
    assert clerk.get(url).status_code == 404  # not a reader: not even the waiting page
    assert head.get(url).status_code == 202
    reads = AuditEvent.objects.filter(action="letter_read", target_id=str(letter.pk))
    assert not reads.exists()
    run_jobs(on_dispatch)
    assert head.get(url, {"wait": "1"}).status_code == 200 and not reads.exists()  # "ready", not the letter
    assert pdf_bytes(head.get(url)).startswith(b"%PDF-")
    assert reads.count() == 1 and reads.get().actor == office["health_head"]
    assert clerk.get(url).status_code == 404


def test_an_undispatched_letter_has_no_pdf(office):
    from documents.services import letter_draft
    from tests.documents.conftest import content

    draft = letter_draft(sender=office["finance"], content=content([office["health"]]), actor=office["clerk"])
    assert signed_in(office["clerk"]).get(f"/documents/letters/{draft.pk}/pdf").status_code == 404


# --- printed registers ----------------------------------------------------------------------------


def print_register(client: Client, **filters: str):
    return client.post("/documents/registers/print/?entity=MOF", {"kind": "outgoing", **filters})


def test_a_register_printout_is_prepared_then_served_to_its_requester_only(
    office, dispatched, settings, tmp_path, django_capture_on_commit_callbacks
):
    local_storage(settings, tmp_path)
    dispatched()
    clerk = signed_in(office["clerk"])
    with django_capture_on_commit_callbacks() as on_print:
        first = print_register(clerk, q="الموازنة")
        second = print_register(clerk, q="الموازنة")  # a double click while it is being prepared
    assert first["Location"] == second["Location"] and RegisterExport.objects.count() == 1
    export = RegisterExport.objects.get()
    assert export.filters == {"q": "الموازنة"} and export.requested_by == office["clerk"]
    assert AuditEvent.objects.filter(action="register_export", target_id=str(export.pk)).count() == 1

    waiting = clerk.get(first["Location"])
    assert waiting.status_code == 202 and REFRESH in waiting.content.decode()
    assert "/documents/outgoing/?entity=MOF&amp;q=" in waiting.content.decode()  # back, with the same filters
    run_jobs(on_print)
    assert pdf_bytes(clerk.get(first["Location"])).startswith(b"%PDF-")
    head = signed_in(office["head"])  # the same entity, but not the one who asked
    assert head.get(first["Location"]).status_code == 404


def test_a_register_printout_is_not_served_once_its_requester_has_left_the_entity(office):
    clerk = signed_in(office["clerk"])
    location = print_register(clerk)["Location"]
    Membership.objects.filter(user=office["clerk"]).delete()
    assert clerk.get(location).status_code == 404


def test_a_printout_past_its_day_is_refused_and_then_deleted(
    office, dispatched, settings, tmp_path, django_capture_on_commit_callbacks
):
    local_storage(settings, tmp_path)
    dispatched()
    clerk = signed_in(office["clerk"])
    with django_capture_on_commit_callbacks() as on_print:
        location = print_register(clerk)["Location"]
    run_jobs(on_print)
    export = RegisterExport.objects.get()
    RegisterExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    response = clerk.get(location)
    assert response.status_code == 410
    assert gettext("This printed register is no longer kept") in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        assert register_exports_purge() == 1
    assert not RegisterExport.objects.exists() and stored_files(tmp_path) == []
    assert AuditEvent.objects.filter(action="register_exports_purge").get().data == {"count": 1}


def test_a_new_printout_clears_the_persons_own_old_ones(office, settings, tmp_path):
    clerk = signed_in(office["clerk"])
    print_register(clerk)
    RegisterExport.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    print_register(clerk, q="جديد")
    assert list(RegisterExport.objects.values_list("filters", flat=True)) == [{"q": "جديد"}]


def test_a_printout_the_worker_could_not_make_says_so(office, django_capture_on_commit_callbacks):
    from govportal.pdf.services import pdf_render_failed

    clerk = signed_in(office["clerk"])
    location = print_register(clerk)["Location"]
    export = RegisterExport.objects.get()
    pdf_render_failed(label="documents.registerexport", pk=str(export.pk))
    response = clerk.get(location)
    assert response.status_code == 200
    assert gettext("The printed register could not be prepared") in response.content.decode()


def test_printing_an_unknown_register_is_not_found(office):
    response = signed_in(office["clerk"]).post("/documents/registers/print/", {"kind": "drafts"})
    assert response.status_code == 404 and not RegisterExport.objects.exists()


def test_the_register_page_prints_with_its_filters(office, dispatched):
    dispatched()
    page = signed_in(office["clerk"]).get("/documents/outgoing/", {"q": "الموازنة"}).content.decode()
    assert 'action="/documents/registers/print/?entity=MOF"' in page
    assert '<input type="hidden" name="q" value="الموازنة">' in page
    assert '<input type="hidden" name="kind" value="outgoing">' in page
