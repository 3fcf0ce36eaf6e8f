"""Bills other collecting bodies post (an electricity directorate's billing system, through the API):
the payer is named by national ID. A bill whose payer has no account yet, or only an e-mail account
whose national ID nobody has verified, waits without a payer; it joins the account of the citizen
whose national ID the identity platform verifies, at sign-up, sign-in or linking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from collection.constants import Purpose
from collection.models import Obligation
from collection.services.bills import obligation_create
from govportal.accounts.models import CitizenProfile, User, mask_national_id
from govportal.accounts.validators import validate_national_id
from govportal.api.models import ApiClient
from govportal.audit.services import audit_record
from govportal.entities.models import Entity


def _verified_citizen(national_id: str) -> User | None:
    profile = (
        CitizenProfile.objects.filter(national_id=national_id, national_id_verified_at__isnull=False)
        .select_related("user")
        .first()
    )
    return profile.user if profile is not None else None


@transaction.atomic
def bill_post(
    *,
    entity: Entity,
    national_id: str,
    purpose: str,
    amount: int,
    due_date: dt.date,
    reference: str,
    category: str = Purpose.OTHER,
    client: ApiClient | None = None,
    audit_data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Obligation:
    """A bill of ``entity`` for the person with ``national_id``: theirs at once if the identity platform
    has verified that ID for an account, else waiting for them. ``purpose`` is the entity's own words
    (shown to the payer as they are). A reference the entity used already is refused (code
    ``duplicate_reference``), also when two requests race for it."""
    errors: dict[str, list[str]] = {}
    try:
        validate_national_id(national_id)
    except ValidationError as error:
        errors["national_id"] = error.messages
    if not purpose.strip():
        errors["purpose"] = [_("Say what the bill is for.")]
    if not reference.strip():
        errors["reference"] = [_("Give the bill your own reference.")]
    if category == Purpose.HOUSING_INSTALLMENT or category not in Purpose.values:
        errors["category"] = [_("Choose a kind of bill this entity may post.")]
    if errors:
        raise ValidationError(errors)
    try:
        bill = obligation_create(
            payer=_verified_citizen(national_id),
            payer_national_id=national_id,
            collecting_entity=entity,
            purpose=category,
            reference=reference.strip(),
            amount=amount,
            due_date=due_date,
            description=purpose.strip(),
            audit_data=audit_data,
            request=request,
        )
    except IntegrityError as error:  # the same reference committed meanwhile by a concurrent request
        if "obligation_unique_reference" not in str(error):
            raise
        raise ValidationError(
            _("A bill with reference %(reference)s already exists.") % {"reference": reference},
            code="duplicate_reference",
        ) from error
    if client is not None:  # the system told of the bill's payments and cancellation
        Obligation.objects.filter(pk=bill.pk).update(api_client=client)
        bill.api_client = client
    return bill


def obligations_claim_verified(user: User, national_id: str, request: HttpRequest | None = None) -> None:
    """A citizen whose national ID the identity platform confirmed: every bill waiting for that ID joins
    their account (accounts' national-ID listener; each bill audited). An ID typed at an e-mail sign-up,
    not verified, claims nothing."""
    if not CitizenProfile.objects.filter(
        user=user, national_id=national_id, national_id_verified_at__isnull=False
    ).exists():
        return
    with transaction.atomic():
        waiting = Obligation.objects.select_for_update(of=("self",)).filter(
            payer__isnull=True, payer_national_id=national_id
        )
        for bill in waiting.select_related("collecting_entity"):
            bill.payer = user
            bill.save(update_fields=["payer"])
            audit_record(
                action="obligation_link",
                actor=user,
                entity=bill.collecting_entity,
                target=bill,
                data={"reference": bill.reference, "national_id": mask_national_id(national_id)},
                request=request,
            )
