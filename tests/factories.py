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
