"""The borrower's forms: linking a loan and paying on it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govportal.accounts.validators import normalize_digits, validate_national_id


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


class LoanPayForm(forms.Form):
    how = forms.ChoiceField(
        label=_("What do you want to pay?"),
        choices=[("count", _("The next installments")), ("amount", _("An amount of my choice"))],
        widget=forms.RadioSelect,
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
        self.unpaid = unpaid
        self.fields["count"].widget.attrs["max"] = str(max(unpaid, 1))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("how") == "count" and not data.get("count"):
            self.add_error("count", _("Enter how many installments to pay."))
        elif data.get("how") == "count" and data["count"] > self.unpaid:
            self.add_error("count", _("Only %(count)s installments remain to pay.") % {"count": self.unpaid})
        if data.get("how") == "amount" and not data.get("amount"):
            self.add_error("amount", _("Enter the amount to pay."))
        return data
