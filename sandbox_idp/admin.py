"""The sandbox provider's records, read-only: ``sandbox_idp_demo`` makes its client and people,
``sandbox_idp_rotate_keys`` its keys; codes and tokens are made by sign-ins."""

from django.contrib import admin

from govportal.web.admin import ReadOnlyAdmin
from sandbox_idp.models import AccessToken, AuthorizationCode, Client, Identity, SigningKey


@admin.register(Client)
class ClientAdmin(ReadOnlyAdmin):
    list_display = ["client_id", "name", "created_at"]
    search_fields = ["=client_id", "name"]
    exclude = ["client_secret"]
    date_hierarchy = "created_at"


@admin.register(Identity)
class IdentityAdmin(ReadOnlyAdmin):
    list_display = ["national_id", "full_name", "governorate", "birth_date"]
    search_fields = ["=national_id", "full_name"]
    exclude = ["password", "shown_password"]
    date_hierarchy = "created_at"


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ["generation", "kid", "created_at"]
    exclude = ["private_jwk"]
    date_hierarchy = "created_at"


@admin.register(AuthorizationCode)
class AuthorizationCodeAdmin(ReadOnlyAdmin):
    list_display = ["client", "identity", "acr", "created_at", "used_at"]
    list_select_related = ["client", "identity"]
    exclude = ["code", "code_challenge"]
    date_hierarchy = "created_at"


@admin.register(AccessToken)
class AccessTokenAdmin(ReadOnlyAdmin):
    list_display = ["client", "identity", "issued_at", "revoked"]
    list_select_related = ["client", "identity"]
    exclude = ["access_token"]
    date_hierarchy = "issued_at"
