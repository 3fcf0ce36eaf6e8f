"""Letters are records (read-only, see govportal.web.admin): every write goes through
documents.services (numbers, signatures, audit, notifications)."""

from django.contrib import admin

from documents.models import Attachment, Letter, LetterRecipient, Referral, RegisterExport
from govportal.web.admin import ReadOnlyInline, RecordAdmin


class RecipientInline(ReadOnlyInline):
    model = LetterRecipient
    fields = ("entity", "kind", "delivery_mode", "delivered_at", "incoming_number", "registered_at")


@admin.register(Letter)
class LetterAdmin(RecordAdmin):
    list_display = ["number", "subject", "sender_entity", "status", "classification", "priority", "dispatched_at"]
    list_filter = ["status", "classification", "priority", "received_on_paper"]
    search_fields = ["=number", "subject"]
    list_select_related = ["sender_entity"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    # The text is left out: reading a confidential letter is audited, and only through the portal.
    exclude = ["body", "search_text", "named_readers"]
    inlines = [RecipientInline]


@admin.register(LetterRecipient)
class LetterRecipientAdmin(RecordAdmin):
    list_display = ["letter", "entity", "kind", "delivery_mode", "delivered_at", "incoming_number", "registered_at"]
    list_filter = ["kind", "delivery_mode"]
    search_fields = ["incoming_number__exact", "=letter__number", "=entity__code"]
    list_select_related = ["letter", "entity"]
    date_hierarchy = "dispatched_at"
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(RecordAdmin):
    list_display = ["name", "letter", "content_type", "size", "added_at"]
    search_fields = ["name", "sha256__exact", "=letter__number"]
    list_select_related = ["letter"]
    date_hierarchy = "added_at"
    # The file itself is served only by the permission-checked view, never by a storage URL.
    exclude = ["file"]


@admin.register(Referral)
class ReferralAdmin(RecordAdmin):
    list_display = ["recipient", "referred_to", "due", "created_at", "closed_at"]
    list_filter = [("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["=recipient__letter__number", "=referred_to__email"]
    list_select_related = ["recipient__letter", "recipient__entity", "referred_to"]
    date_hierarchy = "created_at"


@admin.register(RegisterExport)
class RegisterExportAdmin(RecordAdmin):
    list_display = ["entity", "kind", "requested_by", "status", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    search_fields = ["=entity__code", "requested_by__email"]
    list_select_related = ["entity", "requested_by"]
    date_hierarchy = "created_at"
    # The printout copies subjects that may be confidential: only its requester downloads it.
    exclude = ["file"]
