"""/metrics: Prometheus text, behind METRICS_TOKEN; requests by route and status, business counters."""
from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.assertions import assert_error
from tests.factories import checkout, make_buyer, make_product, make_staff

TOKEN = "metrics-token-for-tests"


@pytest.fixture
def scrape(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)

    def values() -> dict[tuple, float]:
        r = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200 and r.content_type.startswith("text/plain")
        return {(s.name, tuple(sorted(s.labels.items()))): s.value
                for family in text_string_to_metric_families(r.get_data(as_text=True)) for s in family.samples}
    return values


def test_metrics_do_not_exist_without_a_token(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_refuse_a_wrong_token(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    assert_error(client.get("/metrics"), 401)
    assert_error(client.get("/metrics", headers={"Authorization": "Bearer wrong"}), 401)


def test_requests_are_counted_by_route_template_and_status(client, scrape):
    route = (("method", "GET"), ("route", "/api/v1/admin/products/<id:product_id>"), ("status", "404"))
    before = scrape().get(("http_requests_total", route), 0)
    staff = make_staff()
    for missing in (999991, 999992):
        assert client.get(f"/api/v1/admin/products/{missing}", headers=staff.headers).status_code == 404
    after = scrape()
    assert after[("http_requests_total", route)] == before + 2
    count_key = ("http_request_duration_seconds_count", route[:2])
    assert after[count_key] >= 2


def test_orders_placed_are_counted_once_committed(client, scrape):
    buyer, sku = make_buyer(), make_product().skus[0]
    before = scrape().get(("storefront_orders_total", ()), 0)
    assert checkout(client, buyer, [(sku.id, 1)]).status_code == 201
    assert checkout(client, buyer, [(sku.id, 10_000)]).status_code == 422  # refused: no order
    assert scrape()[("storefront_orders_total", ())] == before + 1


@pytest.mark.redis
def test_queue_depth_and_lag_come_from_redis(app, scrape, monkeypatch):
    from app.jobs import queue

    monkeypatch.setitem(app.config, "JOBS_RUN_INLINE", False)
    q = queue.get_queue()
    q.empty()
    queue.enqueue(len, "abc")
    values = scrape()
    assert values[("rq_queue_jobs", (("queue", "default"),))] == 1
    assert 0 <= values[("rq_queue_lag_seconds", (("queue", "default"),))] < 60
    q.empty()
