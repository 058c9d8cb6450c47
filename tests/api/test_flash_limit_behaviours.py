"""Issue 16's flash-sale behaviours: paid units keep counting toward the per-person limit (in the
read-only peek/context statement, the take statement, counted_units and the Redis script), and a
lapsed hold gives the same shopper their allowance back without any sweep."""
from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import flask
import pytest
import sqlalchemy as sa
import time_machine

from app.campaigns import flash, redis_gate
from app.campaigns.stock import counted_units
from app.extensions import db
from tests.api.test_flash_gate import gate, known_buyer, loaded  # noqa: F401  (gate is a fixture)
from tests.api.test_flash_sales import path, reserve, sale  # noqa: F401  (path is a fixture)
from tests.assertions import assert_error
from tests.conftest import ON_POSTGRES
from tests.factories import make_buyer
from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook


@contextmanager
def monkeypatch_gate_off(the_gate):
    app = flask.current_app
    outer, app.wsgi_app = app.wsgi_app, the_gate.wsgi_app
    try:
        yield
    finally:
        app.wsgi_app = outer


def _pay(client, buyer, order_id):
    paying = client.post(f"/api/v1/store/orders/{order_id}/pay", headers=buyer.headers).get_json()
    pay_intent(intent_of(paying))
    post_webhook(client, intent_event("payment_intent.succeeded", intent_of(paying)))


def test_paid_flash_units_still_count_toward_the_per_person_limit(client, path, gate):  # noqa: F811
    item = loaded(sale(stock=10, limit=2))
    buyer = known_buyer()
    body = reserve(client, buyer, item, 2).get_json()
    _pay(client, buyer, body["order_id"])
    gate.calls.clear()
    assert_error(reserve(client, buyer, item, 1), 409, "per_person_limit_reached")
    if path == "redis" or ON_POSTGRES:  # refused in front of Flask: by the Redis script or by PEEK
        assert gate.calls == []
    with monkeypatch_gate_off(gate):  # the route itself (CONTEXT, or the general path) refuses too
        assert_error(reserve(client, buyer, item, 1), 409, "per_person_limit_reached")
    db.session.commit()
    assert dict(db.session.execute(counted_units(item)).all()) == {buyer.id: 2}
    if path == "redis":
        assert redis_gate.counters(item) == (8, {buyer.id: 2})
        flash.reconcile(item)  # republishing from the database must keep the paid units counted
        assert redis_gate.counters(item) == (8, {buyer.id: 2})
        assert_error(reserve(client, buyer, item, 1), 409, "per_person_limit_reached")
    assert reserve(client, make_buyer(), item, 2).status_code == 201  # others are not affected


@pytest.mark.postgres
def test_paid_units_count_in_the_take_statement_when_attempts_of_one_shopper_race(app, client, monkeypatch):
    # Two attempts of one shopper wait on their purchase row (held here); each CONTEXT has already
    # counted the holds as they were (1 paid unit), so after the first takes its unit only TAKE's
    # own count (paid + the first's hold) can stop the second.
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    item = sale(stock=20, limit=2)
    buyer = make_buyer()
    _pay(client, buyer, reserve(client, buyer, item, 1).get_json()["order_id"])
    headers = buyer.headers

    def attempt(i):
        return app.test_client().post(f"/api/v1/store/flash-sales/{item}/reserve", json={"quantity": 1},
                                      headers={**headers, "Idempotency-Key": f"take-{i}"})

    db.session.commit()
    with db.engine.connect() as locker, locker.begin():
        locker.execute(sa.text("SELECT 1 FROM campaign_purchases WHERE item_id = :i AND account_id = :a "
                               "FOR UPDATE"), {"i": item, "a": buyer.id})
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(attempt, i) for i in range(2)]
            _wait_for_lock_waiters(2)
            locker.commit()
            responses = [f.result() for f in futures]
    assert sorted(r.status_code for r in responses) == [201, 409], [r.get_json() for r in responses]
    db.session.commit()
    assert dict(db.session.execute(counted_units(item)).all()) == {buyer.id: 2}


def _wait_for_lock_waiters(n: int) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with db.engine.connect() as conn:
            waiting = conn.scalar(sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                          "AND datname = current_database()"))
        if waiting >= n:
            return
        time.sleep(0.05)
    raise AssertionError("the attempts never waited on the purchase row")


def test_a_lapsed_flash_hold_gives_the_same_shopper_their_allowance_back_without_a_sweep(client, app, monkeypatch):
    # The database path only: the Redis gate learns of lapsed holds from the reconciliation sweep
    # (tests/api/test_flash_sales.py covers that); here no sweep or job runs at all.
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    item = sale(stock=1, limit=1)
    buyer = make_buyer()
    first = reserve(client, buyer, item).get_json()
    assert reserve(client, buyer, item).status_code == 409  # over the limit and sold out: either answer
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6), tick=False):
        again = reserve(client, buyer, item)
        assert again.status_code == 201, again.get_json()
        assert again.get_json()["order_id"] != first["order_id"]
        db.session.commit()
        assert dict(db.session.execute(counted_units(item)).all()) == {buyer.id: 1}
        assert flash.free_units(item) == 0
