"""Refund behaviours the mutation run of app/payments/refunds.py showed unguarded (scripts/mutate
refunds; docs/testing.md "Mutation testing"): what a declined refund puts back, what a late second
answer from the provider may not undo, and how a refund made in Stripe's dashboard is recorded."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import time_machine

from app.campaigns import groupbuy
from app.db import utcnow
from app.extensions import db
from app.orders.models import Order
from app.payments import refunds
from app.payments.models import Payment, Refund
from app.payments.tasks import reconcile
from app.pickup.uncollected import refund_uncollected
from tests.aftersales.helpers import ask, picked_up
from tests.api.test_group_buys import after_deadline, join, refunds_at_stripe
from tests.api.test_group_buys import deal as deal  # noqa: F401 (the fixture)
from tests.api.test_refund_approvals import threshold
from tests.api.test_refunds import order_row, paid_order, refund, stripe_refunds
from tests.factories import checkout, make_buyer, make_group, make_leader, make_product, make_staff, sku_counts
from tests.flows import batch_of, deliver
from tests.flows import paid_order as group_order
from tests.stripe_helpers import (
    CARD_DECLINED,
    event_payload,
    intent_event,
    intent_of,
    pay_intent,
    post_webhook,
    stripe_client,
)

ADMIN = "/api/v1/admin"


def declined_order(client, quantity: int = 2, price: int = 1500) -> dict:
    """An order Stripe reports paid whose charge was declined: refunding it there fails (400)."""
    sku = make_product(skus=[{"code": f"D{utcnow().timestamp()}", "name": "x", "price_cents": price,
                              "stock_total": 20}]).skus[0]
    body = checkout(client, make_buyer(), [(sku.id, quantity)]).get_json()
    pay_intent(intent_of(body), card=CARD_DECLINED)
    post_webhook(client, event_payload("payment_intent.succeeded", {"id": intent_of(body), "status": "succeeded"}))
    return body


def refunds_listed(client, staff, order_id: int) -> list[dict]:
    return client.get(f"{ADMIN}/orders/{order_id}/refunds", headers=staff.headers).get_json()


def dashboard_refund(client, order: dict, cents: int, total_refunded: int):
    """A refund made in Stripe's dashboard, then the charge.refunded event with the charge's total."""
    stripe_client().v1.refunds.create(params={"payment_intent": intent_of(order), "amount": cents})
    return post_webhook(client, event_payload("charge.refunded", {
        "id": f"ch_{order['id']}", "payment_intent": intent_of(order), "amount_refunded": total_refunded}))


def test_a_declined_part_refund_gives_the_line_its_amount_back_and_shows_when_it_failed(client):
    """A declined refund of 1 of 2 units puts back the line's refunded amount, not only its units: the
    later refund of the whole line (its last units take what the line has left) is the full 3000."""
    staff = make_staff()
    body = declined_order(client)
    line = body["lines"][0]
    failed = refund(client, staff, body["id"], {"reason": "one", "lines": [{"line_id": line["id"], "quantity": 1}]})
    assert failed.status_code == 201 and failed.get_json()["status"] == "failed"
    assert failed.get_json()["completed_at"] is not None  # when it failed, for the merchant
    row = order_row(body["id"])
    assert (row.lines[0].refunded_quantity, row.lines[0].refunded_cents, row.refunded_cents) == (0, 0, 0)
    assert refunds.requested_amount(row, None) == 3000


def test_a_declined_refund_leaves_another_orders_pending_refund_pending(app, client, monkeypatch):
    staff = make_staff()
    waiting, _, _ = paid_order(client, lines=((1, 1200),))
    real = app.config["STRIPE_API_BASE"]
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing listens there
    pending = refund(client, staff, waiting["id"], {"reason": "later"})
    assert pending.status_code == 202 and pending.get_json()["status"] == "pending"
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", real)
    declined = declined_order(client)
    assert refund(client, staff, declined["id"], {"reason": "x"}).get_json()["status"] == "failed"
    assert [r["status"] for r in refunds_listed(client, staff, waiting["id"])] == ["pending"]
    db.session.execute(sa.update(Refund).where(Refund.id == pending.get_json()["id"])
                       .values(created_at=utcnow() - dt.timedelta(minutes=5)))
    db.session.commit()
    assert reconcile()["refunds_retried"] == 1
    assert order_row(waiting["id"]).status.value == "refunded" and stripe_refunds(waiting) == [1200]


def test_a_late_failure_answer_does_not_undo_a_refund_that_succeeded(client):
    """Two workers on one refund (an expired claim): the first records success; the second then
    arrives with a failure (its provider call errored) and must change nothing."""
    staff = make_staff()
    body, _, _ = paid_order(client, lines=((2, 1500),))
    done = refund(client, staff, body["id"], {"reason": "x"}).get_json()
    assert done["status"] == "succeeded"
    refunds._fail(db.session.get(Refund, done["id"]), "late answer")
    db.session.commit()
    row = order_row(body["id"])
    assert (row.status.value, row.refunded_cents, row.lines[0].refunded_quantity) == ("refunded", 3000, 2)
    assert [(r["status"], r["failure_message"]) for r in refunds_listed(client, staff, body["id"])] == [
        ("succeeded", None)]


def test_a_one_cent_dashboard_refund_is_recorded_as_no_restock_with_its_reason(client):
    staff = make_staff()
    order, _, _ = paid_order(client, lines=((1, 1000),))
    r = dashboard_refund(client, order, 1, 1)
    assert r.get_json()["outcome"] == "recorded external refund of 1"
    assert [(x["amount_cents"], x["status"], x["restock"], x["reason"], x["lines"])
            for x in refunds_listed(client, staff, order["id"])] == [
        (1, "succeeded", False, "refunded at the payment provider", [])]


def test_a_dashboard_refund_counts_only_this_payments_refunds_and_not_failed_ones(client):
    """What is already known is the sum of this payment's pending and succeeded refunds: another
    order's refund, or a refund Stripe declined, must not hide the dashboard refund."""
    staff = make_staff()
    other, _, _ = paid_order(client, lines=((1, 5000),))
    assert refund(client, staff, other["id"], {"reason": "x"}).get_json()["status"] == "succeeded"
    order, _, _ = paid_order(client, lines=((1, 2000),))
    r = dashboard_refund(client, order, 700, 700)
    assert r.get_json()["outcome"] == "recorded external refund of 700"
    assert order_row(order["id"]).refunded_cents == 700

    declined = declined_order(client, quantity=1, price=900)
    assert refund(client, staff, declined["id"], {"reason": "x"}).get_json()["status"] == "failed"
    # Stripe declined ours; the merchant then refunds 400 by hand (posted as an event: the charge failed at Stripe).
    r = post_webhook(client, event_payload("charge.refunded", {
        "id": "ch_declined", "payment_intent": intent_of(declined), "amount_refunded": 400}))
    assert r.get_json()["outcome"] == "recorded external refund of 400"
    assert order_row(declined["id"]).refunded_cents == 400


