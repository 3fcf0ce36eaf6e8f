"""The collecting entity's outlets, run by its head: setting an outlet up, opening and closing it,
its card terminals and the cashiers who work there.

Every write locks the outlet's row, as recording a payment there does
(``collection.services.outlets``), so a payment never lands on an outlet, terminal or cashier
that was closed or unassigned at the same moment. Every change is audited with the outlet as its
target (terminal and cashier changes too, naming the terminal or cashier in the event's data),
so the outlet's history is one lookup. Past payments keep their outlet, terminal ID and cashier:
nothing here touches them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from collection.constants import OutletStatus
from collection.models import CashierAssignment, Outlet, Terminal
from collection.selectors import CASHIER_ROLES, OUTLET_MANAGER_ROLES, with_readiness
from govportal.accounts.models import User
from govportal.accounts.selectors import roles_in
from govportal.audit.services import audit_record
from govportal.entities.models import Entity


@dataclasses.dataclass(frozen=True)
class OutletDetails:
    """What the head writes about an outlet; everything but its code, which never changes."""

    name_ar: str
    name_en: str
    governorate: str
    address_ar: str
    address_en: str
    phone: str
    open_days: int
    opens_at: dt.time
    closes_at: dt.time


def _require_manager(actor: User, entity: Entity) -> None:
    """The entity's head; administrators too (the admin's actions call these services)."""
    if actor.is_superuser:
        return
    if not roles_in(actor, entity) & {str(role) for role in OUTLET_MANAGER_ROLES}:
        raise PermissionDenied


def _locked(outlet: Outlet) -> Outlet:
    return Outlet.objects.select_for_update().get(pk=outlet.pk)


def _locked_terminal(terminal: Terminal) -> Terminal:
    """The terminal as it is now, its outlet's row locked (``terminal.outlet`` is that row)."""
    outlet = _locked(terminal.outlet)
    terminal = Terminal.objects.get(pk=terminal.pk)
    terminal.outlet = outlet
    return terminal


def _record(action: str, *, outlet: Outlet, actor: User, data: dict[str, Any], request: HttpRequest | None) -> None:
    """The audit event of a change to ``outlet`` (or its terminals or cashiers)."""
    audit_record(action=action, actor=actor, entity=outlet.entity, target=outlet, data=data, request=request)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _clean_details(details: OutletDetails) -> OutletDetails:
    return dataclasses.replace(
        details,
        name_ar=_squash(details.name_ar),
        name_en=_squash(details.name_en),
        address_ar=_squash(details.address_ar),
        address_en=_squash(details.address_en),
        phone=_squash(details.phone),
    )


