"""The collecting entity's head runs its outlets: list, set up and change, open and close, card
terminals, cashiers. Another entity's outlet, or these pages for anyone but a head of a
collecting entity, are a 404. (The public list of open outlets is ``outlet_directory``.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collection import selectors, services
from collection.constants import OutletStatus
from collection.forms import AssignCashierForm, OutletForm, ReasonForm, TerminalForm
from collection.models import Outlet, Terminal
from govportal.web.forms import apply_service_errors
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest

# A service call made by a page: it returns the outlet it changed and what to tell the head.
Act = Callable[[], tuple[Outlet, str]]


def _form_page(request: HttpRequest, form: Form, template: str, context: dict[str, Any], act: Act) -> HttpResponse:
    """``form`` on ``template``; on a valid POST, ``act``: its refusal beside the fields, or its
    message on the outlet's page."""
    if request.method == "POST" and form.is_valid():
        try:
            outlet, message = act()
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("collection:outlet_detail", code=outlet.code)
    return render(request, template, {**context, "form": form}, status=400 if form.errors else 200)


def _button(request: HttpRequest, outlet: Outlet, act: Act) -> HttpResponse:
    """A button on the outlet's page: ``act``, then the page again with its message or refusal."""
    try:
        _outlet, message = act()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, message)
    return redirect("collection:outlet_detail", code=outlet.code)


def _name(user: Any) -> str:
    return str(user.full_name or user.email)


@login_required
def outlet_list(request: HttpRequest) -> HttpResponse:
    entities = list(selectors.outlet_entities(request.user))
    if not entities:
        raise Http404
    return render(
        request,
        "collection/outlet/manage/list.html",
        {"outlets": selectors.outlets_managed(request.user), "entities": entities},
    )


@login_required
def outlet_create(request: HttpRequest) -> HttpResponse:
    entities = selectors.outlet_entities(request.user)
    if not entities:
        raise Http404
    default_days = Outlet._meta.get_field("open_days").get_default()
    form = OutletForm(
        request.POST or None,
        entities=entities,
        initial={"opens_at": "08:00", "closes_at": "14:00", "open_days": default_days},
    )

    def act() -> tuple[Outlet, str]:
        data = form.cleaned_data
        outlet = services.outlet_create(
            entity=data["entity"], code=data["code"], details=form.details(), actor=request.user, request=request
        )
        message = _("Outlet %(name)s created. Add its card terminals and assign its cashiers, then open it.")
        return outlet, message % {"name": outlet.name}

    return _form_page(request, form, "collection/outlet/manage/form.html", {"outlet": None}, act)


def _detail(
    request: HttpRequest, outlet: Outlet, *, assign_form: AssignCashierForm | None = None, status: int = 200
) -> HttpResponse:
    cashiers = selectors.cashiers_assignable(outlet)
    return render(
        request,
        "collection/outlet/manage/detail.html",
        {
            "outlet": outlet,
            "terminals": selectors.outlet_terminals(outlet),
            "assignments": selectors.outlet_assignments(outlet),
            "assign_form": assign_form or AssignCashierForm(cashiers=cashiers),
            "can_assign": cashiers.exists(),
            "problems": services.outlet_readiness(outlet),
            "events": selectors.outlet_history(outlet),
        },
        status=status,
    )


@login_required
def outlet_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _detail(request, selectors.outlet_managed_or_404(request.user, code))


@login_required
def outlet_edit(request: HttpRequest, code: str) -> HttpResponse:
    outlet = selectors.outlet_managed_or_404(request.user, code)
    initial = {name: getattr(outlet, name) for name in OutletForm.base_fields if hasattr(outlet, name)}
    form = OutletForm(request.POST or None, initial=initial)

    def act() -> tuple[Outlet, str]:
        services.outlet_update(outlet=outlet, details=form.details(), actor=request.user, request=request)
        return outlet, _("The outlet's details are saved.")

    return _form_page(request, form, "collection/outlet/manage/form.html", {"outlet": outlet}, act)


@login_required
@require_POST
def outlet_open(request: HttpRequest, code: str) -> HttpResponse:
    outlet = selectors.outlet_managed_or_404(request.user, code)

    def act() -> tuple[Outlet, str]:
        services.outlet_open(outlet=outlet, actor=request.user, request=request)
        message = _("%(name)s is open: its cashiers can take payments and citizens see it.")
        return outlet, message % {"name": outlet.name}

    return _button(request, outlet, act)


