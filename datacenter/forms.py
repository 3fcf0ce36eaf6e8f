from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from datacenter.constants import MAX_ATTACHMENT_BYTES, DocumentType, Outcome, RequestStatus
from datacenter.services import DocumentDetails
from datacenter.uploads import check_scan
from govportal.accounts.validators import normalize_digits, validate_national_id
from govportal.entities.models import Entity
from govportal.uploads import file_size


class EntityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Entity) -> str:
        return f"{obj.name} ({obj.code})"


class RequestForm(forms.Form):
    requesting_entity = EntityChoiceField(
        label=_("On behalf of"),
        queryset=Entity.objects.none(),
        empty_label=None,
        error_messages={"required": _("Choose the entity you are asking for.")},
    )
    issuing_entity = EntityChoiceField(
        label=_("Entity that issued the document"),
        queryset=Entity.objects.filter(is_active=True).order_by("path"),
        empty_label=_("Choose the entity"),
        help_text=_("The ministry, university or other body whose document you need confirmed."),
        error_messages={"required": _("Choose the entity that issued the document.")},
    )
    document_type = forms.ChoiceField(
        label=_("Document type"),
        choices=DocumentType.choices,
        error_messages={"required": _("Choose the type of document.")},
    )
    document_number = forms.CharField(
        label=_("Document number"), max_length=64, error_messages={"required": _("Enter the document's number.")}
    )
    document_date = forms.DateField(
        label=_("Document date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Enter the document's date."), "invalid": _("Enter a real date.")},
    )
    holder_name = forms.CharField(
        label=_("Holder's full name"), max_length=200, error_messages={"required": _("Enter the holder's full name.")}
    )
    holder_national_id = forms.CharField(
        label=_("Holder's national ID number"),
        max_length=20,
        help_text=_("12 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Enter the holder's national ID number.")},
    )
    attachment = forms.FileField(
        label=_("Scan of the document"),
        error_messages={"required": _("Choose the scan of the document."), "empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, requesting_entities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built here, not at import, so that it reads in the language of the request.
        self.fields["attachment"].help_text = gettext("PDF, JPEG or PNG, at most %(size)s.") % {
            "size": file_size(MAX_ATTACHMENT_BYTES)
        }
        field = self.fields["requesting_entity"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 — declared above
        field.queryset = requesting_entities

    def clean_holder_national_id(self) -> str:
        value = normalize_digits(self.cleaned_data["holder_national_id"])
        validate_national_id(value)
        return value

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data["attachment"]
        check_scan(upload)  # raises a translated ValidationError shown beside the field
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("requesting_entity") and data.get("requesting_entity") == data.get("issuing_entity"):
            self.add_error("issuing_entity", _("An entity cannot ask itself to confirm its own document."))
        return data

    def details(self) -> DocumentDetails:
        data = self.cleaned_data
        return DocumentDetails(
            document_type=data["document_type"],
            document_number=data["document_number"],
            document_date=data["document_date"],
            holder_name=data["holder_name"],
            holder_national_id=data["holder_national_id"],
        )


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Did your entity issue this document?"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the document was issued by your entity.")},
    )
    reason = forms.CharField(
        label=_("Reason (required when not confirmed)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for revoking the certificate.")},
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("What is missing or unclear?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what is missing, so that the requester can add it.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_return_%s")  # the answer form on the same page has a reason too
        super().__init__(*args, **kwargs)


class ResubmitForm(forms.Form):
    note = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Answer what the issuing entity asked for.")},
    )


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Open (submitted or under review)")), *RequestStatus.choices]
    )
    document_type = forms.ChoiceField(
        label=_("Document type"), required=False, choices=[("", _("All types")), *DocumentType.choices]
    )
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Reference, document number or holder's name."))