def _check(outlet: Outlet) -> None:
    """The model's own rules (required fields, validators, choices) and the two the database checks."""
    errors: dict[str, list[Any]] = {}
    try:
        outlet.full_clean(exclude=["entity"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if outlet.opens_at and outlet.closes_at and outlet.opens_at >= outlet.closes_at and "closes_at" not in errors:
        errors["closes_at"] = [_("The closing time must be after the opening time.")]
    if not 0 < outlet.open_days <= 0b1111111:
        errors["open_days"] = [_("Choose at least one day of the week.")]
    if errors:
        raise ValidationError(errors)


def _details_data(outlet: Outlet) -> dict[str, Any]:
    return {
        field.name: (value.isoformat() if isinstance(value, dt.time) else value)
        for field in dataclasses.fields(OutletDetails)
        for value in [getattr(outlet, field.name)]
    }


# --- Outlets -------------------------------------------------------------------------------


def _code_taken(code: str) -> ValidationError:
    return ValidationError(
        {"code": _("An outlet with code %(code)s already exists. Codes are never reused.") % {"code": code}}
    )


def outlet_create(
    *, entity: Entity, code: str, details: OutletDetails, actor: User, request: HttpRequest | None = None
) -> Outlet:
    """A new outlet of ``entity``, being set up: not listed for citizens and taking no payment
    until its head opens it (``outlet_open``). Its code is permanent."""
    _require_manager(actor, entity)
    outlet = Outlet(entity=entity, code=code.strip().upper(), **dataclasses.asdict(_clean_details(details)))
    _check(outlet)
    if Outlet.objects.filter(code=outlet.code).exists():
        raise _code_taken(outlet.code)
    try:
        with transaction.atomic():
            outlet.save(force_insert=True)
            _record(
                "outlet_create",
                outlet=outlet,
                actor=actor,
                data={"code": outlet.code, **_details_data(outlet)},
                request=request,
            )
    except IntegrityError as error:  # the same code, created at the same moment
        raise _code_taken(outlet.code) from error
    return outlet


@transaction.atomic
def outlet_update(*, outlet: Outlet, details: OutletDetails, actor: User, request: HttpRequest | None = None) -> Outlet:
    """Change an outlet's name, place, telephone or hours (never its code). The audit event
    records each changed value, before and after."""
    _require_manager(actor, outlet.entity)
    outlet = _locked(outlet)
    before = _details_data(outlet)
    for name, value in dataclasses.asdict(_clean_details(details)).items():
        setattr(outlet, name, value)
    _check(outlet)
    after = _details_data(outlet)
    changed = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if changed:
        outlet.save(update_fields=list(changed))
        _record("outlet_update", outlet=outlet, actor=actor, data=changed, request=request)
    return outlet


def outlet_readiness(outlet: Outlet) -> dict[str, str]:
    """Why the outlet could not take a payment if it were open now (nothing when it could)."""
    counted = with_readiness(Outlet.objects.filter(pk=outlet.pk)).get()
    problems = {}
    if not counted.open_terminals:
        problems["terminals"] = _("Add at least one card terminal.")
    if not counted.cashiers:
        problems["cashiers"] = _("Assign at least one cashier.")
    return problems


@transaction.atomic
def outlet_open(*, outlet: Outlet, actor: User, request: HttpRequest | None = None) -> Outlet:
    """Open an outlet to citizens (the first time, or again after closing): its cashiers take
    payments there and the public list shows it. Only an outlet that can take a payment opens:
    at least one open terminal and one assigned cashier."""
    _require_manager(actor, outlet.entity)
    outlet = _locked(outlet)
    if outlet.status == OutletStatus.OPEN:
        raise ValidationError(_("This outlet is already open."), code="already_open")
    problems = outlet_readiness(outlet)
    if problems:
        raise ValidationError([ValidationError(problem, code="not_ready") for problem in problems.values()])
    reopened = outlet.status == OutletStatus.CLOSED
    outlet.status = OutletStatus.OPEN
    outlet.opened_at, outlet.opened_by = timezone.now(), actor
    outlet.closed_at, outlet.closed_by, outlet.close_reason = None, None, ""
    outlet.save(update_fields=["status", "opened_at", "opened_by", "closed_at", "closed_by", "close_reason"])
    _record(
        "outlet_open", outlet=outlet, actor=actor, data={"code": outlet.code, "reopened": reopened}, request=request
    )
    return outlet


@transaction.atomic
def outlet_close(*, outlet: Outlet, reason: str, actor: User, request: HttpRequest | None = None) -> Outlet:
    """Close an outlet: its cashiers can no longer take payments there and the public list stops
    showing it. Its terminals and cashiers stay as they are, so that it can be opened again;
    past payments, receipts and closing reports are not touched."""
    _require_manager(actor, outlet.entity)
    reason = _squash(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for closing the outlet.")})
    outlet = _locked(outlet)
    if outlet.status == OutletStatus.CLOSED:
        raise ValidationError(_("This outlet is already closed."), code="already_closed")
    outlet.status = OutletStatus.CLOSED
    outlet.closed_at, outlet.closed_by, outlet.close_reason = timezone.now(), actor, reason[:300]
    outlet.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
    _record(
        "outlet_close",
        outlet=outlet,
        actor=actor,
        data={"code": outlet.code, "reason": outlet.close_reason},
        request=request,
    )
    return outlet


# --- Card terminals ------------------------------------------------------------------------


def _terminal_in_use_elsewhere(terminal_id: str, outlet: Outlet) -> str | None:
    """The message for a terminal ID open at another outlet (named only if it is the same entity's)."""
    other = Terminal.objects.open().filter(terminal_id=terminal_id).exclude(outlet=outlet).select_related("outlet")
    found = other.first()
    if found is None:
        return None
    if found.outlet.entity_id == outlet.entity_id:
        return _("Terminal %(terminal)s is open at %(outlet)s. Close it there first.") % {
            "terminal": terminal_id,
            "outlet": found.outlet.name,
        }
    return _open_elsewhere(terminal_id)


def _open_elsewhere(terminal_id: str) -> str:
    return _("Terminal %(terminal)s is open at another outlet.") % {"terminal": terminal_id}


@transaction.atomic
def terminal_add(
    *,
    outlet: Outlet,
    terminal_id: str,
    serial_number: str = "",
    acquirer: str = "",
    actor: User,
    request: HttpRequest | None = None,
) -> Terminal:
    """A card terminal now at ``outlet``, open: the outlet's cashiers can record its slips."""
    _require_manager(actor, outlet.entity)
    outlet = _locked(outlet)
    terminal = Terminal(
        outlet=outlet,
        terminal_id="".join(terminal_id.split()).upper(),
        serial_number=serial_number.strip(),
        acquirer=_squash(acquirer),
    )
    try:
        terminal.full_clean(exclude=["outlet"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error
    if outlet.terminals.filter(terminal_id=terminal.terminal_id).exists():
        message = _("This outlet already has terminal %(terminal)s. Reopen it from the list of terminals.")
        raise ValidationError({"terminal_id": message % {"terminal": terminal.terminal_id}})
    elsewhere = _terminal_in_use_elsewhere(terminal.terminal_id, outlet)
    if elsewhere:
        raise ValidationError({"terminal_id": elsewhere})
    try:
        with transaction.atomic():
            terminal.save(force_insert=True)
    except IntegrityError as error:  # added at another outlet at the same moment
        raise ValidationError({"terminal_id": _open_elsewhere(terminal.terminal_id)}) from error
    _record(
        "terminal_add",
        outlet=outlet,
        actor=actor,
        data={
            "terminal_id": terminal.terminal_id,
            "serial_number": terminal.serial_number,
            "acquirer": terminal.acquirer,
        },
        request=request,
    )
    return terminal


@transaction.atomic
def terminal_close(*, terminal: Terminal, reason: str, actor: User, request: HttpRequest | None = None) -> Terminal:
    """Take a terminal out of use: the outlet's cashiers can no longer record its slips. Payments
    already taken on it keep its ID."""
    _require_manager(actor, terminal.outlet.entity)
    reason = _squash(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for closing the terminal.")})
    terminal = _locked_terminal(terminal)
    outlet = terminal.outlet
    if terminal.closed_at is not None:
        raise ValidationError(_("This terminal is already closed."), code="already_closed")
    terminal.closed_at, terminal.closed_by, terminal.close_reason = timezone.now(), actor, reason[:300]
    terminal.save(update_fields=["closed_at", "closed_by", "close_reason"])
    _record(
        "terminal_close",
        outlet=outlet,
        actor=actor,
        data={"terminal_id": terminal.terminal_id, "reason": terminal.close_reason},
        request=request,
    )
    return terminal


@transaction.atomic
def terminal_reopen(*, terminal: Terminal, actor: User, request: HttpRequest | None = None) -> Terminal:
    """Put a closed terminal back in use at its outlet, unless its ID is now open elsewhere."""
    _require_manager(actor, terminal.outlet.entity)
    terminal = _locked_terminal(terminal)
    outlet = terminal.outlet
    if terminal.closed_at is None:
        raise ValidationError(_("This terminal is already open."), code="already_open")
    elsewhere = _terminal_in_use_elsewhere(terminal.terminal_id, outlet)
    if elsewhere:
        raise ValidationError(elsewhere, code="open_elsewhere")
    terminal.closed_at, terminal.closed_by, terminal.close_reason = None, None, ""
    try:
        with transaction.atomic():
            terminal.save(update_fields=["closed_at", "closed_by", "close_reason"])
    except IntegrityError as error:  # opened elsewhere at the same moment
        raise ValidationError(_open_elsewhere(terminal.terminal_id), code="open_elsewhere") from error
    _record("terminal_reopen", outlet=outlet, actor=actor, data={"terminal_id": terminal.terminal_id}, request=request)
    return terminal


# --- Cashiers ------------------------------------------------------------------------------


def _cashier_data(cashier: User) -> dict[str, str]:
    return {"cashier": cashier.email or str(cashier), "cashier_id": str(cashier.pk)}


@transaction.atomic
def cashier_assign(
    *, outlet: Outlet, cashier: User, actor: User, request: HttpRequest | None = None
) -> CashierAssignment:
    """``cashier`` works at ``outlet`` from now on (assigning twice keeps one assignment). Only
    a member of the outlet's entity with the outlet-cashier role can be assigned."""
    _require_manager(actor, outlet.entity)
    if not roles_in(cashier, outlet.entity) & {str(role) for role in CASHIER_ROLES}:
        message = _("%(name)s is not an outlet cashier of %(entity)s.")
        raise ValidationError(
            {"cashier": message % {"name": cashier.full_name or cashier.email, "entity": outlet.entity.name}}
        )
    outlet = _locked(outlet)
    assignment, created = CashierAssignment.objects.get_or_create(
        outlet=outlet, cashier=cashier, defaults={"assigned_by": actor}
    )
    if created:
        _record(
            "cashier_assign",
            outlet=outlet,
            actor=actor,
            data=_cashier_data(cashier),
            request=request,
        )
    return assignment


@transaction.atomic
def cashier_unassign(*, outlet: Outlet, cashier: User, actor: User, request: HttpRequest | None = None) -> None:
    """``cashier`` no longer works at ``outlet`` (nothing happens if they did not). Payments they
    took there keep them as their cashier."""
    _require_manager(actor, outlet.entity)
    outlet = _locked(outlet)
    deleted, _rows = CashierAssignment.objects.filter(outlet=outlet, cashier=cashier).delete()
    if deleted:
        _record(
            "cashier_unassign",
            outlet=outlet,
            actor=actor,
            data=_cashier_data(cashier),
            request=request,
        )
