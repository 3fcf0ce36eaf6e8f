from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from documents.constants import MAX_ATTACHMENT_BYTES, Classification, DeliveryMode, Priority
from documents.selectors import STAFF_ROLES
from documents.services import LetterContent, delivery_mode
from govportal.accounts.models import User
from govportal.audit.labels import person_name
from govportal.entities.constants import EntityKind
from govportal.entities.models import Entity
from govportal.search import normalize_arabic


class EntityLabelMixin:
    def label_from_instance(self, obj: Entity) -> str:
        return f"{obj.name} ({obj.code})"


class EntityChoiceField(EntityLabelMixin, forms.ModelChoiceField):
    pass


class EntitiesField(EntityLabelMixin, forms.ModelMultipleChoiceField):
    pass


def other_entities(entity: Entity) -> Any:
    return Entity.objects.filter(is_active=True).exclude(pk=entity.pk).select_related("parent").order_by("path")


# The picker's groups, in the order of the rollout: who is linked first comes first.
KIND_GROUPS = [
    (EntityKind.SECRETARIAT, pgettext_lazy("entities of a kind", "The General Secretariat")),
    (EntityKind.MINISTRY, pgettext_lazy("entities of a kind", "Ministries")),
    (EntityKind.NON_MINISTRY, pgettext_lazy("entities of a kind", "Entities not attached to a ministry")),
    (EntityKind.GOVERNORATE, pgettext_lazy("entities of a kind", "Governorates")),
    (EntityKind.DIRECTORATE, pgettext_lazy("entities of a kind", "Directorates")),
    (EntityKind.INSTITUTION, pgettext_lazy("entities of a kind", "Institutions")),
]
# A sample count for each plural category of Unicode CLDR, as the browser's Intl.PluralRules names them.
PLURAL_SAMPLES = {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 11, "other": 100}


def plural_forms(message: Callable[[int], str]) -> dict[str, str]:
    """A count's message (``message(n)``, an ngettext) in every plural category, ``{n}`` standing
    for the number, for the picker's script to choose from with the browser's Intl.PluralRules."""
    return {category: message(n) % {"count": "{n}"} for category, n in PLURAL_SAMPLES.items()}


class EntityPicker(forms.CheckboxSelectMultiple):
    """Recipients as checkboxes grouped by kind of entity, each tagged with how the letter will reach
    it (electronically or on paper, from ``Entity.can_exchange_with`` the sender), under a filter box
    and a count of those chosen that the picker's script keeps up to date (static/js/entity-picker.js).
    Without the script it is a plain list of checkboxes."""

    template_name = "documents/widgets/entity_picker.html"
    option_template_name = "documents/widgets/entity_picker_option.html"
    sender: Entity | None = None

    def optgroups(self, name: str, value: list[str], attrs: dict[str, Any] | None = None) -> list[Any]:
        by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind, _label in KIND_GROUPS}
        for index, (option_value, label) in enumerate(self.choices):
            option = self.create_option(name, option_value, str(label), str(option_value) in value, index, attrs=attrs)
            entity: Entity = option_value.instance  # type: ignore[union-attr]  # a ModelChoiceIteratorValue
            option["entity"] = entity
            option["mode"] = delivery_mode(self.sender, entity) if self.sender else DeliveryMode.PAPER
            names = [entity.name_ar, entity.name_en, entity.name_ckb, entity.code]
            if entity.parent is not None:
                names += [entity.parent.name_ar, entity.parent.name_en, entity.parent.name_ckb]
            option["search"] = normalize_arabic(" ".join(names))
            by_kind.setdefault(entity.kind, []).append(option)
        return [(label, by_kind[kind], i) for i, (kind, label) in enumerate(KIND_GROUPS) if by_kind[kind]]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["messages"] = json.dumps(
            {
                "none": gettext("No entity chosen yet."),
                "chosen": plural_forms(lambda n: ngettext("%(count)s entity chosen", "%(count)s entities chosen", n)),
                "electronic": plural_forms(
                    lambda n: ngettext("%(count)s electronically", "%(count)s electronically", n)
                ),
                "paper": plural_forms(lambda n: ngettext("%(count)s on paper", "%(count)s on paper", n)),
                "pattern": pgettext("chosen recipients", "%(chosen)s: %(electronic)s, %(paper)s"),
            }
        )
        return context


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return person_name(obj)


class LetterForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Text of the letter"), widget=forms.Textarea(attrs={"rows": 10}))
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=Classification.choices,
        help_text=_("Confidential and above: only the heads and named readers may open it."),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    reply_due = forms.DateField(
        label=_("Reply due by (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    to = EntitiesField(
        label=_("To"),
        queryset=Entity.objects.none(),
        widget=EntityPicker,
        help_text=_(
            "Choose one or more entities. Linked entities receive the letter electronically; "
            "the others on paper, printed and delivered by hand."
        ),
    )
    cc = EntitiesField(
        label=_("Copy to (optional)"),
        queryset=Entity.objects.none(),
        required=False,
        widget=EntityPicker,
    )
    readers = StaffMultipleChoiceField(
        label=_("Named readers (optional)"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Staff of your entity who may open the letter if it is confidential (heads always may)."),
    )
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False)

    def __init__(self, *args: Any, sender: Entity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        readers = self.fields["readers"]
        assert isinstance(readers, forms.ModelMultipleChoiceField)  # noqa: S101 — declared above
        readers.queryset = (
            User.objects.filter(memberships__entity=sender, is_active=True).distinct().order_by("full_name", "email")
        )
        for name in ("to", "cc"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101 — declared above
            field.queryset = other_entities(sender)
            field.widget.sender = sender  # an EntityPicker, declared above
        # Built here, not at import, so that it reads in the language of the request.
        self.fields["attachment"].help_text = gettext(
            "PDF, image (JPEG, PNG, TIFF) or office document, at most %(size)d MB. Add more from the letter's page."
        ) % {"size": MAX_ATTACHMENT_BYTES // (1024 * 1024)}

    def content(self) -> LetterContent:
        data = self.cleaned_data
        return LetterContent(
            subject=data["subject"],
            body=data["body"],
            classification=data["classification"],
            priority=data["priority"],
            reply_due=data["reply_due"],
            to=list(data["to"]),
            cc=list(data["cc"]),
            readers=list(data["readers"]),
        )


class AttachmentForm(forms.Form):
    attachment = forms.FileField(label=_("File"))


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("What must change?"), widget=forms.Textarea(attrs={"rows": 3}))


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return person_name(obj)


class ReferralForm(forms.Form):
    referred_to = StaffChoiceField(label=_("Refer to"), queryset=User.objects.none())
    minute = forms.CharField(
        label=_("Minute"), help_text=_("What should be done."), widget=forms.Textarea(attrs={"rows": 3})
    )
    due = forms.DateField(label=_("Due by (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, entity: Entity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["referred_to"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 — declared above
        field.queryset = (
            User.objects.filter(memberships__entity=entity, memberships__role__in=STAFF_ROLES, is_active=True)
            .distinct()
            .order_by("full_name")
        )


class CloseReferralForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))


class RegisterFilterForm(forms.Form):
    """Filters above a register; ``status`` choices differ between the outgoing and incoming registers."""

    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    counterpart = EntityChoiceField(label=_("Entity"), queryset=Entity.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    classification = forms.ChoiceField(
        label=_("Classification"), required=False, choices=[("", _("All")), *Classification.choices]
    )
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Number, or words of the subject and text."))

    def __init__(self, *args: Any, entity: Entity, statuses: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["counterpart"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 — declared above
        field.queryset = other_entities(entity)
        field.empty_label = gettext("All entities")
        self.fields["status"].choices = [("", gettext("All")), *statuses]  # type: ignore[attr-defined]


class PaperLetterForm(forms.Form):
    """A paper letter received from an entity that is not linked yet, registered from its scan."""

    sender = EntityChoiceField(label=_("Sending entity"), queryset=Entity.objects.none())
    number = forms.CharField(label=_("Their number"), max_length=64)
    date = forms.DateField(label=_("Date on the letter"), widget=forms.DateInput(attrs={"type": "date"}))
    subject = forms.CharField(label=_("Subject"), max_length=300)
    scan = forms.FileField(label=_("Scan of the letter"), help_text=_("PDF or image, as scanned."))

    def __init__(self, *args: Any, entity: Entity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sender"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 — declared above
        field.queryset = other_entities(entity)
