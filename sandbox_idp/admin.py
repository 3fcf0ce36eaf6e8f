from django.contrib import admin

from sandbox_idp.models import Client, Identity, SigningKey


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["client_id", "name", "created_at"]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["national_id", "full_name", "governorate", "birth_date"]
    search_fields = ["national_id", "full_name"]
    readonly_fields = ["sub", "password"]


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ["generation", "kid", "created_at"]
    exclude = ["private_jwk"]
    readonly_fields = ["generation", "kid", "created_at"]
