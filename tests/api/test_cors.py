"""CORS: off by default; with an allow-list, only listed origins may call the API from a browser."""
from __future__ import annotations

import pytest

from app import create_app
from app.config import ConfigError, load_settings

FRONT = "https://shop.example.com"
PREFLIGHT = {"Origin": FRONT, "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization, content-type, idempotency-key"}


@pytest.fixture
def cors_client(app):
    other = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "CORS_ALLOWED_ORIGINS": [FRONT]})
    return other.test_client()


def test_cors_is_off_by_default(client):
    r = client.get("/api/openapi.json", headers={"Origin": FRONT})
    assert "Access-Control-Allow-Origin" not in r.headers
    r = client.options("/api/v1/store/auth/login", headers=PREFLIGHT)
    assert "Access-Control-Allow-Origin" not in r.headers


def test_a_listed_origin_may_call_the_api_without_credentials(cors_client):
    r = cors_client.options("/api/v1/store/auth/login", headers=PREFLIGHT)
    assert r.headers["Access-Control-Allow-Origin"] == FRONT
    allowed = r.headers["Access-Control-Allow-Headers"].lower()
    assert {"authorization", "content-type", "idempotency-key"} <= {h.strip() for h in allowed.split(",")}
    assert "Access-Control-Allow-Credentials" not in r.headers
    r = cors_client.get("/api/openapi.json", headers={"Origin": FRONT})
    assert r.headers["Access-Control-Allow-Origin"] == FRONT and "Origin" in r.headers["Vary"]
    exposed = {h.strip() for h in r.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"Retry-After", "RateLimit", "RateLimit-Policy", "Link", "ETag", "X-Pagination"} <= exposed


def test_other_origins_and_the_pages_get_no_cors_headers(cors_client):
    r = cors_client.get("/api/openapi.json", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in r.headers
    r = cors_client.get("/admin", headers={"Origin": FRONT})
    assert "Access-Control-Allow-Origin" not in r.headers


@pytest.mark.parametrize("value", ["*", "shop.example.com", "https://shop.example.com/path"])
def test_the_setting_takes_origins_only(monkeypatch, tmp_path, value):
    monkeypatch.setenv("ENV_FILE", str(tmp_path / "none.env"))
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", value)
    with pytest.raises(ConfigError, match="CORS_ALLOWED_ORIGINS"):
        load_settings(tmp_path)
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://a.example, http://localhost:3000")
    assert load_settings(tmp_path)["CORS_ALLOWED_ORIGINS"] == ["https://a.example", "http://localhost:3000"]
