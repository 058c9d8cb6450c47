"""A refund whose process died mid-call is finished by the next minute's sweep, counted in its
summary, and made exactly once at the provider (issue 20)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.db import utcnow
from app.extensions import db
from app.jobs.schedule import PERIODIC, retry_refunds_job
from app.payments import stripe_gateway
from app.payments.models import Refund
from tests.api.test_refunds import order_row, paid_order, refund, stripe_refunds
from tests.factories import make_staff
from tests.stripe_helpers import intent_of


def _pending_refund(app, client, monkeypatch):
    """A staff refund recorded while Stripe is down: pending, the order still paid."""
    order, _, _ = paid_order(client)
    real = app.config["STRIPE_API_BASE"]
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")
    assert refund(client, make_staff(), order["id"], {"reason": "crash"}).status_code == 202
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", real)
    return order, db.session.scalar(sa.select(Refund).where(Refund.order_id == order["id"]))


def _crashed(refund_row, *, claimed_ago: dt.timedelta) -> None:
    """What a worker killed after claiming the refund leaves behind."""
    db.session.execute(sa.update(Refund).where(Refund.id == refund_row.id).values(
        created_at=utcnow() - dt.timedelta(minutes=3), attempt_started_at=utcnow() - claimed_ago))
    db.session.commit()


def test_the_sweep_runs_every_minute():
    assert (retry_refunds_job, 60) in PERIODIC


def test_a_refund_killed_after_the_provider_made_it_is_completed_once_and_counted(app, client, monkeypatch):
    order, row = _pending_refund(app, client, monkeypatch)
    # The provider call went through, then the process died before recording the answer.
    stripe_gateway.create_refund(intent_id=intent_of(order), amount=row.amount_cents, refund_id=row.id)
    _crashed(row, claimed_ago=dt.timedelta(minutes=2, seconds=5))
    assert order_row(order["id"]).status.value == "paid"
    counts = retry_refunds_job()
    assert counts == {"refunds_retried": 1, "refunds_completed": 1, "refunds_failed": 0}
    assert stripe_refunds(order) == [6000]                 # found by our id, not made a second time
    assert order_row(order["id"]).status.value == "refunded"
    assert retry_refunds_job()["refunds_retried"] == 0


def test_a_refund_killed_before_the_call_is_sent_by_the_next_sweep(app, client, monkeypatch):
    order, row = _pending_refund(app, client, monkeypatch)
    _crashed(row, claimed_ago=dt.timedelta(minutes=3))
    out = app.test_cli_runner().invoke(args=["reconcile-payments"])
    assert out.exit_code == 0 and "refunds completed: 1" in out.output
    assert stripe_refunds(order) == [6000] and order_row(order["id"]).status.value == "refunded"


def test_a_refund_another_worker_is_sending_right_now_is_left_alone(app, client, monkeypatch):
    order, row = _pending_refund(app, client, monkeypatch)
    _crashed(row, claimed_ago=dt.timedelta(seconds=10))    # its claim has not lapsed: it may be mid-call
    assert retry_refunds_job()["refunds_completed"] == 0
    assert stripe_refunds(order) == [] and order_row(order["id"]).status.value == "paid"
