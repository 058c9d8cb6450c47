"""Walks the OpenAPI document so no operation escapes: every protected operation refuses each caller
who may not use it, and every operation taking input rejects bad input, changing nothing."""
from __future__ import annotations

import re
import uuid

import pytest

from app import create_app
from tests.assertions import assert_error, database_unchanged
from tests.factories import code_of, make_group, make_leader, make_shopper, make_staff

SPEC = create_app({"APP_ENV": "test"}).test_client().get("/api/openapi.json").get_json()
OPERATIONS = [(method, path, op) for path, ops in SPEC["paths"].items() for method, op in ops.items()
              if method in {"get", "post", "put", "patch", "delete"}]
PROTECTED = [(m, p) for m, p, op in OPERATIONS if op.get("security")]
# JSON bodies; a file upload (multipart, the after-sale photos) has its own bad-input tests
# (tests/aftersales/test_requests.py).
WITH_BODY = [(m, p) for m, p, op in OPERATIONS if "requestBody" in op and op.get("security")
             and "application/json" in op["requestBody"].get("content", {})]
WITH_ID = [(m, p) for m, p, op in OPERATIONS if re.search(r"\{\w+_id\}", p) and op.get("security")]
# Who may not call each surface, and the status they get.
FORBIDDEN = {"/api/v1/admin": ["shopper", "leader"], "/api/v1/leader": ["shopper", "staff"],
             "/api/v1/store": ["staff"]}
ALLOWED = {"/api/v1/admin": "staff", "/api/v1/leader": "leader", "/api/v1/store": "shopper"}


def surface(path: str) -> str:
    return "/".join(path.split("/")[:4])


@pytest.fixture
def world():
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    return {"staff": staff, "leader": leader, "shopper": make_shopper(), "code": code_of(group),
            "group_id": group.id, "point_id": leader.point.id}


def url(path: str, world: dict, missing_ids: bool = False) -> str:
    def fill(match):
        name = match.group(1)
        if name == "code":
            return world["code"]
        if name == "day":
            return "2031-01-01"
        if missing_ids:
            return "2147483000"
        return str({"group_id": world["group_id"], "point_id": world["point_id"]}.get(name, 1))

    return re.sub(r"\{(\w+)\}", fill, path)


def call(client, method, path, headers=None, **kwargs):
    # A key on every call, so operations that require one get as far as checking the body.
    # If-Match "*": the walk checks what comes after the lost-update check (docs/api.md ETags), which
    # tests/api/test_etags.py covers on its own.
    headers = {"Idempotency-Key": f"walk-{uuid.uuid4()}", "If-Match": "*", **(headers or {})}
    return getattr(client, method)(path, headers=headers, **kwargs)


@pytest.mark.parametrize("method, path", PROTECTED, ids=[f"{m.upper()} {p}" for m, p in PROTECTED])
def test_protected_operation_refuses_anonymous_and_wrong_roles(client, world, method, path):
    target = url(path, world)
    with database_unchanged():
        assert_error(call(client, method, target, json={}), 401)
        for role in FORBIDDEN[surface(path)]:
            assert_error(call(client, method, target, world[role].headers, json={}), 403)


@pytest.mark.parametrize("method, path", WITH_BODY, ids=[f"{m.upper()} {p}" for m, p in WITH_BODY])
def test_operation_rejects_unknown_fields_and_non_object_bodies(client, world, method, path):
    headers = world[ALLOWED[surface(path)]].headers
    target = url(path, world)
    with database_unchanged():
        error = assert_error(call(client, method, target, headers, json={"no_such_field": 1}), 422)
        assert "no_such_field" in str(error["details"])
        assert_error(call(client, method, target, headers, data="{not json", content_type="application/json"), 400,
                     "malformed_json")


# The smallest valid body for operations that need one, so the request reaches the lookup.
VALID_BODY = {
    "/suspend": {"reason": "x"}, "/reject": {"reason": "x"}, "/transfer": {"leader_id": None},
    "/closures": {"start_date": "2031-01-01", "end_date": "2031-01-01"},
    "/skus": {"code": "NEW-SKU", "name": "x", "price_cents": 1},
    "/refunds": {"reason": "x"},
    "/move-pickup": {"pickup_point_id": 1},
    "/arrival": {"shortages": []},
    "/points": {"delta": 5, "note": "x"},
    "/issue": {"account_ids": [1]},
    "/end": {"valid_until": "2031-01-01T00:00:00Z"},
    "/paid": {"bank_reference": "x"},
    "/hide": {"reason": "x"},
    "/payout-account": {"stripe_account_id": "acct_missing"},
    "/reorder": {"payment_method": "wallet"},
    "/after-sales": {"order_line_id": 1, "reason": "other", "quantity": 1},
    "/review": {"verdict": "confirmed"},
    "/decision": {"decision": "reject", "reason": "x"},
    "/remittances": {"amount_cents": 1, "reference": "x"},
    "/receipts": {"lines": [{"sku_id": 1, "accepted": 1}]},
    "/counts": {"counts": [{"sku_id": 1, "counted": 1}]},
    "/suppliers/{supplier_id}/skus/{sku_id}": {"cost_cents": 100},
    "/safety-stock/{sku_id}": {"units": 1},
}


def valid_body(method: str, path: str):
    for suffix, body in VALID_BODY.items():
        if path.endswith(suffix):
            return body
    return {} if method == "patch" else None


@pytest.mark.parametrize("method, path", WITH_ID, ids=[f"{m.upper()} {p}" for m, p in WITH_ID])
def test_operation_on_a_missing_id_is_404_and_changes_nothing(client, world, method, path):
    headers = world[ALLOWED[surface(path)]].headers
    with database_unchanged():
        response = call(client, method, url(path, world, missing_ids=True), headers,
                        json=valid_body(method, path))
    assert_error(response, 404)


def test_the_walk_covers_every_surface():
    assert {surface(p) for _, p in PROTECTED} == set(FORBIDDEN)
    assert len(PROTECTED) >= 50 and len(WITH_BODY) >= 20 and len(WITH_ID) >= 20
