from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govportal.accounts.validators import normalize_digits, validate_iraqi_mobile, validate_national_id
from govportal.entities.models import Entity
from training.constants import EnrollmentStatus, NominationStatus
from training.models import Programme
from training.services import SessionDetails, TraineeDetails


class EntityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Entity) -> str:
        return f"{obj.name} ({obj.code})"


class _ForInstitution(forms.Form):
    entity = EntityChoiceField(label=_("Institution"), queryset=Entity.objects.none(), empty_label=None)

    def __init__(self, *args: Any, entities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["entity"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 — declared above
        field.queryset = entities
        if len(entities) == 1:
            field.widget = forms.HiddenInput()
            field.initial = entities[0].pk


class NominateForm(_ForInstitution):
    full_name = forms.CharField(label=_("Employee's full name"), max_length=200)
    national_id = forms.CharField(
        label=_("National ID number"),
        max_length=20,
        help_text=_("12 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    job_title = forms.CharField(label=_("Job title"), max_length=200)
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        required=False,
        help_text=_("Where the trainee is told about their place; their portal account if they have one."),
    )
    phone = forms.CharField(
        label=_("Mobile phone (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def clean_national_id(self) -> str:
        value = normalize_digits(self.cleaned_data["national_id"])
        validate_national_id(value)
        return value

    def clean_phone(self) -> str:
        value = normalize_digits(self.cleaned_data["phone"])
        if value:
            validate_iraqi_mobile(value)
        return value

    def details(self) -> TraineeDetails:
        data = self.cleaned_data
        return TraineeDetails(
            full_name=data["full_name"],
            national_id=data["national_id"],
            job_title=data["job_title"],
            email=data["email"],
            phone=data["phone"],
        )


class ImportForm(_ForInstitution):
    file = forms.FileField(
        label=_("List of employees (CSV or XLSX)"),
        allow_empty_file=True,  # the importer says why it is refused, as for a file of only its header
        help_text=_(
            "One employee a row, with the columns full_name, national_id, job_title and, optionally, email and "
            "phone (Arabic headings work too). If any row has a problem, nobody in the file is nominated."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


class QuotaForm(forms.Form):
    entity = EntityChoiceField(label=_("Institution"), queryset=Entity.objects.filter(is_active=True).order_by("path"))
    seats = forms.IntegerField(label=_("Seats"), min_value=0, max_value=100000)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejecting"), widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class ResultForm(forms.Form):
    score = forms.IntegerField(label=_("Score (0–100)"), min_value=0, max_value=100)


class NominationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *NominationStatus.choices])
    place = forms.ChoiceField(label=_("Place"), required=False, choices=[("", _("All")), *EnrollmentStatus.choices])


class ReportFilterForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Programme"), required=False, queryset=Programme.objects.none(), empty_label=_("All programmes")
    )

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 — declared above
        field.queryset = programmes
        field.label_from_instance = lambda obj: f"{obj.code} — {obj.title}"  # type: ignore[method-assign]


class SessionForm(forms.Form):
    start_date = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}))
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online meeting link"), required=False)
    trainer_email = forms.EmailField(
        label=_("Trainer's e-mail address"), help_text=_("A staff member with a portal account.")
    )
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=10000)
    enrollment_opens_at = forms.DateTimeField(
        label=_("Nominations open"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    enrollment_closes_at = forms.DateTimeField(
        label=_("Nominations close"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    lock_days = forms.IntegerField(
        label=_("Locked days before start"),
        min_value=0,
        max_value=60,
        initial=3,
        help_text=_("From then on only training administrators may nominate or cancel."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("venue") and not data.get("online_url"):
            self.add_error("venue", _("Give a venue, an online meeting link, or both."))
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The last day cannot be before the first."))
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", _("The session must end after it starts."))
        opens, closes = data.get("enrollment_opens_at"), data.get("enrollment_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("enrollment_closes_at", _("Nominations must close after they open."))
        return data

    def details(self) -> SessionDetails:
        data = self.cleaned_data
        return SessionDetails(
            **{name: data[name] for name in SessionDetails.__dataclass_fields__ if name in data},
        )
