"""Auditors' files: a CSV of serials and dates in, checked in the background, a CSV of answers out."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from govportal.accounts.constants import Role
from govportal.audit.models import AuditEvent
from govportal.progress import progress_set
from govportal.queues import BULK, QUEUE_OF_TASK
from govportal.verification import batches
from govportal.verification.constants import BatchStatus
from govportal.verification.models import VerificationBatch
from govportal.verification.services import artifact_issue, artifact_revoke
from govportal.verification.tasks import verification_batch_run
from tests.factories import EntityFactory, MembershipFactory

pytestmark = pytest.mark.django_db
ISSUED = dt.datetime(2026, 3, 4, 22, 30, tzinfo=dt.UTC)  # 5 March in Baghdad


@pytest.fixture
def auditor():
    return MembershipFactory(role=Role.AUDITOR)


@pytest.fixture
def ndc():
    return EntityFactory(code="NDC", name_ar="مركز البيانات الوطني", name_en="National Data Centre")


def issue(entity, serial):
    return artifact_issue(
        entity=entity, kind="certificate", serial=serial, content=serial.encode(), display=[], issued_at=ISSUED
    )


def upload(content: bytes, name: str = "papers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def arabic(msgid: str) -> str:
    with translation.override("ar"):
        return gettext(msgid)


def test_an_auditor_uploads_a_file_follows_it_and_downloads_the_answers(
    auditor, ndc, staff_client, django_capture_on_commit_callbacks
):
    issue(ndc, "NDC-2026-000001")
    revoked = issue(ndc, "NDC-2026-000002")
    artifact_revoke(artifact=revoked, reason="Issued in error")
    client = staff_client(auditor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(reverse("verify_batch_new")).status_code == 200
    content = (
        "\ufeffserial,date\r\n"
        "NDC-2026-000001,2026-03-05\r\n"
        "ndc-2026-000002,2026-03-05\r\n"
        "\r\n"
        "NDC-2026-000001,2026-03-04\r\n"
        "NDC-2099-000009,2026-03-05\r\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("verify_batch_new"), {"entity": auditor.entity.pk, "file": upload(content)})
    batch = VerificationBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("verify_batch", args=[batch.pk])
    assert (batch.status, batch.rows_total, batch.entity) == (BatchStatus.DONE, 4, auditor.entity)
    assert batch.counts == {"genuine": 1, "revoked": 1, "not_found": 2, "rows": 4}
    page = client.get(response["Location"]).content.decode()
    assert "The file has been checked" in page
    answer = client.get(reverse("verify_batch_results", args=[batch.pk]))
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith('attachment; filename="papers-results.csv"')
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))
    assert rows == [
        ["serial", "date", "status", "kind", "issuer", "issued_on", "revoked_on", "revocation_reason"],
        ["NDC-2026-000001", "2026-03-05", "genuine", "certificate", "National Data Centre (NDC)", "2026-03-05", "", ""],
        [
            "ndc-2026-000002", "2026-03-05", "revoked", "certificate", "National Data Centre (NDC)", "2026-03-05",
            timezone.localdate().isoformat(), "Issued in error",
        ],
        ["NDC-2026-000001", "2026-03-04", "not_found", "", "", "", "", ""],
        ["NDC-2099-000009", "2026-03-05", "not_found", "", "", "", "", ""],
    ]  # fmt: skip
    assert "papers.csv" in client.get(reverse("verify_batches")).content.decode()
    assert AuditEvent.objects.filter(action="verification_batch_upload", entity=auditor.entity).count() == 1
    # The task delivered again leaves the finished file alone.
    assert verification_batch_run(str(batch.pk)) == BatchStatus.DONE


def test_the_answers_are_in_the_language_the_auditor_used(
    auditor, ndc, staff_client, django_capture_on_commit_callbacks
):
    issue(ndc, "NDC-2026-000001")
    client = staff_client(auditor)  # Arabic, the default
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("verify_batch_new"), {"entity": auditor.entity.pk, "file": upload(b"NDC-2026-000001,2026-03-05\n")}
        )
    batch = VerificationBatch.objects.get()
    text = batch.result.open("rb").read().decode("utf-8-sig")
    assert "مركز البيانات الوطني (NDC)" in text


def test_bad_lines_refuse_the_file_each_listed_with_its_line_in_the_readers_language(
    auditor, staff_client, django_capture_on_commit_callbacks
):
    client = staff_client(auditor)
    content = b"serial,date\nNDC-1,2026-03-05\nNDC-2,05/03/2026\n,2026-03-05\nNDC-3\nNDC-4,2026-02-30\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("verify_batch_new"), {"entity": auditor.entity.pk, "file": upload(content)})
    batch = VerificationBatch.objects.get()
    assert batch.status == BatchStatus.FAILED
    assert [error["line"] for error in batch.errors] == [3, 4, 5, 6]
    assert not batch.result
    page = client.get(response["Location"]).content.decode()
    assert (arabic(batches.BAD_DATE) % {"date": "<bdi>05/03/2026</bdi>"}) in page
    assert arabic(batches.NO_SERIAL) in page
    assert arabic(batches.CELLS) % {"count": "<bdi>1</bdi>"} in page
    # Arabic catalogue needed for this one (the lead adds the strings):
    assert arabic("The file was refused: no document in it was checked") in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(response["Location"]).content.decode()
    assert "the date <bdi>2026-02-30</bdi> is not a date written YYYY-MM-DD, such as 2026-03-05" in english
    assert "4</bdi> lines are bad" in english


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"%PDF-1.7\n\x00\x01binary", "not a CSV text file"),
        (b"NDC-1,2026-03-05\n\xff\xfeNDC-2,2026-03-05\n", "Line 2 of the file is not UTF-8"),
        (b"", "no rows"),
        (b"serial,date\n", "no rows"),
    ],
)
def test_a_file_that_is_not_one_is_refused_at_once_with_a_translated_message(auditor, staff_client, content, code):
    client = staff_client(auditor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("verify_batch_new"), {"entity": auditor.entity.pk, "file": upload(content)})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert code in page
    assert not VerificationBatch.objects.exists()


def test_a_file_too_large_is_refused_by_its_size(auditor, staff_client, monkeypatch):
    monkeypatch.setattr(batches, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr("govportal.verification.batch_views.MAX_FILE_BYTES", 100)
    client = staff_client(auditor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("verify_batch_new"), {"entity": auditor.entity.pk, "file": upload(b"NDC-1,2026-03-05\n" * 10)}
    )
    assert response.status_code == 400
    assert "The file is larger than 100 bytes." in response.content.decode()


def test_the_page_shows_progress_while_a_large_file_is_checked(auditor, staff_client):
    batch = VerificationBatch.objects.create(
        entity=auditor.entity, uploaded_by=auditor.user, name="big.csv", sha256="1" * 64, language="en",
        rows_total=200_000, status=BatchStatus.RUNNING,
    )  # fmt: skip
    progress_set(batches._progress_key(batch), "checking", 50_000, 200_000)  # as the task does
    client = staff_client(auditor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("verify_batch", args=[batch.pk])).content.decode()
    assert 'value="25"' in page
    assert "<bdi>50000</bdi> of <bdi>200000</bdi> documents checked" in page
    assert f'href="{reverse("verify_batch", args=[batch.pk])}"' in page  # "Check progress"
    assert client.get(reverse("verify_batch_results", args=[batch.pk])).status_code == 404  # not yet


def test_other_roles_and_other_entities_auditors_see_nothing(auditor, staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client(auditor).post(
            reverse("verify_batch_new"), {"entity": auditor.entity.pk, "file": upload(b"NDC-1,2026-03-05\n")}
        )
    batch = VerificationBatch.objects.get()
    clerk = staff_client(MembershipFactory(entity=auditor.entity, role=Role.REGISTRY_CLERK))
    for url in (reverse("verify_batches"), reverse("verify_batch_new"), reverse("verify_batch", args=[batch.pk])):
        assert clerk.get(url).status_code == 404, url
    response = clerk.post(reverse("verify_batch_new"), {"entity": auditor.entity.pk, "file": upload(b"A,2026-03-05\n")})
    assert response.status_code == 404
    other = staff_client(MembershipFactory(role=Role.AUDITOR))
    assert other.get(reverse("verify_batch", args=[batch.pk])).status_code == 404
    assert other.get(reverse("verify_batch_results", args=[batch.pk])).status_code == 404
    response = other.post(reverse("verify_batch_new"), {"entity": auditor.entity.pk, "file": upload(b"A,2026-03-05\n")})
    assert response.status_code == 400  # not one of their entities: the form's choice is refused
    assert VerificationBatch.objects.count() == 1


def test_the_check_runs_on_the_bulk_queue():
    assert QUEUE_OF_TASK[batches.TASK] == BULK


def test_a_workspace_card_takes_auditors_to_their_files(auditor, staff_client):
    page = staff_client(auditor).get(reverse("entity_workspace", args=[auditor.entity.code])).content.decode()
    assert reverse("verify_batches") in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_auditor_in_a_browser_uploads_a_good_file_and_a_bad_one(page, live_server, tmp_path):
    """The pages in Arabic and English at 360 and 1280 px: the form, the checked file with its
    download, the refused file with its bad lines; the Nu HTML checker and axe find nothing."""
    from django.test import Client

    from tests.conftest import login_staff
    from tests.e2e.test_accessibility import wcag_reports
    from tests.importing import SCREENS

    auditor = MembershipFactory(role=Role.AUDITOR)
    issue(EntityFactory(code="NDC", name_ar="مركز البيانات الوطني", name_en="National Data Centre"), "NDC-2026-1")
    cookie = login_staff(Client(), auditor).cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    def shot(label: str) -> None:
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"{label}.png"), full_page=True)

    problems: list[str] = []
    files = {"good": b"serial,date\nNDC-2026-1,2026-03-05\nNDC-2026-2,2026-03-05\n", "bad": b"NDC-2026-1,05/03/2026\n"}
    for language in ("ar", "en"):
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        for case, content in files.items():
            page.goto(reverse("verify_batch_new"))
            if case == "good":
                problems += wcag_reports(page, shot, f"verify-batch-new-{language}")
            chosen = {"name": f"{case}.csv", "mimeType": "text/csv", "buffer": content}
            page.locator("main form input[type=file]").set_input_files(files=[chosen])
            page.locator("main form button[type=submit]").click()
            page.wait_for_load_state()
            if case == "good":
                assert page.locator("a[download]").count() == 1
            else:
                assert page.locator(".error-summary").count() == 1
            problems += wcag_reports(page, shot, f"verify-batch-{case}-{language}")
        page.goto(reverse("verify_batches"))
        problems += wcag_reports(page, shot, f"verify-batches-{language}")
    assert not problems, "\n".join(problems)
