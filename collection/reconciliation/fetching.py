"""Fetching a provider's settlement file of one day through its adapter (``settlement_file``): a fund
officer or head asks on the settlements page, a task on the bulk queue fetches it and imports it as an
upload would be (the same checks, the same refusal of a file already imported), and the page follows
it until the file is reconciled."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from collection.constants import FETCH_UNDER_WAY, FetchStatus, Provider
from collection.models import SettlementFetch, SettlementFile
from collection.providers import ProviderError, SettlementNotOffered, get_provider
from collection.reconciliation.services import can_import, settlement_import
from govportal.accounts.models import User
from govportal.audit.services import audit_record
from govportal.tasks import enqueue

logger = logging.getLogger(__name__)

# The providers whose files staff may ask for (an outlet's terminal sends none).
FETCH_PROVIDERS = (Provider.SANDBOX, Provider.FIB)
# A request still being fetched after this long was lost with its worker: asking again starts anew.
FETCH_STALE_AFTER = dt.timedelta(minutes=15)


def settlement_fetch_request(
    *, provider: str, day: dt.date, actor: User, request: HttpRequest | None = None
) -> SettlementFetch:
    """Ask for ``provider``'s settlement file of ``day``; the task fetches it after commit. Asking
    again for a day whose file is being fetched returns that request (a second click, two tabs)."""
    if not can_import(actor):
        raise PermissionDenied
    if provider not in FETCH_PROVIDERS:
        raise ValidationError({"provider": _("Choose a payment company.")}, code="provider")
    if day > timezone.localdate():
        raise ValidationError({"day": _("The day cannot be in the future.")}, code="future")
    with transaction.atomic():
        under_way = (
            SettlementFetch.objects.select_for_update()
            .filter(provider=provider, day=day, status__in=FETCH_UNDER_WAY)
            .first()
        )
        if under_way is not None and under_way.requested_at > timezone.now() - FETCH_STALE_AFTER:
            return under_way
        if under_way is not None:
            _finish(under_way, FetchStatus.FAILED, detail=_("The request was lost on the way. Ask again."))
        try:
            with transaction.atomic():
                fetch = SettlementFetch.objects.create(
                    provider=provider, day=day, requested_by=actor, language=translation.get_language() or "ar"
                )
        except IntegrityError:  # asked at the same moment by someone else
            return SettlementFetch.objects.get(provider=provider, day=day, status__in=FETCH_UNDER_WAY)
        audit_record(
            action="settlement_fetch",
            actor=actor,
            target=fetch,
            request=request,
            data={"provider": provider, "day": day.isoformat()},
        )
        enqueue("collection.tasks.settlement_fetch", str(fetch.pk))
    return fetch


def settlement_fetch_run(*, fetch_id: str) -> SettlementFetch | None:
    """Fetch and import the file of one request (idempotent: a request already taken is left alone).
    What came of it is said in the requester's language: a file imported (and queued for
    reconciliation), the same file imported before, no transactions that day, or why not."""
    with transaction.atomic():
        fetch = SettlementFetch.objects.select_for_update().filter(pk=fetch_id).first()
        if fetch is None or fetch.status != FetchStatus.QUEUED:
            return fetch
        fetch.status = FetchStatus.FETCHING
        fetch.save(update_fields=["status"])
    with translation.override(fetch.language):
        try:
            return _fetch_and_import(fetch)
        except Exception:
            _finish(fetch, FetchStatus.FAILED, detail=_("The file could not be fetched. Try again later."))
            raise


def _fetch_and_import(fetch: SettlementFetch) -> SettlementFetch:
    """The fetch itself, in the requester's language (see ``settlement_fetch_run``)."""
    try:
        content = get_provider(fetch.provider).settlement_file(fetch.day)
    except SettlementNotOffered as error:
        return _finish(fetch, FetchStatus.FAILED, detail=str(error))
    except ProviderError as error:
        logger.warning("settlement file of %s for %s not fetched: %s", fetch.provider, fetch.day, error)
        return _finish(
            fetch, FetchStatus.FAILED, detail=_("The payment company did not answer. Try again in a few minutes.")
        )
    if content is None:
        return _finish(fetch, FetchStatus.EMPTY)
    try:
        imported = settlement_import(
            provider=fetch.provider,
            name=f"{fetch.provider}-{fetch.day.isoformat()}.csv",
            content=content,
            actor=fetch.requested_by,
        )
    except PermissionDenied:
        return _finish(fetch, FetchStatus.FAILED, detail=_("You may no longer import settlement files."))
    except ValidationError as error:
        if error.code == "duplicate_file":
            sha256 = hashlib.sha256(content).hexdigest()
            earlier = SettlementFile.objects.filter(provider=fetch.provider, sha256=sha256).first()
            return _finish(fetch, FetchStatus.DUPLICATE, file=earlier)
        return _finish(fetch, FetchStatus.FAILED, detail=" ".join(error.messages))
    return _finish(fetch, FetchStatus.IMPORTED, file=imported)


def _finish(
    fetch: SettlementFetch, status: str, *, file: SettlementFile | None = None, detail: str = ""
) -> SettlementFetch:
    with transaction.atomic():
        fetch = SettlementFetch.objects.select_for_update().get(pk=fetch.pk)
        fetch.status, fetch.file, fetch.detail, fetch.finished_at = status, file, detail[:500], timezone.now()
        fetch.save(update_fields=["status", "file", "detail", "finished_at"])
        audit_record(
            action="settlement_fetched",
            target=fetch,
            data={"provider": fetch.provider, "day": fetch.day.isoformat(), "status": status},
        )
    return fetch
