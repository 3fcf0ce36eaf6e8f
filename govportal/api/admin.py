from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from govportal.api.models import NotificationDelivery
from govportal.api.notifications import notification_resend


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