@login_required
def outlet_close(request: HttpRequest, code: str) -> HttpResponse:
    """A confirmation page naming what closing does, then the closing itself."""
    outlet = selectors.outlet_managed_or_404(request.user, code)
    if outlet.status == OutletStatus.CLOSED:
        return redirect("collection:outlet_detail", code=outlet.code)
    form = ReasonForm(request.POST or None)

    def act() -> tuple[Outlet, str]:
        reason = form.cleaned_data["reason"]
        services.outlet_close(outlet=outlet, reason=reason, actor=request.user, request=request)
        return outlet, _("%(name)s is closed.") % {"name": outlet.name}

    return _form_page(request, form, "collection/outlet/manage/close.html", {"outlet": outlet}, act)


@login_required
def terminal_add(request: HttpRequest, code: str) -> HttpResponse:
    outlet = selectors.outlet_managed_or_404(request.user, code)
    form = TerminalForm(request.POST or None)

    def act() -> tuple[Outlet, str]:
        terminal = services.terminal_add(outlet=outlet, actor=request.user, request=request, **form.cleaned_data)
        return outlet, _("Terminal %(terminal)s added.") % {"terminal": terminal.terminal_id}

    return _form_page(request, form, "collection/outlet/manage/terminal_add.html", {"outlet": outlet}, act)


def _terminal(request: HttpRequest, code: str, pk: int) -> Terminal:
    outlet = selectors.outlet_managed_or_404(request.user, code)
    terminal = get_object_or_404(Terminal, outlet=outlet, pk=pk)
    terminal.outlet = outlet  # with its readiness counts
    return terminal


@login_required
def terminal_close(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """A confirmation page naming what closing the terminal does, then the closing itself."""
    terminal = _terminal(request, code, pk)
    if not terminal.is_open:
        return redirect("collection:outlet_detail", code=code)
    form = ReasonForm(request.POST or None)

    def act() -> tuple[Outlet, str]:
        reason = form.cleaned_data["reason"]
        services.terminal_close(terminal=terminal, reason=reason, actor=request.user, request=request)
        return terminal.outlet, _("Terminal %(terminal)s is closed.") % {"terminal": terminal.terminal_id}

    context = {"outlet": terminal.outlet, "terminal": terminal}
    return _form_page(request, form, "collection/outlet/manage/terminal_close.html", context, act)


@login_required
@require_POST
def terminal_reopen(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    terminal = _terminal(request, code, pk)

    def act() -> tuple[Outlet, str]:
        services.terminal_reopen(terminal=terminal, actor=request.user, request=request)
        return terminal.outlet, _("Terminal %(terminal)s is open again.") % {"terminal": terminal.terminal_id}

    return _button(request, terminal.outlet, act)


@login_required
@require_POST
def cashier_assign(request: HttpRequest, code: str) -> HttpResponse:
    outlet = selectors.outlet_managed_or_404(request.user, code)
    form = AssignCashierForm(request.POST, cashiers=selectors.cashiers_assignable(outlet))
    if form.is_valid():
        cashier = form.cleaned_data["cashier"]
        try:
            services.cashier_assign(outlet=outlet, cashier=cashier, actor=request.user, request=request)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            message = _("%(name)s now works at %(outlet)s.") % {"name": _name(cashier), "outlet": outlet.name}
            messages.success(request, message)
            return redirect("collection:outlet_detail", code=outlet.code)
    return _detail(request, outlet, assign_form=form, status=400)


@login_required
@require_POST
def cashier_unassign(request: HttpRequest, code: str, user_pk: int) -> HttpResponse:
    outlet = selectors.outlet_managed_or_404(request.user, code)
    cashier = get_object_or_404(selectors.outlet_assignments(outlet), cashier_id=user_pk).cashier

    def act() -> tuple[Outlet, str]:
        services.cashier_unassign(outlet=outlet, cashier=cashier, actor=request.user, request=request)
        return outlet, _("%(name)s no longer works at %(outlet)s.") % {"name": _name(cashier), "outlet": outlet.name}

    return _button(request, outlet, act)
