"""Issue 16's money behaviours that no earlier test pinned: an uneven line refunded in parts, a refund
completed twice, and the coupon UPDATE's own guard. Each test fails on the one-line bug named in its
docstring (checked by hand; see docs/testing.md "Behaviour tests")."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import time_machine

from app.accounts.models import Account
from app.coupons import services as coupons
from app.coupons.models import Coupon, CouponStatus
from app.db import utcnow
from app.errors import Conflict
from app.extensions import db
from app.notifications.models import OutboxEvent
from app.payments import refunds
from app.payments.models import Refund
from tests.api.test_coupons import issue, order, template
from tests.api.test_refunds import order_row, paid_order, refund, stripe_refunds
from tests.factories import make_buyer, make_product, make_staff, sku_counts
from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook


def _paid_with_coupon(client, staff, price: int, quantity: int, off: int):
    """A paid order of one line whose coupon makes its total uneven over its units."""
    sku = make_product(skus=[{"code": f"U{utcnow().timestamp()}", "name": "x", "price_cents": price,
                              "stock_total": 20}]).skus[0]
    buyer = make_buyer()
    coupon_id = issue(client, staff, template(client, staff, amount_off_cents=off)["id"], buyer)["issued"][0]["id"]
    body = order(client, buyer, [(sku.id, quantity)], coupon_id).get_json()
    pay_intent(intent_of(body))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(body)))
    return body, sku, buyer


def test_a_line_of_1000_over_3_units_refunded_as_1_then_2_returns_exactly_1000(client):
    """Bug: _line_amount without the 'last units take the remainder' rule (666 + 333 = 999)."""
    staff = make_staff()
    body, sku, _ = _paid_with_coupon(client, staff, price=400, quantity=3, off=200)
    line = body["lines"][0]
    assert (body["total_cents"], line["quantity"]) == (1000, 3)
    one = refund(client, staff, body["id"], {"reason": "1", "lines": [{"line_id": line["id"], "quantity": 1}]})
    assert one.status_code == 201 and one.get_json()["amount_cents"] == 333, one.get_json()
    assert order_row(body["id"]).status.value == "partially_refunded"
    two = refund(client, staff, body["id"], {"reason": "2", "lines": [{"line_id": line["id"], "quantity": 2}]})
    assert two.status_code == 201 and two.get_json()["amount_cents"] == 667, two.get_json()
    row = order_row(body["id"])
    assert (row.status.value, row.refunded_cents, row.paid_cents) == ("refunded", 1000, 1000)
    assert (row.lines[0].refunded_quantity, row.lines[0].refunded_cents) == (3, 1000)
    assert stripe_refunds(body) == [333, 667]
    assert sku_counts(sku.id) == (20, 0, 0)


def _refund_notifications(order_id: int) -> int:
    """The order's refund notifications, as recorded in the outbox (each is sent from there)."""
    events = db.session.scalars(sa.select(OutboxEvent).where(OutboxEvent.event_type == "order.refunded")).all()
    return sum(1 for e in events if e.payload["order_id"] == order_id)


def test_completing_a_refund_twice_changes_spend_stock_and_notifications_once(app, client, monkeypatch):
    """Bug: _succeed's UPDATE without `status == pending` (a second completion applies it all again)."""
    staff = make_staff()
    body, skus, buyer = paid_order(client, lines=((2, 1500),))
    assert db.session.get(Account, buyer.id).lifetime_spend_cents == 3000
    real = app.config["STRIPE_API_BASE"]
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    line = body["lines"][0]
    r = refund(client, staff, body["id"], {"reason": "x", "restock": True,
                                           "lines": [{"line_id": line["id"], "quantity": 1}]})
    assert r.status_code == 202 and r.get_json()["status"] == "pending"
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", real)
    refund_id = r.get_json()["id"]
    assert refunds._claim_attempt(refund_id)  # worker 1 claims it, then stalls past the claim's timeout
    with time_machine.travel(utcnow() + refunds.ATTEMPT_TIMEOUT + dt.timedelta(seconds=1), tick=False):
        assert refunds.complete_refund(refund_id).status.value == "succeeded"  # worker 2 takes over
        # worker 1 resumes with its provider answer and records the same success again
        refunds._succeed(db.session.get(Refund, refund_id), "re_again")
        db.session.commit()
        assert refunds.complete_refund(refund_id).status.value == "succeeded"
    db.session.commit()
    assert db.session.get(Account, buyer.id, populate_existing=True).lifetime_spend_cents == 1500
    assert sku_counts(skus[0].id) == (20, 0, 1)
    assert _refund_notifications(body["id"]) == 1
    assert stripe_refunds(body) == [1500]
    row = order_row(body["id"])
    assert (row.status.value, row.refunded_cents) == ("partially_refunded", 1500)


def test_a_second_redeem_of_a_used_coupon_is_refused_by_the_update_itself(client):
    """Bug: redeem's UPDATE without `status == available`. The read check in checkout refuses
    first in sequence (and in the threaded race), so this calls the UPDATE directly, as the loser
    of a race that passed the read check would."""
    staff = make_staff()
    sku = make_product().skus[0]
    buyer = make_buyer()
    coupon_id = issue(client, staff, template(client, staff)["id"], buyer)["issued"][0]["id"]
    first = order(client, buyer, [(sku.id, 2)], coupon_id).get_json()
    second = order(client, buyer, [(sku.id, 2)]).get_json()
    try:
        coupons.redeem(coupon_id, buyer.id, second["id"], utcnow())
    except Conflict as refused:
        assert refused.code == "coupon_unavailable"
    else:
        raise AssertionError("a used coupon was redeemed again")
    db.session.rollback()
    coupon = db.session.get(Coupon, coupon_id, populate_existing=True)
    assert (coupon.status, coupon.order_id) == (CouponStatus.USED, first["id"])
