"""Every printed document goes one way: its service queues ``govportal.pdf.tasks.pdf_render`` on
commit, the task renders it in Arabic and stores it once, and rendering again stores nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from documents.constants import Classification, RegisterKind
from documents.exports import register_export_request
from documents.models import Letter
from documents.services import letter_draft
from govportal.accounts.constants import Role
from govportal.audit.models import AuditEvent
from govportal.pdf import services as pdf_services
from govportal.pdf.printables import printable_for, printable_register, printables
from govportal.pdf.services import PDF_RENDER_TASK, pdf_render, pdf_render_pk
from govportal.pdf.tasks import pdf_render as pdf_render_task
from govportal.tasks import local_task
from tests.documents.conftest import content, dispatch, make_office
from tests.factories import EntityFactory, MembershipFactory
from tests.pdf.helpers import local_storage, pdf_text, renders_once_through_the_one_task, run_jobs, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(settings: Any, tmp_path: Any) -> Any:
    return local_storage(settings, tmp_path / "media")


# --- one of each kind, as its own service issues it ----------------------------------------------


def receipt() -> Any:
    """A receipt for one bill the collecting entity described in its own words."""
    from collection.constants import ObligationStatus, Purpose
    from collection.models import Allocation, Obligation
    from collection.services.receipts import receipt_issue
    from tests.collection.conftest import PaymentFactory

    payment = PaymentFactory(collecting_entity=EntityFactory(code="IHF"))
    bill = Obligation.objects.create(
        payer=payment.payer,
        collecting_entity=payment.collecting_entity,
        purpose=Purpose.OTHER,
        reference="VAL-2026-0042",
        description="رسم تقدير قيمة العقار",
        amount=payment.amount,
        amount_paid=payment.amount,
        due_date=timezone.localdate(),
        status=ObligationStatus.PAID,
    )
    Allocation.objects.create(payment=payment, obligation=bill, amount=payment.amount)
    return receipt_issue(payment=payment)


def certificate() -> Any:
    from datacenter.constants import Outcome
    from datacenter.services import request_answer, request_submit
    from tests.datacenter.conftest import DETAILS, scan

    ministry, centre = EntityFactory(code="MOF"), EntityFactory(code="NDC")
    clerk = MembershipFactory(entity=ministry, role=Role.REGISTRY_CLERK).user
    issuer = MembershipFactory(entity=centre, role=Role.CERTIFICATE_ISSUER).user
    item = request_submit(
        requesting_entity=ministry, issuing_entity=centre, details=DETAILS, attachment=scan(), note="", actor=clerk
    )
    return request_answer(item=item, outcome=Outcome.CONFIRMED, reason="", actor=issuer)


def training_certificate() -> Any:
    from types import SimpleNamespace

    from tests.factories import ProgrammeFactory, QuotaFactory, SessionFactory
    from tests.training.conftest import place
    from training.models import Enrollment
    from training.services import certificate_issue

    secretariat, ministry = EntityFactory(code="COMSEC"), EntityFactory(code="MOF")
    programme = ProgrammeFactory(owner=secretariat, code="DMS-101")
    QuotaFactory(entity=ministry, programme=programme, seats=3)
    world = SimpleNamespace(
        ministry=ministry,
        session=SessionFactory(programme=programme),
        coordinator=MembershipFactory(entity=ministry, role=Role.TRAINING_COORDINATOR).user,
        admin=MembershipFactory(entity=secretariat, role=Role.TRAINING_ADMIN).user,
    )
    enrollment = place(world, name="سارة محمود جاسم")
    Enrollment.objects.filter(pk=enrollment.pk).update(score=91)
    enrollment.refresh_from_db()
    return certificate_issue(enrollment=enrollment, actor=world.admin)


def statement() -> Any:
    from housing_fund.services import loan_create, statement_issue

    loan = loan_create(
        number="L-2026-0815", borrower_name="أحمد كريم العبيدي", borrower_national_id="199012345678",
        borrower_birth_date=dt.date(1990, 3, 14), purpose="build", principal=1_200_000, admin_fee=0,
        term_months=12, start_date=timezone.localdate() - dt.timedelta(days=40), branch=EntityFactory(code="IHF"),
    )  # fmt: skip
    return statement_issue(loan=loan)


def letter() -> Any:
    return dispatch(make_office())


def register_export() -> Any:
    people = make_office()
    dispatch(people, subject="كتاب مسجل في الصادر")
    return register_export_request(user=people["clerk"], entity=people["finance"], kind="outgoing", filters={})


def texts(kind: str, instance: Any) -> list[str]:
    """What the reader must find in each printed document."""
    if kind == "certificate":
        return [instance.serial, instance.holder_name]
    if kind == "training_certificate":
        return [instance.serial, "سارة محمود جاسم"]
    if kind == "statement":
        return [instance.serial, instance.loan.number]
    if kind == "letter":
        return [instance.number]
    if kind == "receipt":  # the bill as its entity named it, not its purpose ("Other fee")
        return [instance.serial, "رسم تقدير قيمة العقار", "VAL-2026-0042"]
    if kind == "register_export":
        return ["كتاب مسجل في الصادر"]
    return [instance.serial]


KINDS = {
    "receipt": (receipt, "collection.receipt"),
    "certificate": (certificate, "datacenter.certificate"),
    "training_certificate": (training_certificate, "training.trainingcertificate"),
    "statement": (statement, "housing_fund.statement"),
    "letter": (letter, "documents.letter"),
    "register_export": (register_export, "documents.registerexport"),
}


@pytest.mark.parametrize("kind", KINDS)
def test_each_printable_is_queued_on_issue_and_rendered_once_by_the_one_task(
    kind, storage, monkeypatch, django_capture_on_commit_callbacks
):
    make, label = KINDS[kind]
    with django_capture_on_commit_callbacks() as callbacks:
        instance = make()
    assert printable_for(instance).label == label
    renders_once_through_the_one_task(
        instance,
        callbacks,
        storage=storage,
        monkeypatch=monkeypatch,
        capture=django_capture_on_commit_callbacks,
        texts=texts(kind, instance),
    )


def test_every_registered_printable_is_one_of_those_tested():
    assert sorted(printable.label for printable in printables()) == sorted(label for _make, label in KINDS.values())


def test_the_render_task_has_the_name_the_queues_route():
    assert pdf_render_task.name == PDF_RENDER_TASK == "govportal.pdf.tasks.pdf_render"
    assert local_task(PDF_RENDER_TASK).name == pdf_render_task.name


def test_a_printed_register_is_marked_ready_with_its_file(storage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        export = register_export()
    assert export.status == "pending" and export.finished_at is None
    run_jobs(callbacks)
    export.refresh_from_db()
    assert export.status == "ready" and export.finished_at is not None and export.file


# --- the one function: language, races, the object gone, failure ---------------------------------


def test_the_official_copy_is_arabic_whatever_the_callers_language(storage, tmp_path):
    with translation.override("en"):
        rendered = pdf_render(instance=certificate())
        assert translation.get_language() == "en"
    text = pdf_text(rendered.pdf.read(), tmp_path)
    with translation.override("ar"):
        arabic = translation.gettext("Holder's full name")
    assert arabic != "Holder's full name" and arabic in text and "Holder's full name" not in text


def test_two_renders_racing_store_one_file_and_the_loser_leaves_nothing(storage, monkeypatch):
    """While one render is busy, another stores the file: the first then drops its bytes."""
    item = certificate()
    real = pdf_services.render_to_pdf
    state = {"nested": False}

    def slow_render(template: str, context: dict[str, Any]) -> bytes:
        content = real(template, context)
        if not state["nested"]:  # the other worker finishes while this one renders
            state["nested"] = True
            pdf_render(instance=item)
        return content

    monkeypatch.setattr(pdf_services, "render_to_pdf", slow_render)
    result = pdf_render(instance=item)
    winner = type(item).objects.get(pk=item.pk).pdf.name
    assert result.pdf.name == winner
    assert stored_files(storage, winner) == [storage / winner]


def test_an_object_deleted_while_rendering_leaves_no_file(storage, monkeypatch):
    people = make_office()
    draft = letter_draft(sender=people["finance"], content=content([people["health"]]), actor=people["clerk"])
    export = register_export_request(user=people["clerk"], entity=people["finance"], kind="incoming", filters={})
    real = pdf_services.render_to_pdf

    def render_then_vanish(template: str, context: dict[str, Any]) -> bytes:
        content = real(template, context)
        type(export).objects.filter(pk=export.pk).delete()
        return content

    monkeypatch.setattr(pdf_services, "render_to_pdf", render_then_vanish)
    pdf_render(instance=export)
    assert stored_files(storage) == []
    assert draft.pk  # the letter is untouched


def test_the_task_exits_quietly_for_an_object_that_is_gone(storage):
    assert pdf_render_pk(label="documents.registerexport", pk="00000000-0000-0000-0000-000000000000") is None
    task = local_task(PDF_RENDER_TASK)
    assert (
        task.apply(args=("documents.registerexport", "00000000-0000-0000-0000-000000000000"), throw=True).result is None
    )


def test_a_render_that_fails_for_good_marks_a_printed_register_failed(storage, monkeypatch):
    export = register_export()

    def broken(template: str, context: dict[str, Any]) -> bytes:
        raise ValueError("a template error no retry mends")

    monkeypatch.setattr(pdf_services, "render_to_pdf", broken)
    result = local_task(PDF_RENDER_TASK).apply(args=("documents.registerexport", str(export.pk)), throw=False)
    assert result.failed()
    export.refresh_from_db()
    assert export.status == "failed" and export.finished_at is not None and not export.file
    assert stored_files(storage) == []


def test_a_forced_render_by_an_operator_is_audited(storage, django_capture_on_commit_callbacks):
    item = pdf_render(instance=certificate())
    operator = MembershipFactory(role=Role.ENTITY_HEAD).user
    with django_capture_on_commit_callbacks(execute=True):
        again = pdf_render(instance=item, force=True, actor=operator)
    event = AuditEvent.objects.get(action="pdf_rerender")
    assert event.actor == operator and event.data["replaced"] == item.pdf.name
    assert event.data["file"] == again.pdf.name and stored_files(storage, again.pdf.name) == [storage / again.pdf.name]


def test_only_a_file_field_can_hold_a_printable():
    with pytest.raises(TypeError):
        printable_register(Letter, field="subject", template="documents/letter_pdf.html", context=dict, filename=str)
    with pytest.raises(LookupError):
        printable_for("documents.referral")


def test_the_core_imports_no_domain_app():
    import ast
    from pathlib import Path

    import govportal

    domain = {"collection", "datacenter", "documents", "housing_fund", "training"}
    for path in Path(govportal.__file__).parent.joinpath("pdf").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not {name.split(".")[0] for name in names} & domain, path


def test_a_printed_register_shows_what_its_requester_may_see(storage, django_capture_on_commit_callbacks, tmp_path):
    people = make_office()
    dispatch(people, subject="كتاب سري عن الموازنة", classification=Classification.CONFIDENTIAL)
    dispatch(people, subject="كتاب عادي عن الموازنة")
    with django_capture_on_commit_callbacks() as callbacks:
        clerks = register_export_request(
            user=people["clerk"], entity=people["finance"], kind=RegisterKind.OUTGOING, filters={}
        )
        heads = register_export_request(
            user=people["head"], entity=people["finance"], kind=RegisterKind.OUTGOING, filters={}
        )
    run_jobs(callbacks)
    clerks.refresh_from_db()
    heads.refresh_from_db()
    seen_by_clerk, seen_by_head = pdf_text(clerks.file.read(), tmp_path), pdf_text(heads.file.read(), tmp_path)
    assert "كتاب عادي عن الموازنة" in seen_by_clerk and "كتاب سري عن الموازنة" not in seen_by_clerk
    assert "كتاب سري عن الموازنة" in seen_by_head


# --- the sweep: a render lost between the commit and the queue ----------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_sweep_queues_a_render_that_was_lost_and_nothing_else(kind, storage, django_capture_on_commit_callbacks):
    """A process killed after its document committed but before its render reached the broker:
    the sweep queues that render once the document is a few minutes old, and then renders it."""
    from govportal.pdf.services import SWEEP_AFTER, pdf_render_missing
    from tests.pdf.helpers import queued

    make, label = KINDS[kind]
    with django_capture_on_commit_callbacks():  # the render this queued is lost: never run
        instance = make()
    soon = timezone.now() + SWEEP_AFTER / 2
    with django_capture_on_commit_callbacks() as callbacks:
        assert pdf_render_missing(now=soon) == {}  # too young: its render may be on its way
    assert queued(callbacks) == []

    later = timezone.now() + SWEEP_AFTER * 2
    with django_capture_on_commit_callbacks() as callbacks:
        found = pdf_render_missing(now=later)
    assert found[label] == 1  # (a printed register's scene also lost its letter's render)
    assert (label, str(instance.pk)) in queued(callbacks)
    run_jobs(callbacks)
    instance.refresh_from_db()
    assert getattr(instance, printable_for(instance).field)
    with django_capture_on_commit_callbacks() as callbacks:
        assert pdf_render_missing(now=later) == {}  # rendered: nothing more to do
    assert queued(callbacks) == []


def test_the_sweep_leaves_drafts_and_failed_printouts_alone(storage, django_capture_on_commit_callbacks):
    from govportal.pdf.services import SWEEP_AFTER, pdf_render_missing

    people = make_office()
    letter_draft(sender=people["finance"], content=content([people["health"]]), actor=people["clerk"])
    export = register_export_request(user=people["clerk"], entity=people["finance"], kind="incoming", filters={})
    type(export).objects.filter(pk=export.pk).update(status="failed", finished_at=timezone.now())
    with django_capture_on_commit_callbacks():
        found = pdf_render_missing(now=timezone.now() + SWEEP_AFTER * 2)
    assert found == {}
