from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

_ARABIC_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def normalize_digits(value: str) -> str:
    """Arabic-Indic (and Persian) digits typed on a phone become Western digits; spaces go."""
    return "".join(value.translate(_ARABIC_INDIC).split())


def validate_national_id(value: str) -> None:
    """The Iraqi unified national card number: 12 digits, not all the same digit."""
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("The national ID number must be exactly 12 digits."), code="national_id_format")
    if len(set(value)) == 1:
        raise ValidationError(_("This is not a valid national ID number."), code="national_id_invalid")


validate_iraqi_mobile = RegexValidator(
    r"^07[3-9][0-9]{8}$",
    _("Enter an Iraqi mobile number of 11 digits starting with 07, e.g. 07701234567."),
    code="phone_format",
)
