"""How to put rows in every model the admin shows: ``builders()[model](n)`` adds ``n`` rows
(fewer where the model allows fewer), sharing their parents where that keeps tests quick."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import Group
from django.db.models import Model
from django.utils import timezone

from collection import models as collection
from datacenter import models as datacenter
from documents import models as documents
from govportal.accounts.models import CitizenProfile, Membership, User
from govportal.api.models import ApiClient, IdempotencyKey, NotificationDelivery
from govportal.api.services import api_client_create
from govportal.audit.models import AuditEvent
from govportal.audit.services import audit_record
from govportal.entities.constants import LinkagePhase
from govportal.entities.models import Entity, RolloutPhase
from govportal.notifications.models import Notification
from govportal.numbering.models import Counter
from govportal.verification import trust
from govportal.verification.models import Artifact, SigningKey, TrustRootKey, VerificationBatch
from govportal.verification.services import key_create
from housing_fund import models as housing_fund
from sandbox_idp.keys import signing_key_rotate
from sandbox_idp.models import AccessToken as IdpAccessToken
from sandbox_idp.models import AuthorizationCode, Identity
from sandbox_idp.models import Client as IdpClient
from sandbox_idp.models import SigningKey as IdpSigningKey
from tests import factories as f
from training import models as training

Builder = Callable[[int], Any]


def _batch(factory: Any, **shared: Callable[[], Any]) -> Builder:
    return lambda n: [factory(**{key: make() for key, make in shared.items()}) for _ in range(n)]


def _rollout_phases(n: int) -> None:
    for number in list(LinkagePhase.values)[:n]:
        RolloutPhase.objects.get_or_create(number=number)


def _signing_keys(n: int) -> None:
    for _ in range(n):
        key_create(entity=f.EntityFactory())


def builders() -> dict[type[Model], Builder]:
    """The builders of one test: rows they make share one entity, one user, one session…"""
    made: dict[str, Any] = {}

    def once(name: str, make: Callable[[], Any]) -> Callable[[], Any]:
        def get() -> Any:
            if name not in made:
                made[name] = make()
            return made[name]

        return get

    entity = once("entity", f.EntityFactory)
    user = once("user", f.UserFactory)
    programme = once("programme", lambda: f.ProgrammeFactory(owner=entity()))
    session = once("session", lambda: f.SessionFactory(programme=programme(), trainer=user()))
    settlement_file = once("settlement_file", f.SettlementFileFactory)
    outlet = once("outlet", lambda: f.OutletFactory(entity=entity()))
    idp_client = once("idp_client", lambda: IdpClient.objects.create(client_id="rp", client_secret="x", name="RP"))
    identity = once(
        "identity",
        lambda: Identity.objects.create(
            national_id="299999999999",
            full_name="اسم",
            given_name="اسم",
            family_name="لقب",
            birth_date=dt.date(1990, 1, 1),
            governorate="بغداد",
            password="x",
        ),
    )
    api_client = once(
        "api_client", lambda: api_client_create(entity=entity(), name="Billing", scopes=["bills:read"], actor=None)[0]
    )

    def deliveries(n: int) -> None:
        from django.utils import timezone

        NotificationDelivery.objects.bulk_create(
            NotificationDelivery(
                client=api_client(), event="bill.paid", subject=f"B-{i}", body="{}", retry_from=timezone.now()
            )
            for i in range(n)
        )

    def audit_events(n: int) -> None:
        for number in range(n):
            audit_record(action="entity_change", actor=user(), entity=entity(), target=entity(), data={"n": number})

    def counters(n: int) -> None:
        start = Counter.objects.count()
        Counter.objects.bulk_create(
            Counter(entity=entity(), register="receipt", year=2000 + start + i, value=i) for i in range(n)
        )

    return {
        # accounts, allauth, auth
        User: lambda n: f.UserFactory.create_batch(n),
        Group: lambda n: [Group.objects.create(name=f"group-{Group.objects.count()}-{i}") for i in range(n)],
        EmailAddress: lambda n: f.UserFactory.create_batch(n),
        Authenticator: lambda n: f.UserFactory.create_batch(n, with_totp=True),
        IdpClient: lambda n: [
            IdpClient.objects.create(client_id=f"client-{i}-{IdpClient.objects.count()}", client_secret="x", name="RP")
            for i in range(n)
        ],
        Identity: lambda n: [
            Identity.objects.create(
                national_id=f"1{Identity.objects.count() + 1:011d}",
                full_name="اسم",
                given_name="اسم",
                family_name="لقب",
                birth_date=dt.date(1990, 1, 1),
                governorate="بغداد",
                password="x",
            )
            for _ in range(n)
        ],
        IdpSigningKey: lambda n: [signing_key_rotate() for _ in range(n)],
        AuthorizationCode: lambda n: [
            AuthorizationCode.objects.create(
                code=f"code-{AuthorizationCode.objects.count()}",
                client=idp_client(),
                identity=identity(),
                redirect_uri="http://127.0.0.1/cb",
                scope="openid",
                code_challenge="c",
                code_challenge_method="S256",
                acr="low",
                auth_time=timezone.now(),
            )
            for _ in range(n)
        ],
        IdpAccessToken: lambda n: [
            IdpAccessToken.objects.create(
                access_token=f"token-{IdpAccessToken.objects.count()}",
                client=idp_client(),
                identity=identity(),
                scope="openid",
                expires_in=300,
            )
            for _ in range(n)
        ],
        ApiClient: lambda n: [
            api_client_create(entity=entity(), name=f"System {i}", scopes=["verify"], actor=None)[0] for i in range(n)
        ],
        SocialAccount: lambda n: [
            SocialAccount.objects.create(user=user, provider="national", uid=f"sub-{user.pk}", extra_data={"upn": "x"})
            for user in f.UserFactory.create_batch(n)
        ],
        Membership: _batch(f.MembershipFactory, entity=entity, user=f.UserFactory),
        CitizenProfile: _batch(f.CitizenProfileFactory),
        # core
        Entity: _batch(f.EntityFactory),
        RolloutPhase: _rollout_phases,
        AuditEvent: audit_events,
        SigningKey: _signing_keys,
        TrustRootKey: lambda n: [trust.root_rotate() for _ in range(n)],
        Artifact: _batch(f.ArtifactFactory, entity=entity),
        Counter: counters,
        Notification: lambda n: [Notification.objects.create(user=user(), message="Welcome") for _ in range(n)],
        # collection
        collection.Obligation: _batch(f.ObligationFactory, payer=user, collecting_entity=entity),
        collection.Payment: _batch(f.PaymentFactory, payer=f.UserFactory, collecting_entity=entity),
        collection.Allocation: _batch(f.AllocationFactory, payment__payer=user, payment__collecting_entity=entity),
        collection.PaymentEvent: _batch(f.PaymentEventFactory),
        collection.Refund: _batch(f.RefundFactory, payment__collecting_entity=entity, created_by=user),
        collection.Receipt: _batch(f.ReceiptFactory, payment__payer=user, payment__collecting_entity=entity),
        collection.Outlet: _batch(f.OutletFactory, entity=entity),
        collection.Terminal: _batch(f.TerminalFactory, outlet=outlet),
        collection.CashierAssignment: _batch(f.CashierAssignmentFactory, outlet=outlet),
        collection.SettlementFile: _batch(f.SettlementFileFactory, uploaded_by=user),
        collection.SettlementFetch: _batch(f.SettlementFetchFactory, requested_by=user),
        collection.Settlement: _batch(f.SettlementFactory, file=settlement_file, payment__collecting_entity=entity),
        collection.SettlementRow: _batch(f.SettlementRowFactory, file=settlement_file),
        collection.Discrepancy: _batch(f.DiscrepancyFactory, payment__payer=user, payment__collecting_entity=entity),
        collection.SandboxCharge: _batch(f.SandboxChargeFactory),
        collection.SandboxRefund: _batch(f.SandboxRefundFactory),
        # API core
        NotificationDelivery: deliveries,
        VerificationBatch: lambda n: VerificationBatch.objects.bulk_create(
            VerificationBatch(entity=entity(), uploaded_by=user(), name=f"file-{i}.csv", sha256="0" * 64, language="ar")
            for i in range(n)
        ),
        collection.MerchantAccount: lambda n: [
            collection.MerchantAccount.objects.create(
                provider="acquirer", account_id=f"9{collection.MerchantAccount.objects.count():014d}", entity=entity()
            )
            for _ in range(n)
        ],
        IdempotencyKey: lambda n: IdempotencyKey.objects.bulk_create(
            IdempotencyKey(client=api_client(), key=f"key-{i}-{IdempotencyKey.objects.count()}", request_hash="0" * 64)
            for i in range(n)
        ),
        # housing fund
        housing_fund.Loan: _batch(f.LoanFactory, branch=entity),
        housing_fund.Schedule: _batch(f.ScheduleFactory, loan__branch=entity),
        housing_fund.Installment: _batch(f.InstallmentFactory, schedule__loan__branch=entity),
        housing_fund.Reschedule: _batch(f.RescheduleFactory, loan__branch=entity, proposed_by=user),
        housing_fund.Statement: _batch(f.StatementFactory, loan__branch=entity),
        housing_fund.LoanImport: _batch(f.LoanImportFactory, branch=entity, uploaded_by=user),
        # certificates of authenticity
        datacenter.AuthenticityRequest: _batch(f.AuthenticityRequestFactory, issuing_entity=entity, submitted_by=user),
        datacenter.Certificate: _batch(f.CertificateFactory, issuing_entity=entity),
        # documents
        documents.Letter: _batch(f.LetterFactory, sender_entity=entity, created_by=user),
        documents.LetterRecipient: _batch(
            f.LetterRecipientFactory, letter__sender_entity=entity, letter__created_by=user
        ),
        documents.Attachment: _batch(f.AttachmentFactory, letter__sender_entity=entity, added_by=user),
        documents.Referral: _batch(
            f.ReferralFactory, recipient__letter__sender_entity=entity, referred_to=user, created_by=user
        ),
        documents.RegisterExport: _batch(f.RegisterExportFactory, entity=entity, requested_by=user),
        # training
        training.Programme: _batch(f.ProgrammeFactory, owner=entity),
        training.Session: _batch(f.SessionFactory, programme=programme, trainer=user),
        training.Quota: _batch(f.QuotaFactory, programme=programme),
        training.Trainee: _batch(f.TraineeFactory, entity=entity),
        training.Nomination: _batch(f.NominationFactory, session=session, nominated_by=user),
        training.Enrollment: _batch(f.EnrollmentFactory, nomination__session=session, nomination__nominated_by=user),
        training.Attendance: _batch(f.AttendanceFactory, enrollment__nomination__session=session, marked_by=user),
        training.TrainingCertificate: _batch(
            f.TrainingCertificateFactory, enrollment__nomination__session=session, issued_by=user
        ),
    }