def test_an_after_sale_refund_of_a_collected_unit_goes_through_without_restocking(client):
    """System refunds of units the shopper took home: not limited to waiting units, and nothing
    goes back on sale (the refund says restock false)."""
    s = picked_up(client, lines=((2, 1500),))
    req = ask(client, s["buyer"], s["order"]).get_json()
    client.post(f"/api/v1/leader/after-sales/{req['id']}/review", headers=s["leader"].headers,
                json={"verdict": "confirmed", "note": "crushed"})
    done = client.post(f"/api/v1/admin/after-sales/{req['id']}/decision", headers=s["staff"].headers,
                       json={"decision": "refund"})
    assert done.status_code == 200 and done.get_json()["refund_cents"] == 1500, done.get_json()
    listed = refunds_listed(client, s["staff"], s["order"]["id"])
    assert [(r["amount_cents"], r["status"], r["restock"]) for r in listed] == [(1500, "succeeded", False)]
    assert sku_counts(s["skus"][0].id) == (20, 0, 2)


def test_a_shortage_at_arrival_refunds_exactly_the_short_units_without_restocking(client):
    staff = make_staff()
    leader = make_leader(staff)
    buyer = make_buyer(make_group(leader))
    sku = make_product(skus=[{"code": f"S{utcnow().timestamp()}", "name": "x", "price_cents": 1500,
                              "stock_total": 20}]).skus[0]
    order = group_order(client, buyer, [(sku.id, 2)])
    deliver(client, staff, leader, batch_of(client, staff, order)["id"],
            shortages=[{"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason": "damaged"}])
    assert [(r["amount_cents"], r["status"], r["restock"]) for r in refunds_listed(client, staff, order["id"])] == [
        (1500, "succeeded", False)]
    assert stripe_refunds(order) == [1500] and order_row(order["id"]).refunded_cents == 1500


