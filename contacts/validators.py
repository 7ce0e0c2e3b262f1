"""Identifiers and values of people: NHS number, UPN, postcode, dates.

NHS number and UPN checks use python-stdnum. Its UPN check also insists on a local-authority
number from a 2011 list, which would refuse pupils of authorities created since; we check the
format and the check letter only.
"""

import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.gb import nhs, upn

UNBORN_HORIZON = timedelta(days=305)  # about ten months


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def nhs_number_is_valid(value: str) -> bool:
    """Modulus 11: weights 10 down to 2 on the first nine digits; 11 means 0, 10 is invalid."""
    digits = normalise_nhs_number(value)
    return bool(re.fullmatch(r"\d{10}", digits)) and nhs.is_valid(digits)


def validate_nhs_number(value: str) -> None:
    if value and not nhs_number_is_valid(value):
        raise ValidationError(
            "Enter a valid 10-digit NHS number (its last digit is a check digit).",
            code="invalid_nhs_number",
        )


def normalise_upn(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


_UPN_FORMAT = re.compile(r"^[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]$")


def upn_is_valid(value: str) -> bool:
    """13 characters: a check letter, 11 digits and a digit (or a letter for a temporary UPN)."""
    number = normalise_upn(value)
    return bool(_UPN_FORMAT.match(number)) and upn.calc_check_digit(number[1:]) == number[0]


def validate_upn(value: str) -> None:
    if value and not upn_is_valid(value):
        raise ValidationError(
            "Enter a valid 13-character unique pupil number (it starts with a check letter).",
            code="invalid_upn",
        )


_POSTCODE = re.compile(r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})$")


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s", "", (value or "").upper())
    if len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def validate_postcode(value: str) -> None:
    if value and not _POSTCODE.match(normalise_postcode(value)):
        raise ValidationError("Enter a real UK postcode, like SW1A 1AA.", code="invalid_postcode")


def validate_birth_dates(
    date_of_birth: date | None, expected_date_of_delivery: date | None
) -> None:
    """A born person's date of birth is not in the future; an unborn child's due date is ahead."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if date_of_birth and expected_date_of_delivery:
        errors["expected_date_of_delivery"] = (
            "Give either a date of birth or, for an unborn child, an expected date of delivery."
        )
    if date_of_birth and date_of_birth > today:
        errors["date_of_birth"] = "Date of birth must be today or in the past."
    if expected_date_of_delivery:
        if expected_date_of_delivery < today:
            errors["expected_date_of_delivery"] = (
                "Expected date of delivery must be today or in the future; "
                "once the child is born, record the date of birth."
            )
        elif expected_date_of_delivery > today + UNBORN_HORIZON:
            errors["expected_date_of_delivery"] = (
                "Expected date of delivery must be within the next 10 months."
            )
    if errors:
        raise ValidationError(errors)
