from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from govportal.numbering.models import Counter


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    """Read-only: numbers are taken by services; editing one by hand would break gaplessness."""

    list_display = ["entity", "register", "year", "value"]
    list_filter = ["register", "year"]
    search_fields = ["entity__code", "entity__name_ar"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
