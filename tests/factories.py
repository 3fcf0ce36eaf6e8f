"""factory_boy factories with traits for the states tests need."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
import pyotp
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.utils import timezone

from collection.constants import Governorate, OutletStatus
from govportal.accounts.constants import Role
from govportal.accounts.models import CitizenProfile, Membership, User
from govportal.entities.constants import EntityKind
from govportal.entities.models import Entity
from govportal.entities.services import entity_create

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.iq")
    full_name = factory.Sequence(lambda n: f"Test Person {n}")

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        user = model_class.objects.create_user(*args, password=PASSWORD, **kwargs)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user

    class Params:
        with_totp = factory.Trait(
            totp=factory.PostGeneration(
                lambda user, create, extracted, **kw: TOTP.activate(user, pyotp.random_base32())
            )
        )


def totp_secret(user: User) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return str(decrypt(authenticator.data["secret"]))


class EntityFactory(factory.django.DjangoModelFactory):
    """Entities are made through ``entity_create`` so their tree path is right."""

    class Meta:
        model = Entity

    code = factory.Sequence(lambda n: f"ENT{n}")
    kind = EntityKind.MINISTRY
    name_ar = factory.Sequence(lambda n: f"وزارة تجريبية {n}")
    name_en = factory.Sequence(lambda n: f"Test Ministry {n}")
    parent = None

    @classmethod
    def _create(cls, model_class: type[Entity], *args: Any, **kwargs: Any) -> Entity:
        return entity_create(**kwargs)

    class Params:
        directorate = factory.Trait(
            kind=EntityKind.DIRECTORATE, parent=factory.SubFactory("tests.factories.EntityFactory")
        )
        governorate = factory.Trait(kind=EntityKind.GOVERNORATE)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory, with_totp=True)
    entity = factory.SubFactory(EntityFactory)
    role = Role.REGISTRY_CLERK


class CitizenProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CitizenProfile

    user = factory.SubFactory(UserFactory)
    national_id = factory.Sequence(lambda n: f"19{n:010d}")
    phone = "07701234567"


def current_totp(user: User) -> str:
    return pyotp.TOTP(totp_secret(user)).now()


# --- training ------------------------------------------------------------------------------------


def _soon(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Programme"

    code = factory.Sequence(lambda n: f"PRG-{n:03d}")
    owner = factory.SubFactory(EntityFactory)
    title_ar = factory.Sequence(lambda n: f"دورة إدارة الوثائق الإلكترونية {n}")
    title_en = factory.Sequence(lambda n: f"Electronic document management {n}")
    system = "documents"
    hours = 12


class SessionFactory(factory.django.DjangoModelFactory):
    """A three-day morning workshop in ten days; nominations open since yesterday, closing in a week."""

    class Meta:
        model = "training.Session"

    programme = factory.SubFactory(ProgrammeFactory)
    start_date = factory.LazyFunction(lambda: _soon(10))
    end_date = factory.LazyAttribute(lambda s: s.start_date + dt.timedelta(days=2))
    start_time = dt.time(9, 0)
    end_time = dt.time(13, 0)
    venue = "قاعة التدريب"
    trainer = factory.LazyAttribute(lambda s: MembershipFactory(entity=s.programme.owner).user)
    capacity = 30
    enrollment_opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    enrollment_closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=6))
    lock_days = 3


class TraineeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Trainee"

    full_name = factory.Sequence(lambda n: f"موظف تجريبي {n}")
    national_id = factory.Sequence(lambda n: f"19{n:010d}")
    job_title = "مسجل الصادرة"
    entity = factory.SubFactory(EntityFactory)


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Quota"

    entity = factory.SubFactory(EntityFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    seats = 10


def bill(payer: User, entity: Entity, amount: int = 100_000, *, days: int = 10, reference: str = "") -> Any:
    """An open bill for ``payer``, made through collection's service."""
    import datetime as dt

    from django.utils import timezone

    from collection.constants import Purpose
    from collection.models import Obligation
    from collection.services import obligation_create

    return obligation_create(
        payer=payer,
        collecting_entity=entity,
        purpose=Purpose.OTHER,
        reference=reference or f"B-{Obligation.objects.count() + 1:06d}",
        amount=amount,
        due_date=timezone.localdate() + dt.timedelta(days=days),
    )


# --- verifiable artifacts ------------------------------------------------------------------------


class ArtifactFactory(factory.django.DjangoModelFactory):
    """A signed artifact registered through ``artifact_issue`` (so its token really verifies)."""

    class Meta:
        model = "verification.Artifact"

    entity = factory.SubFactory(EntityFactory)
    kind = "receipt"
    serial = factory.Sequence(lambda n: f"TST-{n:06d}")

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from govportal.verification.services import artifact_issue

        return artifact_issue(content=kwargs["serial"].encode(), display=[], **kwargs)


