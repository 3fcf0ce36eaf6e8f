from typing import Any

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from govportal.accounts.models import CitizenProfile, Membership, User
from govportal.accounts.services import membership_grant, membership_revoke
from govportal.audit.services import audit_record
from govportal.web.admin import ReadOnlyAdmin, RecordAdmin, masked


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["entity", "role", "title", "created_at"]
    readonly_fields = ["entity", "role", "title", "created_at"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # granted through the Memberships page, so that each grant is audited


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["email", "full_name", "citizen_profile__national_id"]
    readonly_fields = ["date_joined", "last_login"]
    inlines = [MembershipInline]
    date_hierarchy = "date_joined"
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # An account made by an administrator has a known, verified address.
        EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})
        changed = [name for name in form.changed_data if name not in {"password", "password1", "password2"}]
        if "password" in form.changed_data or "password1" in form.changed_data:
            changed.append("password")
        audit_record(
            action="user_change" if change else "user_create",
            actor=request.user,
            target=obj,
            data={
                "fields": changed,
                "is_staff": obj.is_staff,
                "is_superuser": obj.is_superuser,
                "is_active": obj.is_active,
            },
            request=request,
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if "groups" in form.changed_data or "user_permissions" in form.changed_data:
            audit_record(
                action="user_permissions_change",
                actor=request.user,
                target=form.instance,
                data={
                    "groups": sorted(form.instance.groups.values_list("name", flat=True)),
                    "permissions": sorted(form.instance.user_permissions.values_list("codename", flat=True)),
                },
                request=request,
            )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "entity", "role", "title", "created_at"]
    list_filter = ["role", "entity__kind"]
    search_fields = ["user__email", "user__full_name", "entity__code", "entity__name_ar", "entity__name_en"]
    autocomplete_fields = ["user", "entity"]
    list_select_related = ["user", "entity"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> list[str]:
        # Changing who or where is a revoke plus a new grant, so both are audited.
        return ["user", "entity", "role", "created_at"] if obj else ["created_at"]

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["title"])
            return
        created = membership_grant(
            user=obj.user, entity=obj.entity, role=obj.role, title=obj.title, actor=request.user, request=request
        )
        obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        membership_revoke(membership=obj, actor=request.user, request=request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("user", "entity"):
            membership_revoke(membership=membership, actor=request.user, request=request)


@admin.register(CitizenProfile)
class CitizenProfileAdmin(RecordAdmin):
    """Read-only: the national ID joins a citizen to their loans and bills, so it is set at sign-up
    (audited) and never edited by hand."""

    list_display = ["user", "national_id", "phone", "created_at"]
    search_fields = ["=user__email", "user__full_name", "national_id__exact", "phone__exact"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    exclude = ["national_id"]
    readonly_fields = ["national_id"]

    @admin.display(description=_("national ID number"))
    def national_id(self, profile: CitizenProfile) -> str:
        return masked(profile.national_id)


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(AllauthEmailAddressAdmin):
    list_select_related = ["user"]


# allauth's Authenticator has no verbose names: the admin showed "Authenticators", "user",
# "type" in English. They are named here, where they are shown.
Authenticator._meta.verbose_name = _("authenticator")
Authenticator._meta.verbose_name_plural = _("authenticators")
for _name, _label in {
    "user": _("user"),
    "type": _("type"),
    "data": _("data"),
    "created_at": _("created at"),
    "last_used_at": _("last used at"),
}.items():
    Authenticator._meta.get_field(_name).verbose_name = _label
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    """Read-only, except that an administrator may delete a staff member's authenticator (a
    lost phone): they must set up a new one at their next sign-in. Each deletion is audited."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["=user__email", "user__full_name"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    exclude = ["data"]  # the TOTP secret and the recovery codes

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.ModelAdmin.has_delete_permission(self, request, obj)  # the model permission, as usual

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: Authenticator) -> None:
        audit_record(
            action="mfa_remove",
            actor=request.user,
            target=obj.user,
            data={"type": obj.type, "by": "admin"},
            request=request,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Authenticator]) -> None:
        for authenticator in queryset.select_related("user"):
            self.delete_model(request, authenticator)


# National identities. Providers come from the environment only, and their tokens are not kept, so
# allauth's SocialApp and SocialToken have no admin; a link is a record, read-only like a profile.
admin.site.unregister(SocialApp)
admin.site.unregister(SocialToken)
admin.site.unregister(SocialAccount)
SocialAccount._meta.verbose_name = _("national identity link")
SocialAccount._meta.verbose_name_plural = _("national identity links")
for _name, _label in {
    "user": _("user"),
    "provider": _("identity provider"),
    "uid": _("identifier at the provider"),
    "last_login": _("last national sign-in"),
    "date_joined": _("linked at"),
    "extra_data": _("what the provider said"),
}.items():
    SocialAccount._meta.get_field(_name).verbose_name = _label


@admin.register(SocialAccount)
class NationalIdentityAdmin(ReadOnlyAdmin):
    list_display = ["user", "provider", "date_joined", "last_login"]
    list_filter = ["provider"]
    search_fields = ["=user__email", "user__full_name", "=uid"]
    list_select_related = ["user"]
    date_hierarchy = "date_joined"
    exclude = ["extra_data"]  # the ID token's claims: the national ID in clear
