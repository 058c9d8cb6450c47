"""Malformed, oversized and hostile input always gets the JSON envelope (4xx), never a 500."""
from __future__ import annotations

import pytest

from tests.assertions import assert_error, database_unchanged
from tests.factories import code_of, make_group, make_shopper, make_staff

REGISTER = "/api/v1/store/auth/register"


def test_unknown_route_and_wrong_method_use_the_envelope(client):
    assert_error(client.get("/api/v1/store/nope"), 404, "not_found")
    r = client.delete("/api/v1/store/auth/login")
    assert_error(r, 405, "method_not_allowed")
    assert "POST" in r.headers["Allow"]


def test_malformed_json_is_400_and_changes_nothing(client):
    with database_unchanged():
        r = client.post(REGISTER, data='{"name": "x", ', content_type="application/json")
    assert_error(r, 400, "malformed_json")


def test_non_json_body_is_treated_as_missing_fields(client):
    with database_unchanged():
        r = client.post(REGISTER, data="name=x&password=y", content_type="application/x-www-form-urlencoded")
    assert_error(r, 422, "validation_error")


def test_oversized_body_is_413(app, client):
    huge = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    with database_unchanged():
        r = client.post(REGISTER, data=huge, content_type="application/json")
    assert_error(r, 413, "payload_too_large")


@pytest.mark.parametrize("name", ["a\x00b", "\ud800", " " * 5])
def test_strings_the_database_cannot_store_or_blank_names_are_422(client, name):
    staff = make_staff()
    with database_unchanged():
        r = client.post("/api/v1/admin/categories", headers=staff.headers, json={"name": name})
    assert_error(r, 422, "validation_error")


@pytest.mark.parametrize("path", ["/api/v1/admin/groups/0", "/api/v1/admin/groups/99999999999999999999",
                                  "/api/v1/admin/groups/-1", "/api/v1/admin/groups/abc"])
def test_ids_outside_the_id_range_are_404(client, path):
    assert_error(client.get(path, headers=make_staff().headers), 404)


@pytest.mark.parametrize("value", [2**31, 10**30, -(2**31) - 1, 1.5, True, "12"])
def test_out_of_range_or_mistyped_numbers_are_422(client, value):
    staff = make_staff()
    with database_unchanged():
        r = client.post("/api/v1/admin/categories", headers=staff.headers, json={"name": "X", "position": value})
    assert_error(r, 422, "validation_error")


def test_json_body_that_is_not_an_object_is_422(client):
    with database_unchanged():
        assert_error(client.post(REGISTER, json=["name", "x"]), 422)
        assert_error(client.post(REGISTER, json="x"), 422)


def test_unknown_query_parameters_are_ignored_but_bad_known_ones_rejected(client):
    group = make_group()
    assert client.get(f"/api/v1/store/groups/{code_of(group)}/products?utm_source=wechat").status_code == 200
    assert_error(client.get(f"/api/v1/store/groups/{code_of(group)}/products?category_id=x"), 422)


def test_unexpected_errors_are_a_generic_500_envelope(app, client, monkeypatch):
    from app.accounts import services

    def boom(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "update_profile", boom)
    r = client.patch("/api/v1/store/me", headers=make_shopper().headers, json={"name": "x"})
    error = assert_error(r, 500, "internal_error")
    assert "secret" not in error["message"]


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
@pytest.mark.parametrize("route", ["/api/v1/store/auth/login", "/api/v1/store/orders", "/api/v1/store/quote"])
def test_absurdly_nested_json_is_a_400_not_a_500(client, route, depth):
    body = "[" * depth + "]" * depth
    headers = {} if route.endswith("login") else {**make_shopper().headers, "Idempotency-Key": "deep-1"}
    r = client.post(route, data=body, content_type="application/json", headers=headers)
    assert r.status_code == 400, r.get_data(as_text=True)[:200]
    assert r.get_json()["error"]["code"] == "json_too_deep"


def test_json_nested_within_the_limit_reaches_the_schema(client):
    r = client.post("/api/v1/store/auth/login", data="[" * 30 + "]" * 30, content_type="application/json")
    assert r.status_code == 422  # a list, not the login object: the schema says so
