"""The admin's shared parts: the read-only base for records, and record actions that run a
service behind a confirmation page.

What each admin lets an administrator do follows one rule:

* **Configuration is edited in the admin**: what an administrator sets up and nothing signed,
  numbered or paid depends on (entities and rollout phases, accounts and their roles,
  training programmes and sessions). Saving calls the service a staff page would call where
  one exists, so the change is audited.
* **Records are read-only** (``RecordAdmin``): everything signed or printed (certificates,
  receipts, statements, letters, verifiable artifacts, signing keys), everything about money
  (bills, payments, allocations, refunds, settlements and settlement rows, provider events,
  loans, schedules, installments, outlets' payments) and every log or register kept by a
  service (audit events, counters, notifications, imports, requests, nominations and places).
  They cannot be added, changed or deleted here, whatever the account's permissions: a record
  changed by hand would disagree with its signature, its audit trail or the money.
* **What an operator may do to a record is a record action** (``RecordAction``): it calls the
  same service the staff pages call, which checks the operator's role and writes the audit
  event. Actions that cannot be undone first show a confirmation page naming the consequences
  (GET shows it, POST with ``confirm`` runs it, like Django's delete confirmation); actions that
  need an answer (a reason, a resolution) ask for it on the same page. A record action is offered
  to superusers only; the service may ask more (a head's role at the issuing entity, say), and a
  superuser without that role is refused with the reason, not let through.
* **Personal data is not shown in full** where the portal masks it or audits its reading:
  national ID numbers are masked (``masked``), and uploaded scans, letter texts, birth dates,
  PDFs, key material and MFA secrets are left out of the pages altogether.
* **Big tables** (payments, settlement rows, artifacts, audit events, installments…) set
  ``show_full_result_count = False`` and search by exact references only, so a changelist never
  counts or scans the whole table twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation, helpers
from django.contrib.admin.options import Action
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from govportal.accounts.models import User
from govportal.verification.services import mask_id

# How many records one action may touch at once: each is a service call (some call a provider).
ACTION_LIMIT = 100


# The navigation sidebar took a quarter of the width from dense changelists (columns were cut at
# 1280 px); the breadcrumbs and the index lead everywhere.
admin.site.enable_nav_sidebar = False


def operator(request: HttpRequest) -> User:
    """The administrator acting (the admin's views are for signed-in staff only)."""
    return cast(User, request.user)


def masked(number: str | None) -> str:
    """A national ID number as the portal shows it: only its last four digits (kept left to right)."""
    return format_html('<bdi dir="ltr">{}</bdi>', mask_id(number)) if number else ""


def dinars(model: type[models.Model], field: str) -> Callable[[Any], str]:
    """A changelist column showing an amount in IQD with thousands separators, under the field's name."""

    @admin.display(description=getattr(model._meta.get_field(field), "verbose_name", field), ordering=field)
    def column(obj: Any) -> str:
        value = getattr(obj, field)
        return "" if value is None else f"{value:,}"

    column.__name__ = f"{field}_dinars"
    return column


@admin.display(description=_("PDF stored"), boolean=True)
def has_pdf(obj: Any) -> bool:
    return bool(obj.pdf)


class ReasonForm(forms.Form):
    """The one question of most record actions: why."""

    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


@dataclass(frozen=True)
class RecordAction:
    """Something an operator may do to a record, through the service the staff pages call.

    ``run(request, obj, data)`` does it for one record with the confirmation form's cleaned data
    and raises ``ValidationError`` (shown beside the record) or ``PermissionDenied`` (the reason is
    ``who``). ``consequences`` not empty (or a ``form``) puts a confirmation page before it.
    """

    name: str
    label: str | Promise  # the action menu: "Revoke the selected certificates"
    button: str | Promise  # the record's own page: "Revoke this certificate"
    run: Callable[[HttpRequest, Any, dict[str, Any]], object]
    done: Callable[[int], str]  # the message after, with ngettext
    applies: Callable[[Any], bool] = lambda obj: True
    consequences: Sequence[str | Promise] = ()
    form: type[forms.Form] | None = None
    confirm: str | Promise = _("Yes, go ahead")
    who: str | Promise = ""  # who may do it, when the service asks for more than a superuser
    not_applicable: str | Promise = _("The action does not apply to it.")

    @property
    def confirmed_first(self) -> bool:
        return bool(self.consequences) or self.form is not None


class NoWrites:
    """Refuses adding, changing and deleting, whatever the account's permissions."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(NoWrites, admin.ModelAdmin):
    """A record: shown, never added, changed or deleted here (see the module's docstring)."""


class ReadOnlyInline(NoWrites, admin.TabularInline):
    """Rows of a record shown on its page, read-only like the record."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [str(name) for name in self.get_fields(request, obj)]


class RecordActionsMixin(admin.ModelAdmin):
    """Offers ``record_actions`` in the changelist's menu and as buttons on each record's page."""

    record_actions: Sequence[RecordAction] = ()
    change_form_template = "admin/record_change_form.html"

    # --- who, and which ------------------------------------------------------------------

    def record_label(self, obj: Any) -> str:
        """How a record is named on the confirmation page and in messages."""
        return str(obj)

    def has_operate_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    def _record_action(self, name: str) -> RecordAction:
        for action in self.record_actions:
            if action.name == name:
                return action
        raise Http404

    def get_actions(
        self, request: HttpRequest, action_location: ActionLocation = ActionLocation.CHANGE_LIST
    ) -> dict[str, Any]:
        actions = super().get_actions(request, action_location=action_location)
        # A record's own page has its buttons (only the actions that apply to it) instead.
        if action_location == ActionLocation.CHANGE_LIST and self.has_operate_permission(request):
            for action in self.record_actions:
                actions[action.name] = Action(
                    func=self._changelist_action(action),
                    name=action.name,
                    description=str(action.label),
                    plural_description=str(action.label),
                    locations=[ActionLocation.CHANGE_LIST],
                )
        return actions

    def _changelist_action(self, action: RecordAction) -> Callable[..., HttpResponse | None]:
        def run(modeladmin: RecordActionsMixin, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
            return modeladmin.record_action_changelist(request, queryset, action)

        return run

    # --- the two ways in: the changelist's menu, and a record's own page ----------------------

    def get_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<path:object_id>/do/<slug:name>/",
                self.admin_site.admin_view(self.record_action_view),
                name="{}_{}_record_action".format(*info),
            )
        ]
        return own + super().get_urls()

    def record_action_changelist(
        self, request: HttpRequest, queryset: QuerySet[Any], action: RecordAction
    ) -> HttpResponse | None:
        if not self.has_operate_permission(request):
            raise PermissionDenied
        objects = list(queryset[: ACTION_LIMIT + 1])
        if len(objects) > ACTION_LIMIT:
            self.message_user(
                request,
                ngettext(
                    "Choose at most %(count)d record at a time.",
                    "Choose at most %(count)d records at a time.",
                    ACTION_LIMIT,
                )
                % {"count": ACTION_LIMIT},
                messages.ERROR,
            )
            return None
        return self._confirm_or_run(request, objects, action, back=None)

    def record_action_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        action = self._record_action(name)
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not (self.has_view_permission(request, obj) and self.has_operate_permission(request)):
            raise PermissionDenied
        back = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        response = self._confirm_or_run(request, [obj], action, back=back)
        return response or HttpResponseRedirect(back)

    def _confirm_or_run(
        self, request: HttpRequest, objects: list[Any], action: RecordAction, *, back: str | None
    ) -> HttpResponse | None:
        """GET (or the changelist's first POST) shows the page; POST with ``confirm`` runs it."""
        confirming = request.method == "POST" and "confirm" in request.POST
        if not action.confirmed_first and back is None:
            self._execute(request, objects, action, {})
            return None
        form = action.form(request.POST if confirming else None) if action.form else None
        if confirming and (form is None or form.is_valid()):
            self._execute(request, objects, action, form.cleaned_data if form else {})
            return None
        applicable = [(obj, self.record_label(obj)) for obj in objects if action.applies(obj)]
        context = {
            **self.admin_site.each_context(request),
            "title": action.label if back is None else action.button,
            "subtitle": None,
            "opts": self.opts,
            "action": action,
            "applicable": applicable,
            "left_alone": [self.record_label(obj) for obj in objects if not action.applies(obj)],
            "form": form,
            "back": back or reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
            "from_changelist": back is None,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected": objects,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/record_action_confirmation.html", context)

    def _execute(self, request: HttpRequest, objects: list[Any], action: RecordAction, data: dict[str, Any]) -> None:
        done = skipped = 0
        for obj in objects:
            if not action.applies(obj):
                skipped += 1
                continue
            try:
                action.run(request, obj, data)
            except PermissionDenied:
                self.message_user(
                    request,
                    gettext("%(record)s: refused. %(who)s") % {"record": self.record_label(obj), "who": action.who},
                    messages.ERROR,
                )
            except ValidationError as error:
                self.message_user(request, f"{self.record_label(obj)}: {' '.join(error.messages)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, action.done(done), messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected record was left as it was: %(why)s",
                    "%(count)d selected records were left as they were: %(why)s",
                    skipped,
                )
                % {"count": skipped, "why": action.not_applicable},
                messages.WARNING,
            )

    # --- the record's page ------------------------------------------------------------------

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        buttons = []
        if self.has_operate_permission(request) and self.record_actions:
            obj = self.get_object(request, object_id)
            if obj is not None:
                info = self.opts.app_label, self.opts.model_name
                buttons = [
                    {
                        "action": action,
                        "url": reverse("admin:{}_{}_record_action".format(*info), args=[obj.pk, action.name]),
                    }
                    for action in self.record_actions
                    if action.applies(obj)
                ]
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "record_buttons": buttons})


