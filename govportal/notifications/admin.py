from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from govportal.notifications.models import Notification
from govportal.web.admin import RecordAdmin


@admin.register(Notification)
class NotificationAdmin(RecordAdmin):
    """What the portal told someone (its e-mail copy already sent): a record."""

    list_display = ["user", "shown_text", "created_at", "read_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["=user__email", "message"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description=_("message"))
    def shown_text(self, notification: Notification) -> str:
        return notification.text
