"""Who sees which requests and certificates (through the one access selector)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from datacenter.models import AuthenticityRequest, AuthenticityRequestQuerySet, Certificate
from govportal.accounts.constants import Role
from govportal.accounts.selectors import entities_of
from govportal.search import normalize_arabic

# Who may ask another entity to confirm a document, and who answers.
REQUESTER_ROLES = (Role.REGISTRY_CLERK, Role.CERTIFICATE_ISSUER, Role.ENTITY_HEAD)
ISSUER_ROLES = (Role.CERTIFICATE_ISSUER, Role.ENTITY_HEAD)


def requests_sent(user: Any) -> AuthenticityRequestQuerySet:
    entities = entities_of(user, roles=REQUESTER_ROLES)
    return AuthenticityRequest.objects.filter(requesting_entity__in=entities).select_related("issuing_entity")


def request_queue(user: Any) -> AuthenticityRequestQuerySet:
    entities = entities_of(user, roles=ISSUER_ROLES)
    return AuthenticityRequest.objects.filter(issuing_entity__in=entities).select_related("requesting_entity")


def requests_visible(user: Any) -> AuthenticityRequestQuerySet:
    """A request is seen by its requesting entity's requesters and its issuing entity's issuers."""
    sent = entities_of(user, roles=REQUESTER_ROLES)
    received = entities_of(user, roles=ISSUER_ROLES)
    return AuthenticityRequest.objects.filter(
        Q(requesting_entity__in=sent) | Q(issuing_entity__in=received)
    ).select_related("requesting_entity", "issuing_entity", "submitted_by")


def certificates_visible(user: Any) -> QuerySet[Certificate]:
    sent = entities_of(user, roles=REQUESTER_ROLES)
    issued = entities_of(user, roles=ISSUER_ROLES)
    return Certificate.objects.filter(Q(requesting_entity__in=sent) | Q(issuing_entity__in=issued)).select_related(
        "issuing_entity", "requesting_entity", "artifact"
    )


def search_requests(queryset: AuthenticityRequestQuerySet, text: str) -> AuthenticityRequestQuerySet:
    """Reference, document number or holder name; Arabic spelling variants match each other."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(reference__iexact=text)
        | Q(document_number__iexact=text)
        | Q(holder_name_search__contains=normalize_arabic(text))
    )
