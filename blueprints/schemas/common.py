from __future__ import annotations

import marshmallow as ma
from flask import current_app

from blueprints import fields as f


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
    return f.Function(lambda _: current_app.config["STORE_CURRENCY"], dump_only=True, returns=ma.fields.String(),
                      metadata={"description": "ISO 4217 code; amounts are integer minor units"})


class WindowSchema(Schema):
    """A time window (pickup hours of a day, a campaign's current window)."""
    start = ma.fields.DateTime()
    end = ma.fields.DateTime()


class NextActionSchema(Schema):
    """What the shop needs from an open WeChat Pay / Alipay payment (app.payments.methods.next_action_view)."""
    type = ma.fields.String(metadata={"description": "wechat_pay_display_qr_code or alipay_handle_redirect"})
    qr_code_data = ma.fields.String(allow_none=True, metadata={"optional": True,
                                                               "description": "WeChat Pay: render as a QR code"})
    hosted_url = ma.fields.String(allow_none=True, metadata={"optional": True})
    image_url_png = ma.fields.String(allow_none=True, metadata={"optional": True})
    image_url_svg = ma.fields.String(allow_none=True, metadata={"optional": True})
    redirect_url = ma.fields.String(allow_none=True, metadata={"optional": True,
                                                               "description": "Alipay: send the shopper there"})
    return_url = ma.fields.String(allow_none=True, metadata={"optional": True})


def link_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/g/{code}"


class MessageSchema(Schema):
    message = ma.fields.String()
