from __future__ import annotations

import marshmallow as ma
from flask import current_app


class Schema(ma.Schema):
    """Unknown fields are an error (marshmallow's default, stated here because the API relies on it)."""

    class Meta:
        unknown = ma.RAISE
        ordered = True


class QuerySchema(ma.Schema):
    """Query strings: pagination parameters are parsed by the paginator, so others are ignored here."""

    class Meta:
        unknown = ma.EXCLUDE


def currency_field() -> ma.fields.Function:
    return ma.fields.Function(lambda _: current_app.config["STORE_CURRENCY"], dump_only=True,
                              metadata={"description": "ISO 4217 code; amounts are integer minor units"})


def link_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/g/{code}"


class MessageSchema(Schema):
    message = ma.fields.String()
