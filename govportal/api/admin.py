"""API clients in the admin: listed, created (the secret shown once, in the message after), their
secret replaced or the client revoked through the services the entity's head uses (audited).
django-oauth-toolkit's own models are not listed: a client's application is part of it, and tokens
are short-lived."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

from govportal.api.models import ApiClient, IdempotencyKey, NotificationDelivery
from govportal.api.notifications import notification_resend
from govportal.api.scopes import SCOPES
from govportal.api.services import api_client_create, api_client_revoke, api_client_rotate
from govportal.web.admin import ReadOnlyAdmin, RecordAction, RecordAdmin

for _model in (Application, AccessToken, Grant, IDToken, RefreshToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class ApiClientAddForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=[(key, label) for key, label in SCOPES.items()], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiClient
        fields = ["entity", "name", "scopes"]


def _rotate(request: HttpRequest, client: ApiClient, data: dict[str, Any]) -> None:
    secret = api_client_rotate(client=client, actor=request.user, request=request)  # type: ignore[arg-type]
    messages.warning(
        request, _("New secret of %(client)s (shown once): %(secret)s") % {"client": client, "secret": secret}
    )


def _revoke(request: HttpRequest, client: ApiClient, data: dict[str, Any]) -> None:
    api_client_revoke(client=client, actor=request.user, request=request)  # type: ignore[arg-type]


@admin.register(ApiClient)
class ApiClientAdmin(RecordAdmin):
    list_display = ["name", "entity", "client_id", "scopes", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "=entity__code", "=application__client_id"]
    list_select_related = ["entity", "application"]
    date_hierarchy = "created_at"
    exclude = ["application"]
    readonly_fields = ["client_id"]
    record_actions = [
        RecordAction(
            name="rotate",
            label=_("Replace the secret of the selected clients"),
            button=_("Replace the secret"),
            run=_rotate,
            done=lambda n: (
                ngettext(
                    "The secret of %(count)d client was replaced.", "The secrets of %(count)d clients were replaced.", n
                )
                % {"count": n}
            ),
            applies=lambda client: client.is_active,
            consequences=[
                _(
                    "The current secret and every token issued with it stop working at once; "
                    "the new secret is shown once."
                )
            ],
            not_applicable=_("It is revoked."),
        ),
        RecordAction(
            name="revoke",
            label=_("Revoke the selected clients"),
            button=_("Revoke the client"),
            run=_revoke,
            done=lambda n: ngettext("%(count)d client revoked.", "%(count)d clients revoked.", n) % {"count": n},
            applies=lambda client: client.is_active,
            consequences=[_("Its tokens stop working at once and it cannot get new ones. This cannot be undone.")],
            not_applicable=_("It is revoked already."),
        ),
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            return ApiClientAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["entity", "name", "scopes"] if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else super().get_readonly_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        client, secret = api_client_create(
            entity=form.cleaned_data["entity"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        obj.pk = client.pk
        messages.warning(
            request, _("Secret of %(client)s (shown once): %(secret)s") % {"client": client, "secret": secret}
        )

    @admin.display(description=_("client ID"))
    def client_id(self, client: ApiClient) -> str:
        return client.client_id


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read only: a delivery changes only by being attempted or re-sent."""

    list_display = [
        "created_at",
        "event",
        "subject",
        "client",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    ]
    list_filter = ["status", "event"]
    search_fields = ["subject", "id", "client__name"]
    list_select_related = ["client__application"]
    date_hierarchy = "created_at"
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Send the chosen notifications again"), permissions=["view"])
    def resend(self, request: HttpRequest, queryset: QuerySet[NotificationDelivery]) -> None:
        deliveries = list(queryset)
        for delivery in deliveries:
            notification_resend(delivery=delivery, actor=request.user, request=request)  # type: ignore[arg-type]
        count = len(deliveries)
        self.message_user(
            request,
            ngettext("%(count)s notification queued again.", "%(count)s notifications queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    """The answers kept for clients' retries (24 hours), read-only."""

    list_display = ["key", "client", "response_status", "created_at"]
    search_fields = ["=key"]
    list_select_related = ["client__application"]
    date_hierarchy = "created_at"
    exclude = ["response_body"]
