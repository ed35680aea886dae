"""Identifier normalization (API-CONTRACT 7.3): the form values are stored, matched and
looked up in.

* ``phone``: E.164 via ``phonenumbers``; a number without ``+`` is read in a default region
  (US unless configured). Numbers phonenumbers cannot place fall back to the contract's digit
  rule (10 digits -> +1..., 11-15 digits -> +digits).
* ``email``: lower-cased, every whitespace character removed, then a syntax check with
  ``email-validator`` (no DNS or network).
* ``trim``: surrounding whitespace stripped. ``none``: unchanged."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from convmem.domain.errors import InvalidRequest

MAX_VALUE = 255
_NON_DIGITS = re.compile(r"\D")
_SPACES = re.compile(r"\s+")


class InvalidIdentifier(InvalidRequest):
    """A value that cannot be normalized for its identifier type."""


def _phone(value: str, region: str) -> str:
    text = value.strip()
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else region)
        if phonenumbers.is_possible_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = _NON_DIGITS.sub("", text)
    if text.startswith("+") and 8 <= len(digits) <= 15:
        return "+" + digits
    if len(digits) == 10:
        return "+1" + digits
    if 11 <= len(digits) <= 15:
        return "+" + digits
    raise InvalidIdentifier(f"{value!r} is not a valid phone number: expected a 10-digit US number or an "
                            "international number with its country code")


@lru_cache(maxsize=4096)
def _email_ok(text: str) -> bool:
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _email(value: str) -> str:
    text = _SPACES.sub("", value).lower()
    if not _email_ok(text):
        raise InvalidIdentifier(f"{value!r} is not a valid email address")
    return text


def normalize(value: str, method: str, *, id_type: str, region: str = "US") -> str:
    """The stored form of ``value`` for an identifier type normalized by ``method``."""
    if method == "phone":
        result = _phone(value, region)
    elif method == "email":
        result = _email(value)
    elif method == "none":
        result = value
    else:
        result = value.strip()
    if not result:
        raise InvalidIdentifier(f"The {id_type} identifier value may not be empty")
    if len(result) > MAX_VALUE:
        raise InvalidIdentifier(f"The {id_type} identifier value is longer than {MAX_VALUE} characters")
    return result