# --- collection -----------------------------------------------------------------------------------


class ObligationFactory(factory.django.DjangoModelFactory):
    """An open bill, written as collection's service leaves it."""

    class Meta:
        model = "collection.Obligation"

    payer = factory.SubFactory(UserFactory)
    collecting_entity = factory.SubFactory(EntityFactory)
    purpose = "other"
    reference = factory.Sequence(lambda n: f"BILL-{n:06d}")
    amount = 100_000
    due_date = factory.LazyFunction(lambda: _soon(10))


class PaymentFactory(factory.django.DjangoModelFactory):
    """An online sandbox payment that succeeded yesterday."""

    class Meta:
        model = "collection.Payment"

    payment_ref = factory.Sequence(lambda n: f"PADM{n:08d}")
    payer = factory.SubFactory(UserFactory)
    collecting_entity = factory.SubFactory(EntityFactory)
    amount = 50_000
    method = "online_card"
    provider = "sandbox"
    provider_ref = factory.Sequence(lambda n: f"txn_adm_{n:012d}")
    status = "succeeded"
    basket_key = factory.Sequence(lambda n: f"basket-adm-{n}")
    card_last4 = "1111"
    succeeded_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))

    class Params:
        pending = factory.Trait(status="pending", succeeded_at=None, card_last4="")


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "collection.Allocation"

    payment = factory.SubFactory(PaymentFactory)
    obligation = factory.SubFactory(
        ObligationFactory,
        payer=factory.SelfAttribute("..payment.payer"),
        collecting_entity=factory.SelfAttribute("..payment.collecting_entity"),
    )
    amount = factory.SelfAttribute("payment.amount")


class PaymentEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "collection.PaymentEvent"

    provider = "sandbox"
    event_id = factory.Sequence(lambda n: f"evt_adm_{n}")
    kind = "payment.succeeded"
    payment_ref = factory.Sequence(lambda n: f"PADM{n:08d}")
    payload = factory.LazyAttribute(lambda e: {"id": e.event_id, "type": e.kind, "data": {}})


class RefundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "collection.Refund"

    payment = factory.SubFactory(PaymentFactory, status="partially_refunded", refunded_amount=1_000)
    amount = 1_000
    reason = "error"
    note = "Overpaid by mistake"
    status = "succeeded"
    decided_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory(UserFactory)


class ReceiptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "collection.Receipt"

    payment = factory.SubFactory(PaymentFactory)
    collecting_entity = factory.SelfAttribute("payment.collecting_entity")
    serial = factory.Sequence(lambda n: f"ADM-RC-2026-{n:06d}")
    issued_at = factory.LazyFunction(timezone.now)
    artifact = factory.SubFactory(
        ArtifactFactory,
        entity=factory.SelfAttribute("..collecting_entity"),
        kind="receipt",
        serial=factory.SelfAttribute("..serial"),
    )


class OutletFactory(factory.django.DjangoModelFactory):
    """An outlet being set up (``open`` and ``closed`` traits for the other states)."""

    class Meta:
        model = "collection.Outlet"

    entity = factory.SubFactory(EntityFactory)
    code = factory.Sequence(lambda n: f"OUT-{n:03d}")
    name_ar = factory.Sequence(lambda n: f"منفذ الجباية {n}")
    name_en = factory.Sequence(lambda n: f"Payment outlet {n}")
    governorate = Governorate.BAGHDAD
    address_ar = "بغداد، الكرخ، شارع حيفا"
    address_en = "Haifa Street, Karkh, Baghdad"

    class Params:
        open = factory.Trait(status=OutletStatus.OPEN, opened_at=factory.LazyFunction(timezone.now))
        closed = factory.Trait(
            status=OutletStatus.CLOSED, closed_at=factory.LazyFunction(timezone.now), close_reason="نقل المنفذ"
        )


class TerminalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "collection.Terminal"

    outlet = factory.SubFactory(OutletFactory)
    terminal_id = factory.Sequence(lambda n: f"T-{n:04d}")

    class Params:
        closed = factory.Trait(closed_at=factory.LazyFunction(timezone.now), close_reason="عطل")


class CashierAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "collection.CashierAssignment"

    outlet = factory.SubFactory(OutletFactory)
    cashier = factory.SubFactory(UserFactory)


class SettlementFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "collection.SettlementFile"

    provider = "sandbox"
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    name = factory.Sequence(lambda n: f"settlement-{n}.csv")
    status = "done"


class SettlementFetchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "collection.SettlementFetch"

    provider = "sandbox"
    day = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))
    requested_by = factory.SubFactory(UserFactory)
    status = "empty"


class SettlementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "collection.Settlement"

    payment = factory.SubFactory(PaymentFactory)
    file = factory.SubFactory(SettlementFileFactory)
    line = factory.Sequence(lambda n: n + 2)
    txn_id = factory.SelfAttribute("payment.provider_ref")
    settled_at = factory.LazyFunction(timezone.now)
    fee = 250


class SettlementRowFactory(factory.django.DjangoModelFactory):
    """A line that settled nothing: unknown to us."""

    class Meta:
        model = "collection.SettlementRow"

    file = factory.SubFactory(SettlementFileFactory)
    line = factory.Sequence(lambda n: n + 2)
    txn_id = factory.Sequence(lambda n: f"txn_unknown_{n}")
    payment_ref = factory.Sequence(lambda n: f"PNOSUCH{n:06d}")
    amount = 1_000
    currency = "IQD"
    status = "settled"
    settled_at = factory.LazyFunction(timezone.now)
    outcome = "unknown"


class DiscrepancyFactory(factory.django.DjangoModelFactory):
    """An open discrepancy: the provider reported another amount for a payment."""

    class Meta:
        model = "collection.Discrepancy"

    kind = "amount_mismatch"
    provider = "sandbox"
    payment = factory.SubFactory(PaymentFactory)
    collecting_entity = factory.SelfAttribute("payment.collecting_entity")
    expected_amount = factory.SelfAttribute("payment.amount")
    reported_amount = 49_000
    detail = "provider reports 49000 IQD"


class SandboxChargeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "collection.SandboxCharge"

    id = factory.Sequence(lambda n: f"txn_sbx_{n:010d}")
    payment_ref = factory.Sequence(lambda n: f"PSBX{n:08d}")
    merchant = "صندوق الإسكان العراقي"
    amount = 50_000
    return_url = "http://testserver/collection/payments/return/"


class SandboxRefundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "collection.SandboxRefund"

    id = factory.Sequence(lambda n: f"rf_sbx_{n:010d}")
    charge = factory.SubFactory(SandboxChargeFactory)
    key = factory.Sequence(lambda n: f"refund-key-{n:08d}")
    amount = 10_000
    state = "succeeded"


# --- housing fund ---------------------------------------------------------------------------------


class LoanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "housing_fund.Loan"

    number = factory.Sequence(lambda n: f"HL-{n:07d}")
    borrower_name = factory.Sequence(lambda n: f"مقترض تجريبي {n}")
    borrower_national_id = factory.Sequence(lambda n: f"19{n:010d}")
    borrower_birth_date = dt.date(1985, 3, 14)
    purpose = "build"
    principal = 50_000_000
    admin_fee = 500_000
    term_months = 120
    start_date = dt.date(2025, 1, 1)
    branch = factory.SubFactory(EntityFactory)


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "housing_fund.Schedule"

    loan = factory.SubFactory(LoanFactory)
    version = 1
    total = factory.SelfAttribute("loan.total")


class InstallmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "housing_fund.Installment"

    schedule = factory.SubFactory(ScheduleFactory)
    loan = factory.SelfAttribute("schedule.loan")
    number = factory.Sequence(lambda n: n + 1)
    due_date = factory.LazyAttribute(lambda i: dt.date(2025, 2, 1) + dt.timedelta(days=30 * (i.number % 120)))
    amount = 421_000


class RescheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "housing_fund.Reschedule"

    loan = factory.SubFactory(LoanFactory)
    term_months = 180
    reason = "Lost income; longer term asked for"
    proposed_by = factory.SubFactory(UserFactory)


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "housing_fund.Statement"

    loan = factory.SubFactory(LoanFactory)
    serial = factory.Sequence(lambda n: f"ADM-ST-2026-{n:06d}")
    issued_at = factory.LazyFunction(timezone.now)
    balance = 40_000_000
    artifact = factory.SubFactory(
        ArtifactFactory,
        entity=factory.SelfAttribute("..loan.branch"),
        kind="statement",
        serial=factory.SelfAttribute("..serial"),
    )


class LoanImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "housing_fund.LoanImport"

    name = factory.Sequence(lambda n: f"loans-{n}.csv")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    branch = factory.SubFactory(EntityFactory)
    uploaded_by = factory.SubFactory(UserFactory)
    status = "done"


# --- certificates of authenticity -----------------------------------------------------------------


class AuthenticityRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "datacenter.AuthenticityRequest"

    reference = factory.Sequence(lambda n: f"REQ-2026-{n:06d}")
    requesting_entity = factory.SubFactory(EntityFactory)
    issuing_entity = factory.SubFactory(EntityFactory)
    document_type = "degree"
    document_number = factory.Sequence(lambda n: f"BGD-2019-{n:05d}")
    document_date = dt.date(2019, 7, 14)
    holder_name = "أحمد كريم العبيدي"
    holder_national_id = "199012345678"
    attachment = "datacenter/requests/2026/01/scan.pdf"
    attachment_content_type = "application/pdf"
    attachment_sha256 = "0" * 64
    submitted_by = factory.SubFactory(UserFactory)
    due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class CertificateFactory(factory.django.DjangoModelFactory):
    """A confirmed certificate of authenticity, signed by its issuer."""

    class Meta:
        model = "datacenter.Certificate"

    serial = factory.Sequence(lambda n: f"NDC-2026-{n:06d}")
    issuing_entity = factory.SubFactory(EntityFactory)
    outcome = "confirmed"
    document_type = "degree"
    document_number = factory.Sequence(lambda n: f"BGD-2019-{n:05d}")
    document_date = dt.date(2019, 7, 14)
    holder_name = "أحمد كريم العبيدي"
    holder_national_id = "199012345678"
    issued_at = factory.LazyFunction(timezone.now)
    artifact = factory.SubFactory(
        ArtifactFactory,
        entity=factory.SelfAttribute("..issuing_entity"),
        kind="certificate",
        serial=factory.SelfAttribute("..serial"),
    )


# --- documents -------------------------------------------------------------------------------------


class LetterFactory(factory.django.DjangoModelFactory):
    """A draft letter."""

    class Meta:
        model = "documents.Letter"

    sender_entity = factory.SubFactory(EntityFactory)
    subject = factory.Sequence(lambda n: f"بشأن الربط الإلكتروني {n}")
    body = "نص الكتاب"
    created_by = factory.SubFactory(UserFactory)


class LetterRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "documents.LetterRecipient"

    letter = factory.SubFactory(LetterFactory)
    entity = factory.SubFactory(EntityFactory)


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "documents.Attachment"

    letter = factory.SubFactory(LetterFactory)
    file = "documents/attachments/scan.pdf"
    name = factory.Sequence(lambda n: f"مرفق-{n}.pdf")
    content_type = "application/pdf"
    size = 2048
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    added_by = factory.SubFactory(UserFactory)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "documents.Referral"

    recipient = factory.SubFactory(LetterRecipientFactory)
    referred_to = factory.SubFactory(UserFactory)
    minute = "للاطلاع واتخاذ اللازم"
    created_by = factory.SubFactory(UserFactory)


class RegisterExportFactory(factory.django.DjangoModelFactory):
    """A printed register still being prepared."""

    class Meta:
        model = "documents.RegisterExport"

    entity = factory.SubFactory(EntityFactory)
    kind = "outgoing"
    requested_by = factory.SubFactory(UserFactory)


# --- training places ------------------------------------------------------------------------------


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Nomination"

    session = factory.SubFactory(SessionFactory)
    trainee = factory.SubFactory(TraineeFactory)
    entity = factory.SelfAttribute("trainee.entity")
    nominated_by = factory.SubFactory(UserFactory)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    """A place from an approved nomination (``completed`` with a pass score as a trait)."""

    class Meta:
        model = "training.Enrollment"

    nomination = factory.SubFactory(NominationFactory, status="approved")
    session = factory.SelfAttribute("nomination.session")
    trainee = factory.SelfAttribute("nomination.trainee")
    status = "enrolled"
    queue_number = factory.Sequence(lambda n: n + 1)
    enrolled_at = factory.LazyFunction(timezone.now)

    class Params:
        completed = factory.Trait(status="completed", score=85, assessed_at=factory.LazyFunction(timezone.now))


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Attendance"

    enrollment = factory.SubFactory(EnrollmentFactory)
    day = factory.SelfAttribute("enrollment.session.start_date")
    present = True
    method = "checklist"
    marked_by = factory.SubFactory(UserFactory)


class TrainingCertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.TrainingCertificate"

    enrollment = factory.SubFactory(EnrollmentFactory, completed=True)
    serial = factory.Sequence(lambda n: f"SEC-TR-2026-{n:06d}")
    issuing_entity = factory.SelfAttribute("enrollment.session.programme.owner")
    issued_at = factory.LazyFunction(timezone.now)
    issued_by = factory.SubFactory(UserFactory)
    artifact = factory.SubFactory(
        ArtifactFactory,
        entity=factory.SelfAttribute("..issuing_entity"),
        kind="training_certificate",
        serial=factory.SelfAttribute("..serial"),
    )