class RecordAdmin(RecordActionsMixin, ReadOnlyAdmin):
    """The base of every read-only record's admin, with its record actions."""


# --- rendering a stored PDF again -----------------------------------------------------------------


def pdf_render_again_action(*, replaced: str | Promise, done: Callable[[int], str]) -> RecordAction:
    """The record action that renders a signed record's PDF again (receipts, certificates…),
    through ``govportal.pdf.pdf_render(force=True)``, which audits it as ``pdf_rerender``.

    ``replaced`` names the first consequence for the app's noun ("The stored PDF of each
    receipt is replaced…"). The signature covers the content, not the PDF's bytes, so the QR code
    and any copy already downloaded stay valid.
    """
    from govportal.pdf.services import pdf_render

    return RecordAction(
        name="render_pdf",
        label=_("Render the PDF of the selected records again"),
        button=_("Render the PDF again"),
        run=lambda request, obj, data: pdf_render(instance=obj, force=True, actor=operator(request), request=request),
        done=done,
        consequences=[
            replaced,
            _("The signed content and the QR code do not change: copies already printed or downloaded stay valid."),
            _("The previous file is deleted and cannot be recovered."),
        ],
        confirm=_("Yes, render again"),
    )


# Django admin strings whose Arabic is missing from Django's catalogue ("Run", "Search …", the
# date hierarchy's and pagination's labels) or wrong in it; listed so that makemessages keeps them
# in ours, which takes precedence.
TERMS = [
    gettext_noop("- Select an option -"),  # Django's blank choice, new in 6.1 (every select in the admin)
    gettext_noop("Run"),
    gettext_noop("Search %(name)s"),
    gettext_noop("Filter by %(field_name)s"),
    gettext_noop("Pagination %(name)s"),
    gettext_noop("Pagination %(name)s entries"),
    gettext_noop(", "),
    gettext_noop('The app "%s" could not be found.'),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would result in deleting "
        "related objects, but your account doesn't have permission to delete the "
        "following types of objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would require deleting the "
        "following protected related objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the %(object_name)s “%(escaped_object)s”? All "
        "of the following related items will be deleted:"
    ),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("No, take me back"),
    gettext_noop("You don’t have permission to view or edit anything."),
    gettext_noop("Database error"),
    gettext_noop("Logout"),
    ngettext_lazy("…and %(count)d more object.", "…and %(count)d more objects.", "count"),
]
