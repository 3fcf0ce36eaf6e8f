from django.contrib import admin

from govportal.audit.models import AuditEvent
from govportal.web.admin import RecordAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(RecordAdmin):
    """The log is append-only everywhere, the admin included."""

    list_display = ["id", "at", "action", "actor_label", "entity", "target_label", "ip"]
    list_filter = ["action"]
    search_fields = ["action__exact", "actor_label__exact", "target_id__exact", "target_label__exact", "=entity__code"]
    list_select_related = ["entity"]
    date_hierarchy = "at"
    show_full_result_count = False
