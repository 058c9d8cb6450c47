"""Wire field types: every string has a maximum length and every number a range, so oversized or
out-of-range input is a 422 here and never an overflow or encoding error in the database."""
from __future__ import annotations

import datetime as dt

import marshmallow as ma
from marshmallow import ValidationError
from marshmallow.validate import Length, OneOf, Range

from app.i18n import gettext_now

MAX_ID = 2**31 - 1
MAX_CENTS = 10**11  # a billion in a two-decimal currency: far above any price or top-up


class Str(ma.fields.String):
    """Stripped text; rejects NUL and unpaired surrogates (PostgreSQL cannot store either)."""

    def __init__(self, *, max_length: int, min_length: int = 0, **kwargs):
        validators = [Length(min=min_length, max=max_length)] + list(kwargs.pop("validate", []) or [])
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if "\x00" in text:
            raise ValidationError(gettext_now("NUL characters are not allowed."))
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(gettext_now("Not valid Unicode text.")) from None
        return text


def name(max_length: int = 80, **kwargs) -> Str:
    return Str(min_length=1, max_length=max_length, **kwargs)


def Int(minimum: int = 0, maximum: int = MAX_ID, **kwargs) -> ma.fields.Integer:  # noqa: N802
    return ma.fields.Integer(strict=True, validate=Range(minimum, maximum), **kwargs)


def QueryInt(minimum: int = 0, maximum: int = MAX_ID, **kwargs) -> ma.fields.Integer:  # noqa: N802
    return ma.fields.Integer(validate=Range(minimum, maximum), **kwargs)


def Id(**kwargs) -> ma.fields.Integer:  # noqa: N802
    return Int(1, MAX_ID, **kwargs)


def Cents(**kwargs) -> ma.fields.Integer:  # noqa: N802
    return Int(0, MAX_CENTS, **kwargs)


def Latitude(**kwargs) -> ma.fields.Float:  # noqa: N802
    return ma.fields.Float(validate=Range(-90, 90), allow_nan=False, **kwargs)


def Longitude(**kwargs) -> ma.fields.Float:  # noqa: N802
    return ma.fields.Float(validate=Range(-180, 180), allow_nan=False, **kwargs)


def Choice(values, **kwargs) -> Str:  # noqa: N802
    return Str(max_length=40, validate=[OneOf([str(v) for v in values])], **kwargs)


def Phone(**kwargs) -> Str:  # noqa: N802
    return Str(min_length=3, max_length=32, **kwargs)


class Email(ma.fields.Email):
    def __init__(self, **kwargs):
        super().__init__(validate=[Length(max=254)], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()


class HttpUrl(ma.fields.Url):
    def __init__(self, **kwargs):
        super().__init__(schemes={"http", "https"}, validate=[Length(max=500)], **kwargs)


class Method(ma.fields.Method):
    """A computed output field that says what it returns (`returns`, a field), so the OpenAPI
    document gives it a type (blueprints/openapi/plugins.py computed_field_type)."""

    def __init__(self, serialize: str | None = None, deserialize: str | None = None, *,
                 returns: ma.fields.Field, **kwargs):
        super().__init__(serialize, deserialize, **kwargs)
        self.returns = returns


class Function(ma.fields.Function):
    """fields.Function with `returns`, as Method above."""

    def __init__(self, serialize=None, deserialize=None, *, returns: ma.fields.Field, **kwargs):
        super().__init__(serialize, deserialize, **kwargs)
        self.returns = returns


# Days the store's calendar arithmetic (a plan's 28 days of history, a period's day after) can move
# around without leaving Python's date range: 0001-01-10 would otherwise be a 500.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


class BusinessDate(ma.fields.Date):
    """A store-calendar date between FIRST_DAY and LAST_DAY (422 otherwise)."""

    def __init__(self, **kwargs):
        super().__init__(validate=Range(min=FIRST_DAY, max=LAST_DAY), **kwargs)
