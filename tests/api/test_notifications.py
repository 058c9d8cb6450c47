"""The outbox, the in-app inbox and the merchant's signed webhook."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading

import pytest
import sqlalchemy as sa
import time_machine
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.extensions import db
from app.notifications.dispatch import deliver_due, dispatch_pending
from app.notifications.models import Notification, OutboxEvent, WebhookAttempt, WebhookDelivery
from app.notifications.outbox import Recipient, emit
from app.settings.services import get_settings, update_settings
from tests.assertions import assert_error
from tests.concurrency import race
from tests.factories import if_match, make_buyer, make_group, make_leader, make_product, make_shopper, make_staff
from tests.flows import paid_order


class Receiver:
    """A merchant's webhook endpoint on loopback: records what arrives, fails the first N calls."""

    def __init__(self, fail_first: int = 0):
        self.fail_first, self.calls = fail_first, []
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    @Request.application
    def app(self, request):
        self.calls.append((request.headers.get("X-Storefront-Signature"), request.get_data()))
        return Response("no", status=503) if len(self.calls) <= self.fail_first else Response("ok")


@pytest.fixture
def receiver():
    made = []

    def make(fail_first=0):
        made.append(Receiver(fail_first))
        return made[-1]
    yield make
    for r in made:
        r.server.shutdown()


def later(**delta):
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(**delta), tick=False)


def test_a_paid_order_reaches_the_inbox_and_a_signed_webhook(client, receiver):
    hook = receiver()
    update_settings({"webhook_url": hook.url})
    buyer = make_buyer()
    order = paid_order(client, buyer, [(make_product().skus[0].id, 1)])
    assert len(hook.calls) == 1
    signature, body = hook.calls[0]
    parts = dict(p.split("=", 1) for p in signature.split(","))
    expected = hmac.new(get_settings().webhook_secret.encode(), f"{parts['t']}.".encode() + body,
                        hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    event = json.loads(body)
    assert event["type"] == "order.paid" and event["data"]["order_number"] == order["number"]
    assert event["data"]["shopper"]["account_id"] == buyer.id
    inbox = client.get("/api/v1/store/inbox", headers=buyer.headers).get_json()
    assert [n["title"] for n in inbox] == ["Payment received"] and inbox[0]["read_at"] is None


def test_a_failed_delivery_is_retried_with_backoff_and_never_sent_twice(client, receiver):
    hook = receiver(fail_first=2)
    update_settings({"webhook_url": hook.url})
    paid_order(client, make_buyer(), [(make_product().skus[0].id, 1)])
    delivery = db.session.scalar(sa.select(WebhookDelivery))
    assert (delivery.status.value, delivery.attempts, len(hook.calls)) == ("pending", 1, 1)
    assert deliver_due() == 0  # not due yet: backing off
    with later(seconds=31):
        assert deliver_due() == 0 and len(hook.calls) == 2  # second failure
    with later(minutes=3):
        assert deliver_due() == 1 and len(hook.calls) == 3  # delivered
    with later(hours=12):
        assert deliver_due() == 0 and dispatch_pending() == 0  # sent: never again
    db.session.commit()
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert (delivery.status.value, delivery.attempts) == ("sent", 3)
    assert [a.status_code for a in db.session.scalars(sa.select(WebhookAttempt).order_by(WebhookAttempt.id))] == [
        503, 503, 200]
    log = client.get("/api/v1/admin/webhook-deliveries", headers=make_staff().headers).get_json()
    assert log[0]["status"] == "sent" and [a["status_code"] for a in log[0]["log"]] == [503, 503, 200]
    assert len({call[1] for call in hook.calls}) == 1  # the same event each time


def test_a_delivery_gives_up_after_the_last_retry(client, receiver):
    hook = receiver(fail_first=100)
    update_settings({"webhook_url": hook.url})
    paid_order(client, make_buyer(), [(make_product().skus[0].id, 1)])
    with later(days=2):
        for _ in range(10):
            deliver_due()
            db.session.execute(sa.update(WebhookDelivery).values(next_attempt_at=dt.datetime.now(dt.UTC)
                                                                 - dt.timedelta(days=3)))
            db.session.commit()
    delivery = db.session.scalar(sa.select(WebhookDelivery))
    assert delivery.status.value == "failed" and delivery.attempts == 6 and len(hook.calls) == 6


def test_work_that_rolls_back_notifies_nobody():
    shopper = make_shopper()
    emit("order.paid", {"x": 1}, [Recipient(shopper.id, "shopper", "t", "b")])
    db.session.rollback()
    assert dispatch_pending() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEvent)) == 0


