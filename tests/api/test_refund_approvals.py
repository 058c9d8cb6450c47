"""Four-eyes for large staff refunds: above the store's refund_approval_above_cents a staff refund
waits for a second staff member; at or below it, or with the setting off, it goes at once."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.payments.models import Refund
from tests.api.test_refunds import order_row, paid_order, refund, stripe_refunds
from tests.assertions import assert_error, database_unchanged
from tests.concurrency import race
from tests.factories import if_match, make_staff

ADMIN = "/api/v1/admin"


def threshold(client, cents):
    r = client.patch(f"{ADMIN}/settings",
                     headers=if_match(client, f"{ADMIN}/settings", make_staff().headers),
                     json={"refund_approval_above_cents": cents})
    assert r.status_code == 200 and r.get_json()["refund_approval_above_cents"] == cents


def refund_count():
    db.session.commit()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Refund))


def test_off_by_default_a_large_refund_goes_at_once(client):
    order, _, _ = paid_order(client)
    r = refund(client, make_staff(role="customer_service"), order["id"], {"reason": "moved away"})
    assert r.status_code == 201 and r.get_json()["amount_cents"] == 6000


def test_above_the_threshold_a_colleague_approves_and_the_provider_refunds_once(client):
    threshold(client, 2000)
    clerk, colleague = make_staff(role="customer_service"), make_staff(role="finance")
    order, _, _ = paid_order(client)  # 2 × 15.00 + 3 × 10.00
    small = refund(client, clerk, order["id"], {"reason": "1 damaged",
                                                "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}]})
    assert small.status_code == 201 and small.get_json()["amount_cents"] == 1500  # at or below: at once
    key = str(uuid.uuid4())
    asked = refund(client, clerk, order["id"], {"reason": "all of it"}, key=key)
    assert asked.status_code == 202, asked.get_json()
    request = asked.get_json()
    assert (request["kind"], request["status"], request["amount_cents"]) == ("refund", "pending", 4500)
    assert order_row(order["id"]).refunded_cents == 1500 and stripe_refunds(order) == [1500]
    again = refund(client, clerk, order["id"], {"reason": "all of it"}, key=key)
    assert again.get_json() == request and again.headers["Idempotent-Replayed"] == "true"
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/refund-requests/{request['id']}/approve", headers=clerk.headers),
                     403, "four_eyes_required")
    approved = client.post(f"{ADMIN}/refund-requests/{request['id']}/approve", headers=colleague.headers)
    assert approved.status_code == 200, approved.get_json()
    refund_id = approved.get_json()["result_id"]
    row = db.session.get(Refund, refund_id)
    assert (row.amount_cents, row.status.value, row.created_by_id) == (4500, "succeeded", clerk.id)
    assert client.post(f"{ADMIN}/refund-requests/{request['id']}/approve",
                       headers=colleague.headers).get_json()["result_id"] == refund_id
    assert stripe_refunds(order) == [1500, 4500] and order_row(order["id"]).refunded_cents == 6000
    # The same key after approval is still answered as the request it made.
    assert refund(client, clerk, order["id"], {"reason": "all of it"}, key=key).get_json()["id"] == request["id"]


def test_a_rejected_request_refunds_nothing(client):
    threshold(client, 0)
    clerk, colleague = make_staff(role="customer_service"), make_staff(role="customer_service")
    order, _, _ = paid_order(client)
    request_id = refund(client, clerk, order["id"], {"reason": "x"}).get_json()["id"]
    r = client.post(f"{ADMIN}/refund-requests/{request_id}/reject", headers=colleague.headers,
                    json={"reason": "the goods were collected"})
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    assert_error(client.post(f"{ADMIN}/refund-requests/{request_id}/approve", headers=colleague.headers),
                 409, "approval_request_decided")
    listed = client.get(f"{ADMIN}/refund-requests?status=rejected", headers=colleague.headers).get_json()
    assert [x["id"] for x in listed] == [request_id]
    assert refund_count() == 0 and stripe_refunds(order) == []


def test_a_request_is_checked_when_asked(client):
    threshold(client, 0)
    order, _, _ = paid_order(client)
    owner = make_staff()
    with database_unchanged():
        assert_error(refund(client, owner, order["id"], {"reason": "x", "lines": [
            {"line_id": 2147483000, "quantity": 1}]}), 422, "unknown_order_line")


@pytest.mark.postgres
def test_colleagues_racing_to_approve_refund_once(app, client):
    threshold(client, 1000)
    clerk, ann, ben = make_staff(role="customer_service"), make_staff(role="finance"), make_staff()
    order, _, _ = paid_order(client)
    request_id = refund(client, clerk, order["id"], {"reason": "x"}).get_json()["id"]
    heads = [clerk.headers, ann.headers, ben.headers]
    responses = race(app, 12, lambda c, i: c.post(f"{ADMIN}/refund-requests/{request_id}/approve",
                                                  headers=heads[i % 3]))
    assert {responses[i].status_code for i in range(0, 12, 3)} == {403}
    ok = [r.get_json() for i, r in enumerate(responses) if i % 3 and r.status_code == 200]
    assert ok and len({(r["decided_by_id"], r["result_id"]) for r in ok}) == 1
    assert {r.status_code for i, r in enumerate(responses) if i % 3} <= {200, 409}
    assert refund_count() == 1 and stripe_refunds(order) == [6000]
