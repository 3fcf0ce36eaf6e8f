from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from govportal.entities.models import Entity, RolloutPhase
from govportal.entities.services import entity_create, entity_link, entity_move, entity_update, phase_open
from govportal.text import clauses_joined


class LinkedFilter(admin.SimpleListFilter):
    title = _("linkage")
    parameter_name = "linked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Linked")), ("no", _("Not linked yet"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Entity]) -> QuerySet[Entity]:
        if self.value() == "yes":
            return queryset.filter(linked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(linked_at__isnull=True)
        return queryset


class EntityAdminForm(forms.ModelForm):
    class Meta:
        model = Entity
        fields = ["code", "kind", "parent", "name_ar", "name_en", "name_ckb", "letter_number_format", "is_active"]

    def clean_parent(self) -> Entity | None:
        parent = self.cleaned_data.get("parent")
        if self.instance.pk and not self.instance.can_move_under(parent):
            raise forms.ValidationError(_("An entity cannot be placed under itself or one of its own sub-entities."))
        return parent


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    form = EntityAdminForm
    list_display = [
        "code",
        "name_ar",
        "name_en",
        "name_ckb",
        "kind",
        "parent",
        "linkage_phase",
        "linked_at",
        "is_active",
    ]
    list_filter = ["kind", "linkage_phase", LinkedFilter, "is_active"]
    search_fields = ["code", "name_ar", "name_en", "name_ckb"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "linkage_phase", "linked_at", "created_at"]
    actions = ["link_selected"]
    list_per_page = 50
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Entity | None = None) -> list[str]:
        # The code is part of every descendant's path and printed on letters: fixed once created.
        return [*self.readonly_fields, "code", "kind"] if obj else list(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Entity, form: Any, change: bool) -> None:
        if not change:
            created = entity_create(
                code=obj.code,
                kind=obj.kind,
                name_ar=obj.name_ar,
                name_en=obj.name_en,
                name_ckb=obj.name_ckb,
                parent=obj.parent,
                actor=request.user,
                request=request,
            )
            obj.pk = created.pk
            return
        if "parent" in form.changed_data:
            entity_move(entity=obj, parent=obj.parent, actor=request.user, request=request)
        entity_update(entity=obj, changed=form.changed_data, actor=request.user, request=request)

    @admin.action(description=_("Link the selected entities to electronic exchange"))
    def link_selected(self, request: HttpRequest, queryset: QuerySet[Entity]) -> None:
        linked = 0
        for entity in queryset.filter(linked_at__isnull=True):
            try:
                entity_link(entity=entity, actor=request.user, request=request)
                linked += 1
            except ValidationError as error:
                self.message_user(request, clauses_joined(error.messages), messages.ERROR)
        if linked:
            self.message_user(
                request,
                ngettext("%(count)d entity linked.", "%(count)d entities linked.", linked) % {"count": linked},
                messages.SUCCESS,
            )


@admin.register(RolloutPhase)
class RolloutPhaseAdmin(admin.ModelAdmin):
    list_display = ["number", "opened_at", "note"]
    readonly_fields = ["number", "opened_at"]
    actions = ["open_selected"]
    date_hierarchy = "opened_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Open the selected phases for linkage"))
    def open_selected(self, request: HttpRequest, queryset: QuerySet[RolloutPhase]) -> None:
        for phase in queryset:
            phase_open(number=phase.number, actor=request.user, request=request)
        self.message_user(request, _("The selected phases are open."), messages.SUCCESS)
