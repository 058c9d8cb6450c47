"""The shopper's own profile extras: birthday, phone verification."""
from __future__ import annotations

import marshmallow as ma
from marshmallow.validate import Regexp

from blueprints import fields as f
from blueprints.schemas.common import Schema


class BirthdayInputSchema(Schema):
    month = f.Int(1, 12, required=True)
    day = f.Int(1, 31, required=True)
    year = f.Int(1900, 2100, load_default=None, allow_none=True, metadata={"description": "Optional"})


class BirthdaySchema(Schema):
    month = ma.fields.Integer(allow_none=True)
    day = ma.fields.Integer(allow_none=True)
    year = ma.fields.Integer(allow_none=True)
    changed_at = ma.fields.DateTime(allow_none=True, metadata={"description": "When it was last set"})
    next_change_on = ma.fields.Date(allow_none=True, metadata={
        "description": "First store-local date it may be changed again; null: it may be changed now"})
    next_perk_on = ma.fields.Date(allow_none=True, metadata={
        "description": "Next store-local date of the birthday offer (today included); 29 Feb: 28 Feb in other years"})


class PhoneCodeRequestSchema(Schema):
    phone = f.Phone(load_default=None, metadata={"description": "Number to verify; omitted: the account's phone"})


class PhoneCodeSentSchema(Schema):
    phone = ma.fields.String(metadata={"description": "The number the code went to (E.164)"})
    expires_at = ma.fields.DateTime()
    resend_after = ma.fields.DateTime(metadata={"description": "A new code may be asked for from then"})
    attempts_left = ma.fields.Integer()


class PhoneCodeConfirmSchema(Schema):
    code = f.Str(min_length=6, max_length=6, required=True,
                 validate=[Regexp(r"^\d{6}$", error="Six digits.")])