def test_an_uncollected_refund_queued_before_a_late_pickup_refunds_nothing(client):
    """The uncollected job was queued for 2 waiting units; the shopper then collected one. The job's
    refund is limited to units still waiting, so it refunds nothing rather than a unit taken home."""
    staff = make_staff()
    leader = make_leader(staff)
    buyer = make_buyer(make_group(leader))
    sku = make_product(skus=[{"code": f"L{utcnow().timestamp()}", "name": "x", "price_cents": 2000,
                              "stock_total": 20}]).skus[0]
    order = group_order(client, buyer, [(sku.id, 2)])
    deliver(client, staff, leader, batch_of(client, staff, order)["id"])
    line_id = order["lines"][0]["id"]
    assert client.post("/api/v1/leader/pickups", headers=leader.headers, json={
        "code": order["pickup_code"], "lines": [{"order_line_id": line_id, "quantity": 1}]}).status_code == 200
    refund_uncollected(order["id"], {str(line_id): 2}, 0)
    assert refunds_listed(client, staff, order["id"]) == [] and stripe_refunds(order) == []
    row = order_row(order["id"])
    assert (row.status.value, row.refunded_cents, row.lines[0].refunded_quantity) == ("paid", 0, 0)


def surplus(order_id: int, cents: int, already_back: int = 0) -> int:
    """A second payment for an already paid order (paid at the point), of which `already_back` was
    given back before the surplus job ran: the state mark_paid leaves before it queues the job."""
    db.session.add(extra := Payment(order_id=order_id, provider="pay_at_pickup", amount_cents=cents,
                                    refunded_cents=already_back, status="succeeded"))
    db.session.execute(sa.update(Order).where(Order.id == order_id).values(
        paid_cents=Order.paid_cents + cents, refunded_cents=Order.refunded_cents + already_back))
    db.session.commit()
    return extra.id


def test_a_payment_for_a_closed_order_is_refunded_with_its_units_once(client):
    """The stock went to someone else before the late payment: the job refunds all of it, with the
    order's units, no restock, and a reason the merchant can read; running the job again is a no-op."""
    staff = make_staff()
    sku = make_product(skus=[{"code": f"C{utcnow().timestamp()}", "name": "x", "price_cents": 1500,
                              "stock_total": 2}]).skus[0]
    order = checkout(client, make_buyer(), [(sku.id, 2)]).get_json()
    with time_machine.travel(utcnow() + dt.timedelta(minutes=20), tick=False):
        assert checkout(client, make_buyer(), [(sku.id, 2)]).status_code == 201  # takes the lapsed stock
        pay_intent(intent_of(order))
        post_webhook(client, intent_event("payment_intent.succeeded", intent_of(order)))
    listed = refunds_listed(client, staff, order["id"])
    assert [(r["amount_cents"], r["restock"], r["reason"]) for r in listed] == [
        (3000, False, "payment arrived for a closed order")]
    assert [(x["order_line_id"], x["quantity"], x["amount_cents"]) for x in listed[0]["lines"]] == [
        (order["lines"][0]["id"], 2, 3000)]
    payment_id = db.session.scalar(sa.select(Payment.id).where(Payment.order_id == order["id"]))
    refunds.refund_surplus_payment(payment_id)  # the job delivered twice
    refunds.refund_surplus_payment(987654321)  # or for a payment that is not there
    assert len(refunds_listed(client, staff, order["id"])) == 1 and stripe_refunds(order) == [3000]
    assert sku_counts(sku.id) == (2, 2, 0)


def test_a_surplus_payment_on_a_paid_order_goes_back_without_touching_the_units(client):
    staff = make_staff()
    order, _, _ = paid_order(client, lines=((2, 1500),))
    refunds.refund_surplus_payment(surplus(order["id"], 3000, already_back=2999))
    listed = refunds_listed(client, staff, order["id"])
    assert [(r["amount_cents"], r["status"], r["lines"]) for r in listed] == [(1, "succeeded", [])]
    row = order_row(order["id"])
    assert (row.refunded_cents, row.lines[0].refunded_quantity, row.lines[0].refunded_cents) == (3000, 0, 0)
    assert refunds.requested_amount(row, None) == 3000  # the shopper's units can still be refunded in full


def test_the_sweep_retries_a_pending_refund_from_one_minute_old_not_before(app, client, monkeypatch):
    """A refund younger than a minute may still be on its way in the request that made it."""
    staff = make_staff()
    order, _, _ = paid_order(client, lines=((1, 800),))
    start = utcnow().replace(microsecond=0)
    real = app.config["STRIPE_API_BASE"]
    with time_machine.travel(start, tick=False):
        monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")  # nothing listens there
        assert refund(client, staff, order["id"], {"reason": "later"}).get_json()["status"] == "pending"
        monkeypatch.setitem(app.config, "STRIPE_API_BASE", real)
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        assert reconcile()["refunds_retried"] == 0
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        assert reconcile()["refunds_retried"] == 1
    assert stripe_refunds(order) == [800] and order_row(order["id"]).status.value == "refunded"


