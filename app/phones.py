"""Phone numbers are stored in E.164 so one person cannot register twice with two spellings."""
from __future__ import annotations

import phonenumbers
from flask import current_app

from app.errors import InvalidRequest
from app.i18n import _


def normalise_phone(raw: str, region: str | None = None) -> str:
    region = region or current_app.config["STORE_COUNTRY"]
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidRequest(_("Not a phone number"), code="invalid_phone", details={"phone": raw}) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidRequest(_("Not a valid phone number"), code="invalid_phone", details={"phone": raw})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
