from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.utils.translation import get_language_info, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from collection.constants import Governorate, Method, PaymentStatus, RefundReason, RefundStatus, Resolution, Weekday
from collection.models import Obligation, Outlet, Terminal
from collection.services.outlet_network import OutletDetails
from govportal.accounts.models import User
from govportal.accounts.validators import normalize_digits, validate_national_id
from govportal.entities.models import Entity
from govportal.web.templatetags.ui import dinars


class BillChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Obligation) -> str:
        # The reference and the amount keep their direction inside Arabic (first-strong isolates).
        return f"{obj.title} — \u2068{obj.reference}\u2069 — \u2068{dinars(obj.remaining)}\u2069"


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


def outlet_label(outlet: Outlet) -> str:
    return f"{outlet.name} (\u2068{outlet.code}\u2069)"  # the code keeps its direction in Arabic


class OutletChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Outlet) -> str:
        return outlet_label(obj)


class TerminalChoiceField(forms.ChoiceField):
    """The open terminals of the cashier's outlets, grouped by outlet; the value is the terminal ID
    (an ID is open at one outlet at a time), cleaned to the ``Terminal``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.terminals: dict[str, Terminal] = {}

    def set_terminals(self, terminals: Any) -> None:
        self.terminals = {terminal.terminal_id: terminal for terminal in terminals}
        groups: dict[Outlet, list[tuple[str, str]]] = {}
        for terminal in self.terminals.values():
            label = f"\u2068{terminal.terminal_id}\u2069" + (f" — {terminal.acquirer}" if terminal.acquirer else "")
            groups.setdefault(terminal.outlet, []).append((terminal.terminal_id, label))
        choices: list[Any] = [] if len(self.terminals) == 1 else [("", _("Choose the terminal"))]
        self.choices = choices + [(outlet_label(outlet), options) for outlet, options in groups.items()]

    def clean(self, value: Any) -> Terminal:
        return self.terminals[super().clean(value)]


class OutletPaymentForm(forms.Form):
    """The card slip of an in-person payment for the chosen bills, on one of the cashier's terminals."""

    # Its own id: the lookup form above it on the page has a national_id field too.
    national_id = forms.CharField(widget=forms.HiddenInput(attrs={"id": "id_slip_national_id"}))
    bills = BillChoiceField(
        label=_("Bills to pay"),
        queryset=Obligation.objects.none(),
        error_messages={"required": _("Choose at least one bill to pay.")},
    )
    terminal_id = TerminalChoiceField(
        label=_("Card terminal"),
        help_text=_("The terminal the card was taken on: its ID is printed at the top of the slip."),
        error_messages={"required": _("Choose the terminal the card was taken on.")},
    )
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

    def __init__(self, *args: Any, terminals: Any, bills: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        terminal_field, bills_field = self.fields["terminal_id"], self.fields["bills"]
        assert isinstance(terminal_field, TerminalChoiceField)  # noqa: S101 — declared above
        assert isinstance(bills_field, forms.ModelMultipleChoiceField)  # noqa: S101 — declared above
        terminal_field.set_terminals(terminals)
        bills_field.queryset = bills

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


# --- Running outlets (the entity's head) -----------------------------------------------------


def _in(language: str) -> dict[str, str]:
    """A text input's attributes for text in ``language``, whatever the page's language."""
    return {"lang": language, "dir": "rtl" if get_language_info(language)["bidi"] else "ltr"}


class WeekdaysField(forms.TypedMultipleChoiceField):
    """Days of the week as checkboxes (Saturday first), cleaned to the bit mask ``Outlet.open_days`` keeps."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Weekday.choices, coerce=int, **kwargs)

    def clean(self, value: Any) -> int:
        return sum(1 << day for day in set(super().clean(value)))

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return [day for day in Weekday if value & (1 << day)]
        return value


class OutletForm(forms.Form):
    """An outlet's details. Its code is asked only when it is created: it never changes."""

    entity = forms.ModelChoiceField(label=_("Collecting entity"), queryset=Entity.objects.none(), empty_label=None)
    code = forms.CharField(
        label=_("Outlet code"),
        max_length=32,
        help_text=_("Capital Latin letters, digits and hyphens, e.g. IHF-BSR-01. It cannot be changed later."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "spellcheck": "false"}),
        error_messages={"required": _("Enter the outlet's code.")},
    )
    name_ar = forms.CharField(
        label=_("Name in Arabic"),
        max_length=200,
        widget=forms.TextInput(attrs=_in("ar")),
        error_messages={"required": _("Enter the outlet's name in Arabic.")},
    )
    name_en = forms.CharField(
        label=_("Name in English"),
        max_length=200,
        widget=forms.TextInput(attrs=_in("en")),
        error_messages={"required": _("Enter the outlet's name in English.")},
    )
    governorate = forms.ChoiceField(
        label=pgettext_lazy("where", "Governorate"),
        choices=[("", _("Choose the governorate")), *Governorate.choices],
        error_messages={"required": _("Choose the governorate.")},
    )
    address_ar = forms.CharField(
        label=_("Address in Arabic"),
        max_length=300,
        help_text=_("District, street and a landmark citizens know."),
        widget=forms.TextInput(attrs=_in("ar")),
        error_messages={"required": _("Enter the address in Arabic.")},
    )
    address_en = forms.CharField(
        label=_("Address in English"),
        max_length=300,
        widget=forms.TextInput(attrs=_in("en")),
        error_messages={"required": _("Enter the address in English.")},
    )
    phone = forms.CharField(
        label=_("Telephone (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    open_days = WeekdaysField(
        label=_("Open on"), error_messages={"required": _("Choose at least one day of the week.")}
    )
    opens_at = forms.TimeField(
        label=_("Opens at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": _("Enter the opening time."), "invalid": _("Enter a time such as 08:00.")},
    )
    closes_at = forms.TimeField(
        label=_("Closes at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": _("Enter the closing time."), "invalid": _("Enter a time such as 14:00.")},
    )

    def __init__(self, *args: Any, entities: Any = None, **kwargs: Any) -> None:
        """With ``entities`` (creating): the code, and the entity when there is a choice."""
        super().__init__(*args, **kwargs)
        if entities is None:
            del self.fields["entity"], self.fields["code"]
            return
        entity_field = self.fields["entity"]
        assert isinstance(entity_field, forms.ModelChoiceField)  # noqa: S101 — declared above
        entity_field.queryset = entities
        if len(entities) == 1:
            entity_field.widget = forms.HiddenInput()
            entity_field.initial = entities[0].pk

    def clean_phone(self) -> str:
        return normalize_digits(self.cleaned_data["phone"]).strip()

    def clean_code(self) -> str:
        return normalize_digits(self.cleaned_data["code"]).strip().upper()

    def details(self) -> OutletDetails:
        data = self.cleaned_data
        return OutletDetails(**{field.name: data[field.name] for field in dataclasses.fields(OutletDetails)})


class ReasonForm(forms.Form):
    """Why an outlet or a terminal is closed (kept in the audit log)."""

    reason = forms.CharField(
        label=_("Reason for closing"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for closing.")},
    )


class TerminalForm(forms.Form):
    terminal_id = forms.CharField(
        label=_("Terminal ID (TID)"),
        max_length=32,
        help_text=_("As printed at the top of the terminal's card slips, e.g. 10042718."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "spellcheck": "false"}),
        error_messages={"required": _("Enter the terminal ID printed on its slips.")},
    )
    serial_number = forms.CharField(
        label=_("Serial number (optional)"),
        max_length=40,
        required=False,
        help_text=_("From the label on the device."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "spellcheck": "false"}),
    )
    acquirer = forms.CharField(
        label=_("Bank or payment company (optional)"),
        max_length=100,
        required=False,
        help_text=_("Who supplied the terminal and settles its payments."),
    )

    def clean_terminal_id(self) -> str:
        return normalize_digits(self.cleaned_data["terminal_id"])


class CashierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} (\u2068{obj.email}\u2069)" if obj.full_name else obj.email


class AssignCashierForm(forms.Form):
    cashier = CashierChoiceField(
        label=_("Cashier"),
        queryset=User.objects.none(),
        empty_label=_("Choose a cashier"),
        error_messages={"required": _("Choose the cashier to assign.")},
    )

    def __init__(self, *args: Any, cashiers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cashier"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 — declared above
        field.queryset = cashiers


class OutletDirectoryForm(forms.Form):
    """The public list's filter: one governorate, or all."""

    governorate = forms.ChoiceField(label=pgettext_lazy("where", "Governorate"), required=False)

    def __init__(self, *args: Any, governorates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["governorate"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 — declared above
        field.choices = [("", _("All governorates")), *governorates]


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
