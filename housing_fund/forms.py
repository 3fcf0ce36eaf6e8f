"""The housing fund's forms: fund officers' filters and rescheduling first, then the borrower's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govportal.accounts.validators import normalize_digits, validate_national_id
from govportal.entities.models import Entity
from housing_fund.constants import LoanStatus, RescheduleStatus

# --- Fund officers, heads and auditors -------------------------------------------------------


class BranchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Entity) -> str:
        return f"{obj.name} (\u2068{obj.code}\u2069)"  # the code keeps its direction in Arabic


class _BranchFilter(forms.Form):
    """A branch filter that is offered only to staff of several branches."""

    branch = BranchChoiceField(
        label=_("Branch"), required=False, queryset=Entity.objects.none(), empty_label=_("All my branches")
    )

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["branch"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 — declared above
        field.queryset = branches.order_by("path")
        self.several_branches = len(field.queryset) > 1


class PortfolioFilterForm(_BranchFilter):
    q = forms.CharField(
        label=_("Loan number, national ID or name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *LoanStatus.choices])
    reschedule = forms.ChoiceField(
        label=_("Rescheduling"),
        required=False,
        choices=[("", _("Any")), (RescheduleStatus.PROPOSED.value, _("Awaiting approval"))],
    )
    arrears = forms.BooleanField(label=_("In arrears only"), required=False)

    field_order = ["q", "status", "branch", "reschedule", "arrears"]


class ArrearsFilterForm(_BranchFilter):
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        help_text=_("Counted with the payments recorded so far."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    field_order = ["as_of", "branch"]


class RescheduleForm(forms.Form):
    term_months = forms.IntegerField(
        label=_("New term (months)"),
        min_value=1,
        max_value=360,
        help_text=_("What remains is spread over this many monthly installments, from next month."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


# --- Borrowers ------------------------------------------------------------------------------


class LinkForm(forms.Form):
    number = forms.CharField(
        label=_("Loan number"), max_length=32, help_text=_("As printed on your loan contract."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )  # fmt: skip
    national_id = forms.CharField(
        label=_("Your national ID number"),
        max_length=20,
        help_text=_("12 digits, from the unified national card."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Your date of birth"), widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"})
    )

    def clean_number(self) -> str:
        return normalize_digits(self.cleaned_data["number"]).strip().upper()

    def clean_national_id(self) -> str:
        value = normalize_digits(self.cleaned_data["national_id"]).strip()
        validate_national_id(value)
        return value


class RevealRadioSelect(forms.RadioSelect):
    """Radios each of which reveals its own part of the form (GOV.UK's conditional reveal): the option
    names the element it controls, which static/js/conditional-reveal.js shows only while the option
    is chosen. Without JavaScript every part shows."""

    def __init__(self, *args: Any, reveals: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reveals = reveals

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.reveals:
            option["attrs"]["aria-controls"] = self.reveals[str(value)]
        return option


class LoanPayForm(forms.Form):
    how = forms.ChoiceField(
        label=_("What do you want to pay?"),
        choices=[("count", _("The next installments")), ("amount", _("An amount of my choice"))],
        widget=RevealRadioSelect(reveals={"count": "reveal-count", "amount": "reveal-amount"}),
        error_messages={"required": _("Choose what you want to pay.")},
    )
    count = forms.IntegerField(
        label=_("Number of installments"), required=False, min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    amount = forms.IntegerField(
        label=_("Amount (IQD)"),
        required=False,
        min_value=1,
        help_text=_("Paid to the oldest installment first; anything above goes to the next ones."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, unpaid: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["count"].widget.attrs["max"] = str(max(unpaid, 1))  # a hint; the service decides

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        other = {"count": "amount", "amount": "count"}.get(data.get("how", ""))
        if other:  # the part not chosen is ignored, whatever it holds
            self.errors.pop(other, None)
            data[other] = None
        if data.get("how") == "count" and not data.get("count") and "count" not in self.errors:
            self.add_error("count", _("Enter how many installments to pay."))
        if data.get("how") == "amount" and not data.get("amount") and "amount" not in self.errors:
            self.add_error("amount", _("Enter the amount to pay."))
        return data

    def chosen(self) -> dict[str, int | None]:
        """The service's arguments: ``count`` or ``amount`` (the other is None)."""
        return {"count": self.cleaned_data["count"], "amount": self.cleaned_data["amount"]}
