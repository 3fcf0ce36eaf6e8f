from django.contrib import admin

from govportal.numbering.models import Counter
from govportal.web.admin import RecordAdmin


@admin.register(Counter)
class CounterAdmin(RecordAdmin):
    """Numbers are taken by services; editing one by hand would break gaplessness."""

    list_display = ["entity", "register", "year", "value"]
    list_filter = ["register", "year"]
    search_fields = ["=entity__code", "entity__name_ar"]
    list_select_related = ["entity"]
