from __future__ import annotations

import pytest

PUBLIC = {
    ("post", "/api/v1/store/auth/register"), ("post", "/api/v1/store/auth/login"),
    ("post", "/api/v1/admin/auth/login"), ("get", "/api/v1/store/categories"),
    ("get", "/api/v1/store/groups/{code}"), ("get", "/api/v1/store/groups/{code}/products"),
    ("get", "/api/v1/store/groups/{code}/products/{product_id}"), ("get", "/api/v1/store/pickup-points/nearby"),
    ("get", "/api/v1/store/lotteries/{lottery_id}/audit"), ("get", "/api/v1/store/client-config"),
}


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/openapi.json").get_json()


def test_openapi_lists_store_leader_and_admin_routes(spec):
    prefixes = {"/".join(p.split("/")[:4]) for p in spec["paths"]}
    assert prefixes == {"/api/v1/store", "/api/v1/leader", "/api/v1/admin"}


def test_every_operation_documents_its_error_envelope(spec):
    envelope = spec["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["properties"]["error"]
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method == "parameters":
                continue
            assert "default" in op["responses"], (method, path)


def test_every_non_public_operation_declares_bearer_auth_and_401_403(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method == "parameters" or (method, path) in PUBLIC:
                continue
            assert op.get("security") == [{"bearerAuth": []}], (method, path)
            assert {"401", "403"} <= set(op["responses"]), (method, path)


def test_public_operations_really_are_public(client, spec):
    for method, path in PUBLIC:
        assert "security" not in spec["paths"][path][method], (method, path)


def test_docs_ui_is_served_with_vendored_assets(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and b"swagger-ui" in page.data
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
