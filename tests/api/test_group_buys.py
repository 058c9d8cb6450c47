"""Group-buy thresholds: the deal happens only if enough neighbours join before the deadline."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
import time_machine

from app.campaigns import groupbuy, refund_outbox
from app.campaigns.models import RefundRequest
from app.extensions import db
from app.payments import refunds as refunds_module
from app.payments.tasks import reconcile
from tests.factories import make_buyer, make_campaign, make_group, make_leader, make_product, make_staff
from tests.flows import order_row
from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook, stripe_client


def after_deadline(hours: float = 2):
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours), tick=False)


@pytest.fixture
def deal():
    staff = make_staff()
    groups = [make_group(make_leader(staff)) for _ in range(2)]
    sku = make_product(skus=[{"code": f"GB-{uuid.uuid4().hex[:6]}", "name": "x", "price_cents": 5000,
                              "stock_total": 5}]).skus[0]
    campaign = make_campaign("group_buy", items=[(sku.id, 3000, 50)], staff=staff, threshold_kind="participants",
                             threshold=3, threshold_scope="per_group")
    return {"campaign": campaign, "item": campaign.items[0].id, "sku": sku.id, "groups": groups}


def join(client, buyer, deal, quantity=1):
    order = client.post("/api/v1/store/orders", json={"lines": [
        {"sku_id": deal["sku"], "quantity": quantity, "campaign_item_id": deal["item"]}]},
        headers={**buyer.headers, "Idempotency-Key": str(uuid.uuid4())}).get_json()
    pay_intent(intent_of(order))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    return order


def refunds_at_stripe(order) -> list[int]:
    return [r.amount for r in stripe_client().v1.refunds.list(params={"payment_intent": intent_of(order)}).data]


def test_orders_wait_until_the_threshold_then_all_go_to_delivery(client, deal):
    group = deal["groups"][0]
    buyers = [make_buyer(group) for _ in range(3)]
    first = join(client, buyers[0], deal)
    join(client, buyers[1], deal)
    row = order_row(first["id"])
    assert (row.status.value, row.fulfilment.value, row.batch_id) == ("paid", "pending", None)
    listed = client.get("/api/v1/store/campaigns", headers=buyers[0].headers).get_json()[0]["group_buy"]
    assert (listed["participants"], listed["current"], listed["threshold"], listed["outcome"]) == (2, 2, 3, "open")
    join(client, buyers[2], deal)
    for buyer in buyers[:2]:
        titles = [n["title"] for n in client.get("/api/v1/store/inbox", headers=buyer.headers).get_json()]
        assert "The group buy is on" in titles
    assert order_row(first["id"]).fulfilment.value == "scheduled"
    assert client.get("/api/v1/store/campaigns", headers=buyers[0].headers).get_json()[0]["group_buy"][
        "outcome"] == "reached"


def test_each_group_has_its_own_threshold(client, deal):
    a, b = deal["groups"]
    for _ in range(3):
        join(client, make_buyer(a), deal)
    lonely = join(client, make_buyer(b), deal)
    with after_deadline():
        # A was recorded as reached when its third neighbour paid; only B is left to settle.
        assert groupbuy.settle() == {"reached": 0, "failed": 1, "refunds_requested": 1}
    assert order_row(lonely["id"]).status.value == "refunded"
    assert refunds_at_stripe(lonely) == [3000]


def test_a_failed_deal_refunds_everyone_exactly_once_even_after_a_crash(app, client, deal, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "")  # jobs inline, so the injected crash reaches us
    group = deal["groups"][0]
    orders = [join(client, make_buyer(group), deal, quantity=q) for q in (1, 2)]
    real_complete, calls = refunds_module.complete_refund, []

    def crash_after_recording_the_second(refund_id):
        calls.append(refund_id)
        if len(calls) == 2:
            raise RuntimeError("worker killed")  # recorded in the database, never sent to Stripe
        return real_complete(refund_id)

    monkeypatch.setattr(refunds_module, "complete_refund", crash_after_recording_the_second)
    with after_deadline(), pytest.raises(RuntimeError):
        groupbuy.settle()
    monkeypatch.setattr(refunds_module, "complete_refund", real_complete)
    db.session.rollback()
    assert refunds_at_stripe(orders[0]) == [3000] and refunds_at_stripe(orders[1]) == []
    with after_deadline(3):
        groupbuy.settle()              # the sweep runs again: nothing is refunded twice
        refund_outbox.process_pending()
        reconcile()                    # and the refund left pending is sent
    assert refunds_at_stripe(orders[0]) == [3000] and refunds_at_stripe(orders[1]) == [6000]
    for order in orders:
        row = order_row(order["id"])
        assert (row.status.value, row.fulfilment.value) == ("refunded", "not_delivered")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RefundRequest)
                             .where(RefundRequest.refund_id.is_not(None))) == 2


def test_a_crash_before_a_refund_is_recorded_is_simply_retried(app, client, deal, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "")  # jobs inline, so the injected crash reaches us
    group = deal["groups"][0]
    orders = [join(client, make_buyer(group), deal) for _ in range(2)]
    real_process, seen = refund_outbox.process, []

    def crash_on_second(request_id):
        seen.append(request_id)
        if len(seen) == 2:
            raise RuntimeError("worker killed before recording")
        return real_process(request_id)

    monkeypatch.setattr(refund_outbox, "process", crash_on_second)
    with after_deadline(), pytest.raises(RuntimeError):
        groupbuy.settle()
    monkeypatch.setattr(refund_outbox, "process", real_process)
    db.session.rollback()
    with after_deadline(3):
        assert refund_outbox.process_pending() == 1
    assert [refunds_at_stripe(o) for o in orders] == [[3000], [3000]]


def test_paying_after_a_failed_deal_is_refunded(client, deal):
    group = deal["groups"][0]
    buyer = make_buyer(group)
    order = client.post("/api/v1/store/orders", json={"lines": [
        {"sku_id": deal["sku"], "quantity": 1, "campaign_item_id": deal["item"]}]},
        headers={**buyer.headers, "Idempotency-Key": "late"}).get_json()
    join(client, make_buyer(group), deal)
    with after_deadline():
        groupbuy.settle()
        pay_intent(intent_of(order))
        post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
        refund_outbox.process_pending()
    assert refunds_at_stripe(order) == [3000]
