from django.contrib import admin

from govportal.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "text", "created_at", "read_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "message"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
