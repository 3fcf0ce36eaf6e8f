from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from govportal.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only everywhere, the admin included."""

    list_display = ["id", "at", "action", "actor_label", "entity", "target_label", "ip"]
    list_filter = ["action", ("at", admin.DateFieldListFilter)]
    search_fields = ["action", "actor_label", "target_label", "target_id", "entity__code", "entity__name_ar"]
    list_select_related = ["entity"]
    date_hierarchy = "at"
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
