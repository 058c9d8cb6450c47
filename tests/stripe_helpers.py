"""Acting as Stripe's other parties in tests: the shopper's browser (Stripe.js) and the webhook sender."""
from __future__ import annotations

import hashlib
import hmac
import json
import time

import stripe
from flask import current_app

from tests.conftest import WEBHOOK_SECRET

CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000341"   # attaches, then the charge is declined


def stripe_client() -> stripe.StripeClient:
    return stripe.StripeClient("sk_test_localstripe", base_addresses={"api": current_app.config["STRIPE_API_BASE"]})


def pay_intent(intent_id: str, card: str = CARD_OK):
    """What Stripe.js does with the client secret: attach a card and confirm the intent."""
    client = stripe_client()
    pm = client.v1.payment_methods.create(params={
        "type": "card", "card": {"number": card, "exp_month": 12, "exp_year": 2030, "cvc": "123"}})
    client.v1.payment_intents.update(intent_id, params={"payment_method": pm.id})
    try:
        return client.v1.payment_intents.confirm(intent_id)
    except stripe.CardError:
        return client.v1.payment_intents.retrieve(intent_id)


def intent_of(order_body: dict) -> str:
    """The order's PaymentIntent id (the client secret is only shown while the payment is open)."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.payments.models import Payment

    if order_body.get("payment") and order_body["payment"].get("client_secret"):
        return order_body["payment"]["client_secret"].split("_secret_")[0]
    db.session.commit()
    return db.session.scalar(sa.select(Payment.provider_ref).where(Payment.order_id == order_body["id"]))


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def event_payload(event_type: str, obj: dict, event_id: str | None = None) -> bytes:
    return json.dumps({"id": event_id or f"evt_{time.time_ns()}", "object": "event", "type": event_type,
                       "data": {"object": obj}}).encode()


def intent_event(event_type: str, intent_id: str, event_id: str | None = None) -> bytes:
    """An event carrying the intent as localstripe currently has it."""
    intent = stripe_client().v1.payment_intents.retrieve(intent_id)
    obj = json.loads(json.dumps(intent.to_dict(), default=str))
    return event_payload(event_type, obj, event_id)


def post_webhook(client, payload: bytes, signature: str | None = None):
    headers = {"Stripe-Signature": signature if signature is not None else sign(payload),
               "Content-Type": "application/json"}
    return client.post("/webhooks/stripe", data=payload, headers=headers)


def shopper_completes(intent_id: str, *, paid: bool = True) -> dict:
    """The shopper scans the WeChat Pay QR code / approves in Alipay (paid), or gives up (not paid):
    the fake's test hook (tests/localstripe_wallets.py). Returns the intent as the fake now has it."""
    import requests

    base = current_app.config["STRIPE_API_BASE"]
    r = requests.post(f"{base}/_config/payment_intents/{intent_id}/{'complete' if paid else 'fail'}", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()
