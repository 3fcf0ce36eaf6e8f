"""Programmes and sessions are configuration, edited here; every other model is a record
(read-only, see govportal.web.admin) written only through training.services."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from govportal.web.admin import RecordAdmin, has_pdf, masked, pdf_render_again_action
from training.models import Attendance, Enrollment, Nomination, Programme, Quota, Session, Trainee, TrainingCertificate


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "title_ar", "title_en", "system", "hours", "owner", "is_active"]
    list_filter = ["system", "is_active"]
    search_fields = ["code", "title_ar", "title_en"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]
    date_hierarchy = "created_at"


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["programme", "start_date", "end_date", "start_time", "end_time", "venue", "capacity", "trainer"]
    list_filter = ["programme"]
    search_fields = ["programme__code", "programme__title_ar", "programme__title_en", "venue"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["programme"]
    raw_id_fields = ["trainer"]
    list_select_related = ["programme", "trainer"]


@admin.register(Quota)
class QuotaAdmin(RecordAdmin):
    list_display = ["programme", "entity", "seats", "updated_at"]
    list_filter = ["programme"]
    search_fields = ["programme__code", "=entity__code"]
    list_select_related = ["programme", "entity"]
    date_hierarchy = "updated_at"


@admin.register(Trainee)
class TraineeAdmin(RecordAdmin):
    list_display = ["full_name", "job_title", "entity", "email", "national_id"]
    search_fields = ["full_name", "national_id__exact", "=email"]
    list_select_related = ["entity"]
    date_hierarchy = "created_at"
    exclude = ["national_id"]
    readonly_fields = ["national_id"]

    @admin.display(description=_("national ID number"))
    def national_id(self, trainee: Trainee) -> str:
        return masked(trainee.national_id)


@admin.register(Nomination)
class NominationAdmin(RecordAdmin):
    list_display = ["trainee", "session", "entity", "status", "nominated_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["trainee__full_name", "=entity__code", "session__programme__code"]
    list_select_related = ["trainee", "session__programme", "entity"]
    date_hierarchy = "nominated_at"


@admin.register(Enrollment)
class EnrollmentAdmin(RecordAdmin):
    list_display = ["trainee", "session", "status", "queue_number", "score", "enrolled_at", "cancelled_at"]
    list_filter = ["status"]
    search_fields = ["trainee__full_name", "session__programme__code"]
    list_select_related = ["trainee", "session__programme"]
    date_hierarchy = "created_at"


@admin.register(Attendance)
class AttendanceAdmin(RecordAdmin):
    list_display = ["enrollment", "day", "present", "method", "marked_at"]
    list_filter = ["present", "method"]
    search_fields = ["enrollment__trainee__full_name", "enrollment__session__programme__code"]
    list_select_related = ["enrollment__trainee", "enrollment__session__programme"]
    date_hierarchy = "day"


@admin.register(TrainingCertificate)
class TrainingCertificateAdmin(RecordAdmin):
    list_display = ["serial", "enrollment", "issuing_entity", "issued_at", has_pdf]
    list_filter = [("pdf", admin.EmptyFieldListFilter)]
    search_fields = ["serial__exact", "enrollment__trainee__full_name"]
    list_select_related = ["enrollment__trainee", "enrollment__session__programme", "issuing_entity"]
    date_hierarchy = "issued_at"
    exclude = ["pdf"]
    record_actions = [
        pdf_render_again_action(
            replaced=_(
                "The stored PDF of each selected training certificate is replaced by a new rendering of the "
                "certificate."
            ),
            done=lambda n: (
                ngettext(
                    "The PDF of %(count)d training certificate was rendered again.",
                    "The PDFs of %(count)d training certificates were rendered again.",
                    n,
                )
                % {"count": n}
            ),
        )
    ]
