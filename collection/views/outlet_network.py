"""The collecting entity's head runs its outlets: list, set up and change, open and close, card
terminals, cashiers. Another entity's outlet, or these pages for anyone but a head of a
collecting entity, are a 404. (The public list of open outlets is ``outlet_directory``.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collection import selectors, services
from collection.constants import OutletStatus
from collection.forms import AssignCashierForm, OutletForm, ReasonForm, TerminalForm
from collection.models import Outlet, Terminal
from govportal.accounts.models import User
from govportal.web.forms import apply_service_errors
from govportal.web.http import AuthenticatedHttpRequest as HttpRequest


def _error_message(error: ValidationError) -> str:
    return " ".join(error.messages)


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
    form = OutletForm(request.POST or None, entities=entities, initial={"opens_at": "08:00", "closes_at": "14:00"})
    if not request.POST:
        form.initial["open_days"] = Outlet._meta.get_field("open_days").get_default()
    if request.method == "POST" and form.is_valid():
        try:
            outlet = services.outlet_create(
                entity=form.cleaned_data["entity"],
                code=form.cleaned_data["code"],
                details=form.details(),
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Outlet %(name)s created. Add its card terminals and assign its cashiers, then open it.")
                % {"name": outlet.name},
            )
            return redirect("collection:outlet_detail", code=outlet.code)
    return render(
        request,
        "collection/outlet/manage/form.html",
        {"form": form, "outlet": None},
        status=400 if form.errors else 200,
    )


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
    if request.method == "POST" and form.is_valid():
        try:
            services.outlet_update(outlet=outlet, details=form.details(), actor=request.user, request=request)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The outlet's details are saved."))
            return redirect("collection:outlet_detail", code=outlet.code)
    return render(
        request,
        "collection/outlet/manage/form.html",
        {"form": form, "outlet": outlet},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def outlet_open(request: HttpRequest, code: str) -> HttpResponse:
    outlet = selectors.outlet_managed_or_404(request.user, code)
    try:
        services.outlet_open(outlet=outlet, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _error_message(error))
    else:
        messages.success(
            request, _("%(name)s is open: its cashiers can take payments and citizens see it.") % {"name": outlet.name}
        )
    return redirect("collection:outlet_detail", code=outlet.code)


@login_required
def outlet_close(request: HttpRequest, code: str) -> HttpResponse:
    """A confirmation page naming what closing does, then the closing itself."""
    outlet = selectors.outlet_managed_or_404(request.user, code)
    if outlet.status == OutletStatus.CLOSED:
        return redirect("collection:outlet_detail", code=outlet.code)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.outlet_close(
                outlet=outlet, reason=form.cleaned_data["reason"], actor=request.user, request=request
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is closed.") % {"name": outlet.name})
            return redirect("collection:outlet_detail", code=outlet.code)
    return render(
        request,
        "collection/outlet/manage/close.html",
        {"outlet": outlet, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def terminal_add(request: HttpRequest, code: str) -> HttpResponse:
    outlet = selectors.outlet_managed_or_404(request.user, code)
    form = TerminalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            terminal = services.terminal_add(outlet=outlet, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Terminal %(terminal)s added.") % {"terminal": terminal.terminal_id})
            return redirect("collection:outlet_detail", code=outlet.code)
    return render(
        request,
        "collection/outlet/manage/terminal_add.html",
        {"outlet": outlet, "form": form},
        status=400 if form.errors else 200,
    )


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
    if request.method == "POST" and form.is_valid():
        try:
            services.terminal_close(
                terminal=terminal, reason=form.cleaned_data["reason"], actor=request.user, request=request
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Terminal %(terminal)s is closed.") % {"terminal": terminal.terminal_id})
            return redirect("collection:outlet_detail", code=code)
    return render(
        request,
        "collection/outlet/manage/terminal_close.html",
        {"outlet": terminal.outlet, "terminal": terminal, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def terminal_reopen(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    terminal = _terminal(request, code, pk)
    try:
        services.terminal_reopen(terminal=terminal, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _error_message(error))
    else:
        messages.success(request, _("Terminal %(terminal)s is open again.") % {"terminal": terminal.terminal_id})
    return redirect("collection:outlet_detail", code=code)


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
            messages.success(
                request,
                _("%(name)s now works at %(outlet)s.")
                % {"name": cashier.full_name or cashier.email, "outlet": outlet.name},
            )
            return redirect("collection:outlet_detail", code=outlet.code)
    return _detail(request, outlet, assign_form=form, status=400)


@login_required
@require_POST
def cashier_unassign(request: HttpRequest, code: str, user_pk: int) -> HttpResponse:
    outlet = selectors.outlet_managed_or_404(request.user, code)
    assignment = get_object_or_404(selectors.outlet_assignments(outlet), cashier_id=user_pk)
    cashier: User = assignment.cashier
    services.cashier_unassign(outlet=outlet, cashier=cashier, actor=request.user, request=request)
    messages.success(
        request,
        _("%(name)s no longer works at %(outlet)s.")
        % {"name": cashier.full_name or cashier.email, "outlet": outlet.name},
    )
    return redirect("collection:outlet_detail", code=outlet.code)
