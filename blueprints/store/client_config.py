"""What a client needs to know before anyone logs in: currency, timezone, whether cards are taken."""
from __future__ import annotations

import marshmallow as ma
from flask import current_app

from app.payments import methods
from blueprints.schemas.common import Schema
from blueprints.store import blp


class ClientConfigSchema(Schema):
    currency = ma.fields.String(metadata={"description": "ISO 4217; amounts are in its minor unit"})
    timezone = ma.fields.String(metadata={"description": "The store's timezone (schedules, cut-offs)"})
    stripe_publishable_key = ma.fields.String(allow_none=True, metadata={
        "description": "pk_… for Stripe.js; null when the store takes no card payments"})
    card_payments = ma.fields.Boolean()
    locale = ma.fields.String(metadata={"description": "The store's default language (zh-CN or en): for "
                                                      "a reader whose own choice and browser name none we offer"})
    payment_methods = ma.fields.List(ma.fields.String(), metadata={
        "description": "Methods for an ordinary cart (pay_at_pickup is per group: see the quote)"})
    campaign_payment_methods = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
                                              metadata={"description": "Per campaign kind (flash_sale, group_buy, "
                                                                       "pre_sale), the methods that can pay it"})
    top_up_methods = ma.fields.List(ma.fields.String(), metadata={
        "description": "Online methods for wallet top-ups and membership fees (empty: top-ups are off)"})


@blp.route("/client-config", methods=["GET"])
@blp.response(200, ClientConfigSchema)
def client_config():
    """Public: the store's currency and timezone, and Stripe's publishable key when cards are taken"""
    config = current_app.config
    key = config["STRIPE_PUBLISHABLE_KEY"] or None
    online = methods.online_offered()
    return {"currency": config["STORE_CURRENCY"], "timezone": config["STORE_TIMEZONE"],
            "stripe_publishable_key": key if online else None, "card_payments": "card" in online,
            "payment_methods": methods.allowed(), "campaign_payment_methods": methods.campaign_methods(),
            "top_up_methods": methods.top_up_methods(), "locale": config["STORE_LOCALE"]}