def test_a_second_restocking_refund_puts_back_only_the_units_still_in_hand(client):
    """4 units: 1 short at arrival (refunded then), 1 collected. Refunding 1 puts 1 back; refunding
    the other 2 (one of them the collected one) puts back the 1 unit still at the point — not none,
    which is what a count that ignores the short or the collected unit ends in (the guard refuses it)."""
    staff = make_staff()
    leader = make_leader(staff)
    buyer = make_buyer(make_group(leader))
    sku = make_product(skus=[{"code": f"K{utcnow().timestamp()}", "name": "x", "price_cents": 1000,
                              "stock_total": 20}]).skus[0]
    order = group_order(client, buyer, [(sku.id, 4)])
    line_id = order["lines"][0]["id"]
    deliver(client, staff, leader, batch_of(client, staff, order)["id"],
            shortages=[{"order_line_id": line_id, "quantity": 1, "reason": "missing"}])
    assert client.post("/api/v1/leader/pickups", headers=leader.headers, json={
        "code": order["pickup_code"], "lines": [{"order_line_id": line_id, "quantity": 1}]}).status_code == 200
    sold = sku_counts(sku.id)[2]
    first = refund(client, staff, order["id"], {"reason": "a", "lines": [{"line_id": line_id, "quantity": 1}]})
    assert first.get_json()["status"] == "succeeded" and sku_counts(sku.id)[2] == sold - 1
    second = refund(client, staff, order["id"], {"reason": "b", "lines": [{"line_id": line_id, "quantity": 2}]})
    assert second.get_json()["status"] == "succeeded" and sku_counts(sku.id)[2] == sold - 2
    row = order_row(order["id"])
    assert (row.lines[0].restocked_quantity, row.lines[0].refunded_quantity, row.status.value) == (
        2, 4, "refunded")


def test_one_unit_above_the_approval_threshold_waits_for_a_colleague_at_its_own_amount(client):
    """The four-eyes quote of a refund by lines is those lines' amount: one unit of 15.00 over a
    10.00 threshold is a request for 15.00, not a refund at once (nor a quote of the whole order)."""
    threshold(client, 1000)
    clerk = make_staff(role="customer_service")
    order, _, _ = paid_order(client)  # 2 × 15.00 + 3 × 10.00
    asked = refund(client, clerk, order["id"], {"reason": "one", "lines": [{"line_id": order["lines"][0]["id"],
                                                                           "quantity": 1}]})
    assert asked.status_code == 202, asked.get_json()
    assert (asked.get_json()["kind"], asked.get_json()["amount_cents"]) == ("refund", 1500)
    assert refunds_listed(client, clerk, order["id"]) == [] and stripe_refunds(order) == []


def test_a_failed_group_buy_refunds_what_a_staff_refund_left_of_the_order(client, deal):
    """One of two units was refunded by staff before the deadline; when the deal fails, the rest of
    the payment goes back with the one unit left, and the order ends fully refunded."""
    staff = make_staff()
    order = join(client, make_buyer(deal["groups"][0]), deal, quantity=2)
    line_id = order["lines"][0]["id"]
    first = refund(client, staff, order["id"], {"reason": "one", "lines": [{"line_id": line_id, "quantity": 1}]})
    assert first.get_json()["amount_cents"] == 3000
    with after_deadline():
        assert groupbuy.settle()["failed"] == 1
    assert sorted(refunds_at_stripe(order)) == [3000, 3000]
    last = refunds_listed(client, staff, order["id"])[-1]
    assert (last["amount_cents"], [(x["order_line_id"], x["quantity"]) for x in last["lines"]]) == (
        3000, [(line_id, 1)])
    row = order_row(order["id"])
    assert (row.status.value, row.refunded_cents, row.lines[0].refunded_quantity) == ("refunded", 6000, 2)


def test_a_line_named_twice_refunds_both_quantities_and_a_full_refund_skips_refunded_lines(client):
    staff = make_staff()
    order, _, _ = paid_order(client)  # 2 × 15.00 + 3 × 10.00
    first_line, second_line = (ln["id"] for ln in order["lines"])
    twice = refund(client, staff, order["id"], {"reason": "two", "lines": [
        {"line_id": first_line, "quantity": 1}, {"line_id": first_line, "quantity": 1}]}).get_json()
    assert (twice["amount_cents"], [(x["order_line_id"], x["quantity"]) for x in twice["lines"]]) == (
        3000, [(first_line, 2)])
    rest = refund(client, staff, order["id"], {"reason": "the rest"}).get_json()
    assert (rest["amount_cents"], [(x["order_line_id"], x["quantity"]) for x in rest["lines"]]) == (
        3000, [(second_line, 3)])
