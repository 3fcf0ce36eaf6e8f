from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from collection.constants import Method, PaymentStatus, RefundReason, RefundStatus, Resolution
from collection.models import Obligation, Outlet
from govportal.accounts.validators import normalize_digits, validate_national_id


class BillChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Obligation) -> str:
        return f"{obj.get_purpose_display()} — {obj.reference} — {obj.remaining:,}"


class ChooseBillsForm(forms.Form):
    """Which of the payer's open bills to pay (each in full: what remains of it)."""

    bills = BillChoiceField(
        label=_("Bills to pay"),
        queryset=Obligation.objects.none(),
        error_messages={"required": _("Choose at least one bill to pay.")},
    )

    def __init__(self, *args: Any, bills: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["bills"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101 — declared above
        field.queryset = bills


class RefundForm(forms.Form):
    """What to give back and why; the reason decides what happens to the bills (see services.refunds)."""

    amount = forms.IntegerField(
        label=_("Amount to refund (IQD)"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reason = forms.ChoiceField(
        label=_("Why is the money given back?"),
        choices=[
            (
                RefundReason.REDUCED,
                _("The amount due was reduced or waived: the bill's amount goes down by the refund and it stays paid"),
            ),
            (RefundReason.ERROR, _("The payment was taken in error or twice: the bill reopens and is due again")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the money is given back.")},
    )
    note = forms.CharField(
        label=_("Note"),
        help_text=_("What happened and who decided it, for the payment's history and the auditors."),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a note saying why the money is given back.")},
    )


class RefundFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Awaiting the provider or refused")), *RefundStatus.choices]
    )


class PaymentFilterForm(forms.Form):
    q = forms.CharField(label=_("Payment reference or receipt"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *PaymentStatus.choices]
    )
    method = forms.ChoiceField(label=_("Method"), required=False, choices=[("", _("Any method")), *Method.choices])
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CitizenLookupForm(forms.Form):
    national_id = forms.CharField(
        label=_("Citizen's national ID number"),
        max_length=20,
        help_text=_("12 digits, from the unified national card."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_national_id(self) -> str:
        value = normalize_digits(self.cleaned_data["national_id"])
        validate_national_id(value)
        return value


class OutletChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Outlet) -> str:
        return f"{obj.name} (\u2068{obj.code}\u2069)"  # the code keeps its direction in Arabic


class OutletPaymentForm(forms.Form):
    """The card slip of an in-person payment for the chosen bills."""

    outlet = OutletChoiceField(label=_("Outlet"), queryset=Outlet.objects.none(), empty_label=None)
    national_id = forms.CharField(widget=forms.HiddenInput)
    bills = BillChoiceField(
        label=_("Bills paid"),
        queryset=Obligation.objects.none(),
        error_messages={"required": _("Choose at least one bill to pay.")},
    )
    terminal_id = forms.CharField(label=_("Terminal ID"), max_length=32)
    approval_code = forms.CharField(label=_("Approval code"), max_length=12)
    rrn = forms.CharField(
        label=_("RRN"),
        max_length=12,
        help_text=_("The 12-digit retrieval reference number on the slip."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    card_last4 = forms.CharField(
        label=_("Last 4 digits of the card"),
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, outlets: Any, bills: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outlet_field, bills_field = self.fields["outlet"], self.fields["bills"]
        assert isinstance(outlet_field, forms.ModelChoiceField)  # noqa: S101 — declared above
        assert isinstance(bills_field, forms.ModelMultipleChoiceField)  # noqa: S101 — declared above
        outlet_field.queryset, bills_field.queryset = outlets, bills

    def clean_rrn(self) -> str:
        return normalize_digits(self.cleaned_data["rrn"]).strip()

    def clean_card_last4(self) -> str:
        return normalize_digits(self.cleaned_data["card_last4"]).strip()


class ClosingForm(forms.Form):
    outlet = OutletChoiceField(label=_("Outlet"), queryset=Outlet.objects.none(), empty_label=None)
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, outlets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["outlet"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 — declared above
        field.queryset = outlets


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("What was done"), choices=Resolution.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class SandboxCardForm(forms.Form):
    """The sandbox company's card form (test cards only)."""

    card_number = forms.CharField(
        label=_("Card number"),
        max_length=23,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "cc-number"}),
    )
    expiry = forms.CharField(
        label=_("Expiry (MM/YY)"), max_length=5, widget=forms.TextInput(attrs={"autocomplete": "cc-exp"})
    )
    cvc = forms.CharField(
        label=_("Security code (CVC)"),
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "cc-csc"}),
    )

    def clean_card_number(self) -> str:
        number = normalize_digits(self.cleaned_data["card_number"]).replace(" ", "").replace("-", "")
        if not (number.isdigit() and 12 <= len(number) <= 19):
            raise forms.ValidationError(_("Enter the card number: 12 to 19 digits."))
        return number

    def clean_expiry(self) -> str:
        value = normalize_digits(self.cleaned_data["expiry"]).strip()
        month, _sep, year = value.partition("/")
        if not (month.isdigit() and year.isdigit() and 1 <= int(month) <= 12 and len(year) == 2):
            raise forms.ValidationError(_("Enter the expiry date as MM/YY, for example 08/29."))
        return value

    def clean_cvc(self) -> str:
        value = normalize_digits(self.cleaned_data["cvc"]).strip()
        if not (value.isdigit() and len(value) in (3, 4)):
            raise forms.ValidationError(_("The security code has 3 or 4 digits."))
        return value
