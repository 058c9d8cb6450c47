"""The periodic sweeps: payment reconciliation, and the cron schedule run by a real RQ worker."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from app.db import utcnow
from app.extensions import db
from app.orders.models import Order
from app.payments.models import Payment
from app.payments.tasks import reconcile
from tests.factories import checkout, make_buyer, make_product, sku_counts
from tests.stripe_helpers import intent_of, pay_intent


def _age_payments(minutes: int) -> None:
    db.session.execute(sa.update(Payment).values(started_at=utcnow() - dt.timedelta(minutes=minutes)))
    db.session.commit()


def test_reconciliation_pays_orders_whose_webhook_never_came(client):
    sku = make_product().skus[0]
    order = checkout(client, make_buyer(), [(sku.id, 2)]).get_json()
    pay_intent(intent_of(order))          # paid at Stripe; the webhook is lost
    assert reconcile()["payments_checked"] == 0  # too recent to chase
    _age_payments(30)
    counts = reconcile()
    assert counts["payments_checked"] == 1 and counts["payments_succeeded"] == 1
    db.session.commit()
    assert db.session.get(Order, order["id"]).status.value == "paid"
    assert sku_counts(sku.id) == (50, 0, 2)
    assert reconcile()["payments_checked"] == 0  # nothing left pending


def test_reconciliation_leaves_unpaid_intents_pending(client):
    order = checkout(client, make_buyer(), [(make_product().skus[0].id, 1)]).get_json()
    _age_payments(30)
    counts = reconcile()
    assert counts["payments_checked"] == 1 and counts["payments_succeeded"] == 0
    db.session.commit()
    assert db.session.get(Order, order["id"]).status.value == "pending_payment"


def test_reconcile_cli_reports_counts_and_fails_when_stripe_is_down(app, client, monkeypatch):
    checkout(client, make_buyer(), [(make_product().skus[0].id, 1)])
    _age_payments(30)
    ok = app.test_cli_runner().invoke(args=["reconcile-payments"])
    assert ok.exit_code == 0 and "payments checked: 1" in ok.output
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")
    down = app.test_cli_runner().invoke(args=["reconcile-payments"])
    assert down.exit_code != 0 and "run again later" in down.output


def test_reconcile_cli_reports_a_payment_the_provider_does_not_know_as_such(app, client):
    """Issue 20: a 404 from the provider was reported as "provider unreachable?" with exit 1."""
    checkout(client, make_buyer(), [(make_product().skus[0].id, 1)])
    db.session.execute(sa.update(Payment).values(provider_ref="pi_never_made_here"))
    _age_payments(30)
    out = app.test_cli_runner().invoke(args=["reconcile-payments"])
    assert out.exit_code == 0, out.output
    assert "payments not found: 1" in out.output and "errors: 0" in out.output
    assert "unknown to the provider (404)" in out.output and "unreachable" not in out.output
    assert db.session.scalar(sa.select(Payment.status)).value == "pending"   # left for a person to look at


@pytest.mark.redis
def test_the_cron_schedule_enqueues_sweeps_that_a_real_worker_runs(app, client, monkeypatch):
    from app.jobs.queue import get_queue
    from app.jobs.schedule import PERIODIC, build_cron
    from app.jobs.worker import make_worker

    sku = make_product().skus[0]
    order = checkout(client, make_buyer(), [(sku.id, 3)]).get_json()
    monkeypatch.setitem(app.config, "JOBS_RUN_INLINE", False)
    get_queue().empty()
    cron = build_cron()
    assert {job.func.__name__ for job in cron.get_jobs()} == {job.__name__ for job, _ in PERIODIC}
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20), tick=False):
        enqueued = cron.enqueue_jobs()      # first run of every interval job is due at once
        assert len(enqueued) == len(PERIODIC) and get_queue().count == len(PERIODIC)
        make_worker(app).work(burst=True, with_scheduler=False)
    assert get_queue().count == 0
    db.session.commit()
    assert db.session.get(Order, order["id"]).status.value == "expired"
    assert sku_counts(sku.id) == (50, 0, 0)
    assert cron.enqueue_jobs() == []        # nothing due again so soon
