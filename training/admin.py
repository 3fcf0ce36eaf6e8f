"""Programmes and sessions are configuration, edited here; every other write goes through training.services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from training.models import Attendance, Enrollment, Nomination, Programme, Quota, Session, Trainee, TrainingCertificate


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["code", "title_ar", "title_en", "system", "hours", "owner", "is_active"]
    list_filter = ["system", "is_active"]
    search_fields = ["code", "title_ar", "title_en"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["programme", "start_date", "end_date", "start_time", "end_time", "venue", "capacity", "trainer"]
    list_filter = ["programme"]
    date_hierarchy = "start_date"
    raw_id_fields = ["trainer"]
    list_select_related = ["programme", "trainer"]


@admin.register(Quota)
class QuotaAdmin(ReadOnlyAdmin):
    list_display = ["programme", "entity", "seats", "updated_at"]
    list_filter = ["programme"]
    list_select_related = ["programme", "entity"]


@admin.register(Trainee)
class TraineeAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "job_title", "entity", "email"]
    search_fields = ["full_name", "national_id", "email"]
    list_select_related = ["entity"]
    exclude = ["national_id"]


@admin.register(Nomination)
class NominationAdmin(ReadOnlyAdmin):
    list_display = ["trainee", "session", "entity", "status", "nominated_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["trainee", "session__programme", "entity"]


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ["trainee", "session", "status", "queue_number", "score", "enrolled_at", "cancelled_at"]
    list_filter = ["status"]
    list_select_related = ["trainee", "session__programme"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["enrollment", "day", "present", "method", "marked_at"]
    list_filter = ["present", "method"]


@admin.register(TrainingCertificate)
class TrainingCertificateAdmin(ReadOnlyAdmin):
    list_display = ["serial", "enrollment", "issuing_entity", "issued_at"]
    search_fields = ["serial"]
    exclude = ["pdf"]
