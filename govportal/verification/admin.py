from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from govportal.verification.models import Artifact, SigningKey


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    """Keys are created, rotated and revoked with management commands (audited), not edited here."""

    list_display = ["kid", "entity", "status", "created_at", "retired_at", "revoked_at"]
    list_filter = ["status"]
    search_fields = ["kid", "entity__code", "entity__name_ar"]
    exclude = ["private_key_encrypted"]
    readonly_fields = [
        "kid",
        "entity",
        "algorithm",
        "public_jwk",
        "status",
        "created_at",
        "retired_at",
        "revoked_at",
        "revoked_reason",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Artifact)
class ArtifactAdmin(admin.ModelAdmin):
    list_display = ["serial", "kind", "entity", "issued_at", "status", "verify_count"]
    list_filter = ["kind", "status"]
    search_fields = ["serial", "entity__code"]
    list_select_related = ["entity"]
    date_hierarchy = "issued_at"
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
