"""Swagger UI (vendored, /api/docs) renders the OpenAPI 3.1 document: every operation listed and the
webhooks section shown, with no error box and no console error."""
from __future__ import annotations


def test_swagger_ui_renders_the_3_1_document(page, live_server, app):
    operations = sum(len([m for m in item if m != "parameters"])
                     for item in app.test_client().get("/api/openapi.json").get_json()["paths"].values())
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/api/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    page.wait_for_function(f"() => document.querySelectorAll('.opblock-summary-path').length >= {operations}",
                           timeout=30_000)
    assert page.locator(".errors-wrapper").count() == 0
    assert page.get_by_text("OAS 3.1").count() >= 1
    assert page.get_by_text("order.paid", exact=True).count() >= 1  # the webhooks section
    assert page.console_errors == []
