"""Security headers without a browser (tests/e2e/test_security_headers.py loads the pages)."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/", "/leader", "/admin", "/api/docs", "/g/NO-SUCH-LINK"])
def test_html_pages_forbid_inline_script_and_framing(client, path):
    r = client.get(path)
    assert r.mimetype == "text/html"
    policy = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy and r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_the_api_docs_page_has_no_inline_script():
    from app import create_app

    html = create_app({"APP_ENV": "test"}).test_client().get("/api/docs").get_data(as_text=True)
    assert "<script>" not in html and "/static/js/swagger-init.js" in html


def test_json_answers_are_never_documents(client):
    r = client.get("/api/v1/store/client-config")
    assert r.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
