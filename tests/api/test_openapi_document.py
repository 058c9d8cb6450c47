"""The OpenAPI document as generated clients need it (issue 22): each rule here is one that made
openapi-python-client or openapi-typescript drop a schema, mistype a field or warn."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from blueprints.openapi.webhooks import EVENTS

CSV_OPERATIONS = 18  # 17 `*.csv` downloads and the bank's payout file
TYPED = ("type", "$ref", "anyOf", "oneOf", "allOf", "const")


@pytest.fixture(scope="module")
def doc(app):
    return app.test_client().get("/api/openapi.json").get_json()


def operations(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield method, path, operation


def walk(node, where, top=False):
    """Every schema object below `node` with where it sits; `top` marks a component's own root."""
    if not isinstance(node, dict):
        return
    yield where, node, top
    for name, sub in node.get("properties", {}).items():
        yield from walk(sub, f"{where}.{name}")
    for key in ("items", "additionalProperties", "not"):
        yield from walk(node.get(key), f"{where}[{key}]")
    for key in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(node.get(key, [])):
            yield from walk(sub, f"{where}[{key}{i}]")


def all_schemas(doc):
    for name, schema in doc["components"]["schemas"].items():
        yield from walk(schema, name, top=True)
    for method, path, operation in operations(doc):
        for parameter in operation.get("parameters", []):
            if "$ref" in parameter:  # shared (flask-smorest's If-Match / If-None-Match): resolve it
                parameter = doc["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[-1]]
            yield from walk(parameter.get("schema"), f"{method} {path} {parameter['name']}")
        for part in [operation.get("requestBody", {}), *operation["responses"].values()]:
            for media, content in part.get("content", {}).items():
                yield from walk(content.get("schema"), f"{method} {path} {media}")


def test_the_document_is_valid_openapi_3_1(doc):
    assert doc["openapi"] == "3.1.0"
    validate(doc)
    assert doc["servers"] and doc["servers"][0]["url"]


def test_every_operation_has_a_unique_operation_id_from_its_endpoint(doc):
    ids = [op.get("operationId") for _, _, op in operations(doc)]
    assert None not in ids
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"(store|leader|admin)_[a-z0-9_]+", i) for i in ids)
    # Stable: the surface and the view function's name, so generated method names do not move.
    paths = doc["paths"]
    assert paths["/api/v1/store/orders"]["post"]["operationId"] == "store_place_order"
    assert paths["/api/v1/store/auth/register"]["post"]["operationId"] == "store_register"
    assert paths["/api/v1/admin/auth/login"]["post"]["operationId"] == "admin_login"
    assert paths["/api/v1/leader/me"]["get"]["operationId"] == "leader_me"


def test_every_property_is_typed_and_every_array_has_items(doc):
    # `additionalProperties: {}` (a dict of any values, e.g. an error's details) says "any JSON" on purpose
    untyped = [w for w, s, top in all_schemas(doc) if not top and not any(k in s for k in TYPED)
               and not (s == {} and w.endswith("[additionalProperties]"))]
    assert untyped == []
    assert [w for w, s, _ in all_schemas(doc) if s.get("type") == "array" and "items" not in s] == []


def test_enums_are_named_components_not_inline(doc):
    inline = [w for w, s, top in all_schemas(doc) if "enum" in s and not top]
    assert inline == []
    assert doc["components"]["schemas"]["OrderStatus"]["enum"][0] == "pending_payment"


def test_response_schemas_say_which_fields_are_always_there(doc):
    schemas = doc["components"]["schemas"]
    answered = set()
    for _, _, operation in operations(doc):
        for status, response in operation["responses"].items():
            for content in response.get("content", {}).values():
                schema = content["schema"]
                ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
                if ref and status.startswith("2"):
                    answered.add(ref.rsplit("/", 1)[1])
    assert len(answered) > 90
    assert [n for n in sorted(answered) if schemas[n].get("properties") and not schemas[n].get("required")] == []
    order = schemas["Order"]
    assert {"id", "status", "lines", "payment", "pickup_code"} <= set(order["required"])
    # null is expressed the 3.1 way: a nullable nested object is anyOf [$ref, null]
    assert {"type": "null"} in order["properties"]["payment"]["anyOf"]


def test_csv_operations_declare_text_csv(doc):
    csv = [(m, p) for m, p, op in operations(doc) if "text/csv" in op["responses"].get("200", {}).get("content", {})]
    assert len(csv) == CSV_OPERATIONS
    for method, path, _ in operations(doc):
        if path.endswith(".csv"):
            assert (method, path) in csv
    export = doc["paths"]["/api/v1/admin/payouts/export"]["post"]["responses"]["200"]
    assert "text/csv" in export["content"] and "X-Payout-Count" in export["headers"]


def test_errors_and_headers_every_operation_can_answer_with(doc):
    responses = doc["components"]["responses"]
    assert "Retry-After" in responses["SERVICE_UNAVAILABLE"]["headers"]
    assert {"Retry-After", "RateLimit", "RateLimit-Policy"} <= set(responses["TOO_MANY_REQUESTS"]["headers"])
    for method, path, operation in operations(doc):
        assert "503" in operation["responses"], (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= set(operation["responses"]), (method, path)
        if "{" in path:
            assert "404" in operation["responses"], (method, path)
    place = doc["paths"]["/api/v1/store/orders"]["post"]["responses"]["201"]["headers"]
    assert {"Idempotent-Replayed", "X-Request-Id"} <= set(place)
    login = doc["paths"]["/api/v1/store/auth/login"]["post"]["responses"]
    assert {"RateLimit", "RateLimit-Policy"} <= set(login["200"]["headers"]) and "429" in login
    listing = doc["paths"]["/api/v1/admin/orders"]["get"]["responses"]["200"]["headers"]
    assert {"X-Pagination", "Link"} <= set(listing)


def test_admin_operations_keep_their_permission(doc):
    admin = [op for _, p, op in operations(doc) if p.startswith("/api/v1/admin/") and "security" in op]
    assert admin and all(op.get("x-permission") for op in admin)


def test_every_outbound_webhook_event_the_code_emits_is_documented(doc):
    root = Path(__file__).resolve().parents[2] / "app"
    called = r'(?:emit|notify_order|tell_shopper|_tell)\([^"]*"([a-z_]+\.[a-z_]+)"'
    emitted = {m for path in root.rglob("*.py") for m in re.findall(called, path.read_text())}
    assert len(emitted) > 20 and emitted <= set(EVENTS)
    assert set(doc["webhooks"]) == set(EVENTS)
    paid = doc["webhooks"]["order.paid"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    data = doc["components"]["schemas"][paid["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
    assert {"order_id", "order_number", "status", "shopper"} <= set(data["required"])