def test_inbox_read_marks_and_privacy(client):
    a, b = make_shopper(), make_shopper()
    for i in range(3):
        emit("note", {}, [Recipient(a.id, "shopper", f"t{i}", "b"), Recipient(b.id, "shopper", "other", "b")])
    emit("note", {}, [Recipient(a.id, "leader", "leader msg", "b")])
    db.session.commit()
    dispatch_pending()
    assert client.get("/api/v1/store/inbox/unread-count", headers=a.headers).get_json() == {"count": 3}
    first = client.get("/api/v1/store/inbox", headers=a.headers).get_json()[0]
    assert first["title"] == "t2"  # newest first; leader messages are not in the shopper inbox
    assert client.post(f"/api/v1/store/inbox/{first['id']}/read", headers=a.headers).get_json()["read_at"]
    assert len(client.get("/api/v1/store/inbox?unread=true", headers=a.headers).get_json()) == 2
    theirs = client.get("/api/v1/store/inbox", headers=b.headers).get_json()[0]["id"]
    assert_error(client.post(f"/api/v1/store/inbox/{theirs}/read", headers=a.headers), 404, "notification_not_found")
    assert client.post("/api/v1/store/inbox/read-all", headers=a.headers).get_json() == {"count": 2}


def test_leaders_have_their_own_inbox(client):
    leader = make_leader()
    emit("batch.dispatched", {}, [Recipient(leader.id, "leader", "delivery", "b"),
                                  Recipient(leader.id, "shopper", "as a shopper", "b")])
    db.session.commit()
    dispatch_pending()
    assert [n["title"] for n in client.get("/api/v1/leader/inbox", headers=leader.headers).get_json()] == ["delivery"]
    assert [n["title"] for n in client.get("/api/v1/store/inbox", headers=leader.headers).get_json()] == [
        "as a shopper"]


def test_dispatch_notifications_cli(app):
    shopper = make_shopper()
    emit("note", {}, [Recipient(shopper.id, "shopper", "t", "b")])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["dispatch-notifications"])
    assert result.exit_code == 0 and "1 notifications waiting" in result.output and "Dispatched 1" in result.output


@pytest.mark.postgres
def test_concurrent_dispatchers_dispatch_each_event_once(app):
    shopper = make_shopper()
    for i in range(20):
        emit("note", {"i": i}, [Recipient(shopper.id, "shopper", f"t{i}", "b")])
    db.session.commit()

    def run(_client, _i):
        with app.app_context():
            return dispatch_pending()
    assert sum(race(app, 8, run)) == 20
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 20


def test_settings_api_validates_and_rotates_the_secret(client):
    staff = make_staff()
    r = client.patch("/api/v1/admin/settings", headers=if_match(client, "/api/v1/admin/settings", staff.headers),
                     json={"cutoff_time": "21:30", "lead_days": 2, "uncollected_policy": "refund_minus_fee",
                           "restocking_fee_bps": 500})
    assert r.status_code == 200 and r.get_json()["cutoff_time"] == "21:30"
    old = client.get("/api/v1/admin/settings", headers=staff.headers).get_json()["webhook_secret_hint"]
    secret = client.post("/api/v1/admin/settings/webhook-secret", headers=staff.headers).get_json()["webhook_secret"]
    new = client.get("/api/v1/admin/settings", headers=staff.headers).get_json()["webhook_secret_hint"]
    assert secret.startswith("whsec_") and new == "…" + secret[-4:] and "webhook_secret" not in str(
        client.get("/api/v1/admin/settings", headers=staff.headers).get_json().keys() - {"webhook_secret_hint"})
    assert old.startswith("…")
    for bad in ({"pickup_from": "22:00", "pickup_until": "08:00"}, {"lead_days": 30},
                {"uncollected_after_days": 1, "reminder_after_days": 2}, {"webhook_url": "ftp://x"},
                {"uncollected_policy": "shrug"}):
        assert_error(client.patch("/api/v1/admin/settings",
                                  headers=if_match(client, "/api/v1/admin/settings", staff.headers), json=bad), 422)
    assert client.get("/api/v1/admin/settings", headers=staff.headers).get_json()["lead_days"] == 2


def test_group_schedule_overrides_change_its_pickup_dates(client):
    staff = make_staff()
    group = make_group(make_leader(staff))
    buyer = make_buyer(group)
    before = client.get("/api/v1/store/pickup-schedule", headers=buyer.headers).get_json()["pickup_date"]
    r = client.patch(f"/api/v1/admin/groups/{group.id}", headers=staff.headers, json={"lead_days": 3})
    assert r.status_code == 200 and r.get_json()["lead_days"] == 3
    after = client.get("/api/v1/store/pickup-schedule", headers=buyer.headers).get_json()["pickup_date"]
    assert dt.date.fromisoformat(after) - dt.date.fromisoformat(before) == dt.timedelta(days=2)
    assert_error(client.patch(f"/api/v1/admin/groups/{group.id}", headers=staff.headers,
                              json={"pickup_from": "20:00", "pickup_until": "10:00"}), 422, "invalid_pickup_window")
