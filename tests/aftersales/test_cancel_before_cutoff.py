"""A shopper cancels a paid order (or lines of it) until its cut-off: refunded in full, stock back,
commission reversed, once under retries; after the cut-off a 409 pointing to after-sales."""
from __future__ import annotations

import datetime as dt

import time_machine

from app.extensions import db
from app.orders.cancellation import cutoff_of
from tests.aftersales.helpers import cancel, stripe_refunds
from tests.assertions import assert_error, database_unchanged
from tests.factories import make_buyer, make_group, make_leader, make_product, sku_counts
from tests.flows import order_row, paid_order


def _setup(client, lines=((2, 1500), (3, 1000))):
    group = make_group(make_leader())
    buyer = make_buyer(group)
    skus = [make_product(skus=[{"code": f"C{i}{price}", "name": "x", "price_cents": price, "stock_total": 20}]).skus[0]
            for i, (_, price) in enumerate(lines)]
    order = paid_order(client, buyer, [(s.id, q) for s, (q, _) in zip(skus, lines, strict=True)])
    return order, skus, buyer


def test_cancelling_a_paid_order_before_the_cutoff_refunds_it_all_and_restocks(client):
    order, skus, buyer = _setup(client)
    r = cancel(client, buyer, order["id"])
    assert r.status_code == 200, r.get_json()
    row = order_row(order["id"])
    assert row.status.value == "refunded" and row.refunded_cents == row.paid_cents == 6000
    assert row.close_reason == "cancelled_before_cutoff" and row.fulfilment.value == "not_delivered"
    assert stripe_refunds(order) == [6000]
    assert [sku_counts(s.id)[2] for s in skus] == [0, 0]  # nothing sold any more


def test_cancelling_some_lines_refunds_just_those(client):
    order, skus, buyer = _setup(client)
    line = order["lines"][1]
    r = cancel(client, buyer, order["id"], {"lines": [{"line_id": line["id"], "quantity": 2}]})
    assert r.status_code == 200, r.get_json()
    row = order_row(order["id"])
    assert row.status.value == "partially_refunded" and row.refunded_cents == 2000
    assert stripe_refunds(order) == [2000]
    assert sku_counts(skus[1].id)[2] == 1 and sku_counts(skus[0].id)[2] == 2


def test_a_retried_cancel_refunds_once(client):
    order, _, buyer = _setup(client)
    assert cancel(client, buyer, order["id"]).status_code == 200
    again = cancel(client, buyer, order["id"])
    assert again.status_code == 200 and again.get_json()["status"] == "refunded"
    assert stripe_refunds(order) == [6000]


def test_after_the_cutoff_the_answer_is_409_pointing_to_after_sales(client):
    order, _, buyer = _setup(client)
    cutoff = cutoff_of(order_row(order["id"]))
    with time_machine.travel(cutoff + dt.timedelta(seconds=1), tick=False), database_unchanged():
        err = assert_error(cancel(client, buyer, order["id"]), 409, "past_cutoff")
    assert err["details"]["after_sales"].endswith(f"/orders/{order['id']}/after-sales")
    with time_machine.travel(cutoff - dt.timedelta(seconds=1), tick=False):
        assert cancel(client, buyer, order["id"]).status_code == 200


def test_a_closed_batch_refuses_the_cancel(client):
    from app.pickup import batches

    order, _, buyer = _setup(client)
    batches.close(order_row(order["id"]).batch_id)
    with database_unchanged():
        assert_error(cancel(client, buyer, order["id"]), 409, "past_cutoff")


def test_the_cutoff_sweep_closes_due_batches_only(client):
    from app.pickup.cutoff import close_due
    from app.pickup.models import DeliveryBatch

    order, _, _ = _setup(client)
    row = order_row(order["id"])
    assert close_due() == 0
    with time_machine.travel(cutoff_of(row) + dt.timedelta(seconds=1), tick=False):
        assert close_due() == 1
    db.session.commit()
    assert db.session.get(DeliveryBatch, row.batch_id).status.value == "closed"


def test_bad_cancel_input_is_refused(client):
    order, _, buyer = _setup(client)
    other = make_buyer()
    with database_unchanged():
        assert_error(cancel(client, other, order["id"]), 404)
        assert_error(cancel(client, buyer, order["id"], {"lines": [{"line_id": 999999, "quantity": 1}]}), 422,
                     "unknown_order_line")
        assert_error(cancel(client, buyer, order["id"], {"lines": [{"line_id": order["lines"][0]["id"],
                                                                    "quantity": 3}]}), 409)
        assert_error(cancel(client, buyer, order["id"], {"lines": []}), 422)
