"""The flash-sale gate in front of Flask (blueprints/store/flash_gate.py), on both paths (Redis;
the database alone, on PostgreSQL): it answers refusals itself with exactly the route's response,
lets attempts that can go ahead through to be written once, and leaves everything it does not
decide to the route."""
from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import time_machine
from flask import abort

from app.accounts.services import authenticate_and_cache
from app.campaigns import flash, redis_gate
from app.db import utcnow
from tests.api.test_flash_sales import free, sale
from tests.assertions import assert_error
from tests.conftest import ON_POSTGRES, TEST_REDIS_URL
from tests.factories import User, make_buyer, make_group, make_leader, make_staff


@pytest.fixture(params=["redis", "db"])
def path(request, app, monkeypatch):
    if request.param == "redis" and not TEST_REDIS_URL:
        pytest.skip("needs Redis: set TEST_REDIS_URL")
    if request.param == "db":
        if not ON_POSTGRES:
            pytest.skip("without Redis the gate asks PostgreSQL (elsewhere the route does it all)")
        monkeypatch.setitem(app.config, "REDIS_URL", "")
    return request.param


redis_only = pytest.mark.skipif(not TEST_REDIS_URL, reason="needs Redis: set TEST_REDIS_URL")


@pytest.fixture
def gate(app, monkeypatch):
    """The gate, with a count of the requests it handed to Flask."""
    gate = app.wsgi_app
    inner, calls = gate.wsgi_app, []

    def counted(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    monkeypatch.setattr(gate, "wsgi_app", counted)
    gate.calls = calls
    return gate


def known_buyer(group=None):
    """A shopper whose token Redis already knows (as after their first attempt), so the gate decides."""
    buyer = make_buyer(group)
    if TEST_REDIS_URL:
        authenticate_and_cache(buyer.token)
    return buyer


def loaded(item):
    """The item as this process has it after its first attempt (the database gate needs it cached)."""
    flash.flash_item(item)
    return item


def counters(path, item):
    return redis_gate.counters(item) if path == "redis" else None


def post(client, user, item, body=b'{"quantity": 1}', key=None, content_type="application/json", headers=None):
    headers = {**user.headers, "Idempotency-Key": key or str(uuid.uuid4())} | (headers or {})
    return client.post(f"/api/v1/store/flash-sales/{item}/reserve", data=body, content_type=content_type,
                       headers={k: v for k, v in headers.items() if v is not None})


def through_the_route(app, monkeypatch, gate, send):
    """The same request with the gate out of the way: what the Flask route itself answers."""
    with monkeypatch.context() as m:
        m.setattr(app, "wsgi_app", gate.wsgi_app)
        return send()


def same_response(a, b):
    assert (a.status, a.get_data(), sorted(a.headers.items())) == (b.status, b.get_data(), sorted(b.headers.items()))


REFUSALS = {"sold out": "insufficient_stock", "over the limit": "per_person_limit_reached",
            "in its warm-up": "campaign_not_live", "ended": "campaign_not_live"}


@pytest.mark.parametrize("case", [*REFUSALS, "not offered to their group", "an unknown token", "a staff token"])
def test_a_refusal_is_the_routes_own_response_without_flask(app, client, gate, monkeypatch, path, case):
    if path == "redis" and case not in REFUSALS:
        pytest.skip("Redis knows windows, limits and stock; the route refuses the rest (tests below)")
    buyer = known_buyer()
    if case == "sold out":
        item = sale(stock=1, limit=2)
        assert post(client, make_buyer(), item).status_code == 201
    elif case == "over the limit":
        item = sale(stock=5, limit=1)
        assert post(client, buyer, item).status_code == 201
    elif case == "in its warm-up":
        item = sale(stock=5, warmup_minutes=30, starts_in_minutes=10)
    elif case == "not offered to their group":
        item = sale(stock=5, all_groups=False, group_ids=[make_group(make_leader()).id])
    else:
        item = sale(stock=5)
    if case == "an unknown token":
        buyer = User(buyer.account, "not-a-token")
    elif case == "a staff token":
        buyer = make_staff()
    loaded(item)
    before = counters(path, item), free(item)
    gate.calls.clear()

    def attempt():
        return post(client, buyer, item, key="same-key")

    with time_machine.travel(utcnow() + dt.timedelta(hours=2) if case == "ended" else utcnow(), tick=True):
        by_gate = attempt()
        assert gate.calls == []  # answered in front of Flask
        by_route = through_the_route(app, monkeypatch, gate, attempt)
    assert_error(by_gate, by_gate.status_code, REFUSALS.get(case))
    assert by_gate.status_code in (401, 403, 409)
    same_response(by_gate, by_route)
    assert (counters(path, item), free(item)) == before


def test_an_attempt_that_can_go_ahead_is_written_once_and_counted_once(client, gate, path):
    item = loaded(sale(stock=5, limit=2))
    buyer = known_buyer()
    r = post(client, buyer, item, body=b'{"quantity": 2}')
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["quantity"] == 2 and len(gate.calls) == 1
    assert free(item) == 3
    if path == "redis":
        assert redis_gate.counters(item) == (3, {buyer.account.id: 2})
    assert_error(post(client, buyer, item), 409, "per_person_limit_reached")
    assert len(gate.calls) == 1


@pytest.mark.parametrize("case, body, content_type, headers, status", [
    ("malformed JSON", b'{"quantity": ', "application/json", {}, 400),
    ("an unknown field", b'{"quantity": 1, "price": 1}', "application/json", {}, 422),
    ("quantity out of range", b'{"quantity": 100}', "application/json", {}, 422),
    ("quantity a string", b'{"quantity": "x"}', "application/json", {}, 422),
    ("no Idempotency-Key", b'{"quantity": 1}', "application/json", {"Idempotency-Key": None}, 422),
    ("no token", b'{"quantity": 1}', "application/json", {"Authorization": None}, 401),
    ("a body too long to be plain", b'{"quantity": 1}' + b" " * 80, "application/json", {}, 201),
    ("an empty body (quantity 1)", b"", "application/json", {}, 201),
])
def test_what_the_gate_does_not_decide_goes_to_the_route(client, gate, path, case, body, content_type, headers,
                                                         status):
    item = loaded(sale(stock=5, limit=2))
    r = post(client, known_buyer(), item, body=body, content_type=content_type, headers=headers)
    assert r.status_code == status, r.get_json()
    if status >= 400:
        assert_error(r, status)
    assert len(gate.calls) == 1
    assert free(item) == (4 if status == 201 else 5)
    if path == "redis":
        assert redis_gate.counters(item)[0] == free(item)


def test_an_item_this_process_has_not_loaded_goes_to_the_route(client, gate, path):
    item = sale(stock=5, limit=2)
    flash.clear_caches()
    assert post(client, known_buyer(), item).status_code == 201
    assert len(gate.calls) == 1 and free(item) == 4


def test_a_replay_goes_to_the_route_and_returns_the_reservation(client, gate, path):
    item = loaded(sale(stock=5, limit=2))
    buyer = known_buyer()
    first = post(client, buyer, item, key="again")
    again = post(client, buyer, item, key="again")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert json.loads(again.get_data())["order_id"] == first.get_json()["order_id"]
    assert len(gate.calls) == 2 and free(item) == 4
    if path == "redis":
        assert redis_gate.counters(item)[0] == 4


@redis_only
def test_units_come_back_when_the_route_fails_before_taking_the_admission(app, client, gate, monkeypatch):
    item = sale(stock=5, limit=2)
    buyer = known_buyer()

    def fail():
        abort(503)

    monkeypatch.setitem(app.before_request_funcs, None, [fail, *app.before_request_funcs.get(None, [])])
    r = post(client, buyer, item)
    assert_error(r, 503)
    assert redis_gate.counters(item) == (5, {}) and free(item) == 5
    monkeypatch.setitem(app.before_request_funcs, None, [f for f in app.before_request_funcs[None] if f is not fail])
    assert post(client, buyer, item, key=None).status_code == 201  # and the shopper can still buy


@redis_only
def test_units_come_back_when_the_route_refuses_an_admitted_attempt(client, gate):
    # Redis knows the window, the limit and the stock, not the audience: the route refuses a
    # shopper outside the sale's groups after the gate admitted them, and the units go back.
    group = make_group(make_leader())
    item = sale(stock=5, limit=2, all_groups=False, group_ids=[group.id])
    outsider = known_buyer()
    r = post(client, outsider, item)
    assert r.status_code in (403, 409) and r.get_json()["error"]["code"]
    assert len(gate.calls) == 1
    assert redis_gate.counters(item) == (5, {}) and free(item) == 5
    assert post(client, make_buyer(group), item).status_code == 201


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_a_refusal_at_the_gate_is_in_the_callers_language(client, gate, path, language):
    expected = {("redis", "zh-CN"): "已抢光", ("redis", "en"): "Sold out",
                ("db", "zh-CN"): "该活动商品已抢光", ("db", "en"): "This campaign item is sold out"}
    item = sale(stock=1, limit=2)
    assert post(client, make_buyer(), item).status_code == 201
    buyer = known_buyer()
    loaded(item)
    gate.calls.clear()
    refused = post(client, buyer, item, headers={"Accept-Language": language})
    assert gate.calls == []  # pre-rendered in each language, answered in front of Flask
    assert refused.status_code == 409 and refused.headers["Content-Language"] == language
    assert refused.get_json()["error"]["message"] == expected[(path, language)]
