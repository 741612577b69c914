"""Phone numbers as the visitor typed them, stored in E.164 ("+79123456789").

A number without a country code is read in LEADS_DEFAULT_PHONE_REGION (Russian visitors
type "8 912 345-67-89"); phonenumbers knows each country's trunk prefix and lengths.
"""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVALID = _("Enter a valid phone number, for example +7 912 345-67-89.")


def normalise(text: str, region: str | None = None) -> str:
    """The number in E.164; ValidationError when it is not a possible, valid number."""
    region = region or settings.LEADS_DEFAULT_PHONE_REGION
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(INVALID, code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
