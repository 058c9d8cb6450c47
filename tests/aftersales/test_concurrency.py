"""Races on PostgreSQL: each contested after-sales path ends in exactly one outcome."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.orders.cancellation import cutoff_of
from app.payments.models import Refund
from app.pickup.models import DeliveryBatch
from tests.aftersales.helpers import stripe_refunds
from tests.concurrency import race
from tests.factories import if_match, make_buyer, make_group, make_leader, make_product
from tests.flows import order_row, paid_order

pytestmark = pytest.mark.postgres
N = 8


def _order(client):
    group = make_group(make_leader())
    buyer = make_buyer(group)
    sku = make_product(skus=[{"code": "RACE1", "name": "x", "price_cents": 1200, "stock_total": 20}]).skus[0]
    return paid_order(client, buyer, [(sku.id, 3)]), buyer


def test_concurrent_cancels_refund_once(app, client):
    order, buyer = _order(client)
    headers = buyer.headers
    responses = race(app, N, lambda c, i: c.post(f"/api/v1/store/orders/{order['id']}/cancel", headers=headers))
    assert {r.status_code for r in responses} <= {200, 409}, [r.get_json() for r in responses]
    assert 200 in {r.status_code for r in responses}
    assert stripe_refunds(order) == [3600]
    assert order_row(order["id"]).refunded_cents == 3600


def test_a_cancel_racing_the_cutoff_sweep_either_refunds_or_is_packed(app, client):
    from app.pickup.cutoff import close_due

    order, buyer = _order(client)
    row = order_row(order["id"])
    batch_id, headers = row.batch_id, buyer.headers
    # The sweep runs as if past the cut-off; the shopper's request a moment before it.
    cutoff = cutoff_of(row)

    def step(c, i):
        if i == 0:
            with app.app_context(), time_machine.travel(cutoff + dt.timedelta(seconds=1), tick=False):
                return close_due()
        return c.post(f"/api/v1/store/orders/{order['id']}/cancel", headers=headers)

    with time_machine.travel(cutoff - dt.timedelta(milliseconds=500), tick=True):
        closed, cancelled = race(app, 2, step)
    db.session.commit()
    batch = db.session.get(DeliveryBatch, batch_id)
    refunds = db.session.scalar(sa.select(sa.func.count()).select_from(Refund).where(Refund.order_id == order["id"]))
    if cancelled.status_code == 200:
        assert refunds == 1 and order_row(order["id"]).close_reason == "cancelled_before_cutoff"
        from app.pickup.batches import pick_list

        assert all(r["order_number"] != order["number"] for r in pick_list(batch_id))  # nothing to pack
    else:
        assert cancelled.status_code == 409 and refunds == 0 and batch.status.value == "closed"
    assert closed in (0, 1)


def test_two_approvals_of_one_request_make_one_refund(app, client):
    from tests.aftersales.helpers import ask, picked_up

    s = picked_up(client)
    req = ask(client, s["buyer"], s["order"]).get_json()
    client.post(f"/api/v1/leader/after-sales/{req['id']}/review", headers=s["leader"].headers,
                json={"verdict": "confirmed"})
    headers = s["staff"].headers
    responses = race(app, N, lambda c, i: c.post(f"/api/v1/admin/after-sales/{req['id']}/decision", headers=headers,
                                                 json={"decision": "refund"}))
    assert sorted(r.status_code for r in responses) == [200] + [409] * (N - 1), [r.get_json() for r in responses]
    assert stripe_refunds(s["order"]) == [1500]


def test_a_request_racing_a_staff_refund_never_refunds_more_than_paid(app, client):
    import uuid

    from tests.aftersales.helpers import picked_up

    s = picked_up(client, lines=((2, 1500),))
    client.patch("/api/v1/admin/after-sales/rules",
                 headers=if_match(client, "/api/v1/admin/after-sales/rules", s["staff"].headers),
                 json={"auto_approve_max_cents": 100_000, "auto_approve_max_rate_bps": 10_000})
    order, line_id = s["order"], s["order"]["lines"][0]["id"]
    buyer_headers, staff_headers = s["buyer"].headers, s["staff"].headers

    def step(c, i):
        if i % 2:
            return c.post(f"/api/v1/admin/orders/{order['id']}/refunds", json={"reason": "staff"},
                          headers={**staff_headers, "Idempotency-Key": str(uuid.uuid4())})
        return c.post(f"/api/v1/store/orders/{order['id']}/after-sales", headers=buyer_headers,
                      json={"order_line_id": line_id, "reason": "damaged", "quantity": 2})

    responses = race(app, 4, step)
    assert all(r.status_code < 500 for r in responses), [r.get_json() for r in responses]
    row = order_row(order["id"])
    assert row.refunded_cents <= row.paid_cents == 3000
    assert sum(stripe_refunds(order)) == 3000
