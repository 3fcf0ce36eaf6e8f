from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from documents.constants import MAX_ATTACHMENT_BYTES, Classification, Priority
from documents.selectors import STAFF_ROLES
from documents.services import LetterContent
from govportal.accounts.models import User
from govportal.entities.models import Entity


class EntityLabelMixin:
    def label_from_instance(self, obj: Entity) -> str:
        return f"{obj.name} ({obj.code})"


class EntityChoiceField(EntityLabelMixin, forms.ModelChoiceField):
    pass


class EntitiesField(EntityLabelMixin, forms.ModelMultipleChoiceField):
    pass


def other_entities(entity: Entity) -> Any:
    return Entity.objects.filter(is_active=True).exclude(pk=entity.pk).order_by("path")


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.email


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
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or ⌘) to choose more than one."),
    )
    cc = EntitiesField(
        label=_("Copy to (optional)"),
        queryset=Entity.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    readers = StaffMultipleChoiceField(
        label=_("Named readers (optional)"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Staff of your entity who may open the letter if it is confidential (heads always may)."),
    )
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False)

    def __init__(self, *args: Any, sender: Entity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        readers = self.fields["readers"]
        assert isinstance(readers, forms.ModelMultipleChoiceField)  # noqa: S101 — declared above
        readers.queryset = User.objects.filter(memberships__entity=sender, is_active=True).distinct().order_by("email")
        for name in ("to", "cc"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101 — declared above
            field.queryset = other_entities(sender)
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
        return obj.full_name or obj.email


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
