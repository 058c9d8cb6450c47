"""HTTP metrics, one JSON log line per request, and /metrics for Prometheus (docs/operations.md).

/metrics is outside the API prefix and answers only with `Authorization: Bearer <METRICS_TOKEN>`;
without METRICS_TOKEN it does not exist (404), so a deployment exposes nothing by accident. A token
rather than a second port: gunicorn serves one port, and a load balancer or firewall rule can also
keep /metrics internal on top of the token.
"""
from __future__ import annotations

import hmac
import logging
import os
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from app.metrics import observe_request

bp = Blueprint("metrics", __name__)
log = logging.getLogger("storefront.request")


class QueueCollector:
    """RQ queue depth and lag (age of the oldest waiting job), read from Redis at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        depth = GaugeMetricFamily("rq_queue_jobs", "Jobs waiting in the queue", labels=["queue"])
        lag = GaugeMetricFamily("rq_queue_lag_seconds", "Age of the oldest waiting job (0 when empty)",
                                labels=["queue"])
        with self.app.app_context():
            from rq import Queue

            from app.jobs.queue import redis_connection

            now = time.time()
            for queue in Queue.all(connection=redis_connection()):
                depth.add_metric([queue.name], queue.count)
                oldest = queue.get_jobs(0, 1)
                enqueued = oldest[0].enqueued_at if oldest and oldest[0].enqueued_at else None
                lag.add_metric([queue.name], max(0.0, now - enqueued.timestamp()) if enqueued else 0.0)
        yield depth
        yield lag


def _exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # every gunicorn worker's values, summed
    else:
        registry = REGISTRY  # a single process (flask run, tests)
    text = generate_latest(registry)
    if current_app.config["REDIS_URL"]:
        queues = CollectorRegistry()
        queues.register(QueueCollector(current_app._get_current_object()))
        text += generate_latest(queues)
    return text


@bp.get("/metrics")
def metrics():
    token = current_app.config["METRICS_TOKEN"]
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not hmac.compare_digest(given.encode(), token.encode()):
        abort(401)
    return Response(_exposition(), content_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})


def register_metrics(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def record(response):
        started = g.pop("started", None)
        if started is None or request.endpoint == "metrics.metrics":
            return response
        # The route template (/api/v1/admin/products/<id:product_id>), never the raw path: one
        # series per route, whatever ids are asked for.
        route = request.url_rule.rule if request.url_rule else "unmatched"
        observe_request(request.method, route, response.status_code, started)
        log.info("request", extra={"method": request.method, "path": request.path, "route": route,
                                   "status": response.status_code,
                                   "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
        return response
