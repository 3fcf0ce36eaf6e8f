from typing import Any

from allauth.account.models import EmailAddress
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
class CitizenProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "masked_national_id", "phone", "created_at"]
    search_fields = ["user__email", "user__full_name", "national_id", "phone"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]
