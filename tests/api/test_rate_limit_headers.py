"""IETF RateLimit / RateLimit-Policy fields; Retry-After only when a request was refused (429/503)."""
from __future__ import annotations

import re

import pytest

from tests.assertions import assert_error

LOGIN = "/api/v1/store/auth/login"
FIELD = re.compile(r'^"login";r=(\d+);t=(\d+)$')


@pytest.fixture
def three_a_minute(app):
    app.config["AUTH_RATE_LIMIT"] = "3 per minute"
    yield
    app.config["AUTH_RATE_LIMIT"] = "10000 per minute"


def _login(client):
    return client.post(LOGIN, json={"login": "a@example.com", "password": "wrong-password"})


def test_limited_route_sends_policy_and_remaining_quota_without_retry_after(client, three_a_minute):
    first, second = _login(client), _login(client)
    assert first.status_code == second.status_code == 401
    assert first.headers["RateLimit-Policy"] == '"login";q=3;w=60'
    remaining = [int(FIELD.match(r.headers["RateLimit"]).group(1)) for r in (first, second)]
    assert remaining == [2, 1]
    assert 0 <= int(FIELD.match(second.headers["RateLimit"]).group(2)) <= 60
    for r in (first, second):
        assert "Retry-After" not in r.headers
        assert not any(h.lower().startswith("x-ratelimit") for h, _value in r.headers)


def test_refused_request_gets_429_with_retry_after_and_zero_remaining(client, three_a_minute):
    for _ in range(3):
        _login(client)
    r = _login(client)
    assert_error(r, 429, "rate_limited")
    assert FIELD.match(r.headers["RateLimit"]).group(1) == "0"
    assert 1 <= int(r.headers["Retry-After"]) <= 60


def test_unlimited_routes_send_no_rate_limit_fields(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert "RateLimit" not in r.headers and "RateLimit-Policy" not in r.headers and "Retry-After" not in r.headers
