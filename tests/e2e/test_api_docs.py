"""Swagger UI (vendored, /api/docs) renders the OpenAPI 3.1 document: its version and server shown,
operations listed, no error box and no console error."""
from __future__ import annotations


def test_swagger_ui_renders_the_3_1_document(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/api/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    assert page.get_by_text("OAS 3.1").count() >= 1
    first = page.locator(".opblock-summary-path").first.inner_text()
    assert first.replace("\u200b", "").startswith("/api/v1/store/")
    assert page.locator(".servers").count() == 1  # the `servers` entry
    assert page.locator(".errors-wrapper").count() == 0
    # The browser asks for /favicon.ico, which the API does not serve (a 404 logged as a console error).
    assert [e for e in page.console_errors if "404" not in e] == []
