"""Shared steps for the after-sales tests."""
from __future__ import annotations

from tests.stripe_helpers import intent_of, stripe_client


def cancel(client, buyer, order_id, body=None):
    return client.post(f"/api/v1/store/orders/{order_id}/cancel", headers=buyer.headers, json=body)


def stripe_refunds(order) -> list[int]:
    return sorted(r.amount for r in stripe_client().v1.refunds.list(params={"payment_intent": intent_of(order)}).data)
