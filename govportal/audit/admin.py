from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from govportal.audit.labels import action_label, known_actions
from govportal.audit.models import AuditEvent
from govportal.web.admin import RecordAdmin


class ActionFilter(admin.SimpleListFilter):
    """The actions the portal names, without reading the whole log for its distinct values."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return known_actions()

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(RecordAdmin):
    """The log is append-only everywhere, the admin included."""

    list_display = ["id", "at", "what", "actor_label", "entity", "target_label", "ip"]
    list_filter = [ActionFilter]
    search_fields = ["action__exact", "actor_label__exact", "target_id__exact", "target_label__exact", "=entity__code"]
    list_select_related = ["entity"]
    date_hierarchy = "at"
    show_full_result_count = False

    @admin.display(description=_("action"), ordering="action")
    def what(self, event: AuditEvent) -> str:
        return action_label(event.action)
