"""Read-only admin: every write to letters goes through documents.services (numbers, audit, notifications)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from documents.models import Attachment, Letter, LetterRecipient, Referral


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecipientInline(admin.TabularInline):
    model = LetterRecipient
    extra = 0
    fields = readonly_fields = ("entity", "kind", "delivery_mode", "delivered_at", "incoming_number", "registered_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["number", "subject", "sender_entity", "status", "classification", "priority", "dispatched_at"]
    list_filter = ["status", "classification", "priority", "received_on_paper"]
    search_fields = ["number", "subject"]
    list_select_related = ["sender_entity"]
    date_hierarchy = "created_at"
    # The text is left out: reading a confidential letter is audited, and only through the portal.
    exclude = ["body", "search_text", "named_readers"]
    inlines = [RecipientInline]


@admin.register(LetterRecipient)
class LetterRecipientAdmin(ReadOnlyAdmin):
    list_display = ["letter", "entity", "kind", "delivery_mode", "delivered_at", "incoming_number", "registered_at"]
    list_filter = ["kind", "delivery_mode"]
    search_fields = ["incoming_number", "letter__number"]
    list_select_related = ["letter", "entity"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "letter", "content_type", "size", "added_at"]
    search_fields = ["name", "sha256", "letter__number"]
    # The file itself is served only by the permission-checked view, never by a storage URL.
    exclude = ["file"]
    list_select_related = ["letter"]


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "referred_to", "due", "created_at", "closed_at"]
    list_filter = ["closed_at"]
    list_select_related = ["recipient__letter", "recipient__entity", "referred_to"]
