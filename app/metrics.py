"""Prometheus metrics (prometheus-client). Served at /metrics (blueprints/metrics.py, docs/operations.md).

Under gunicorn every worker is a process: with PROMETHEUS_MULTIPROC_DIR set (gunicorn.conf.py sets it)
the client keeps each process's values in files there and a scrape adds them up, so one scrape of
any worker shows the whole host. Business counters count what was committed, not what was tried:
they are noted on the session and added after commit (a rolled-back order is not an order).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # must exist before the first metric is made
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

from prometheus_client import Counter, Histogram  # noqa: E402
from sqlalchemy import event
from sqlalchemy.orm import Session

HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests answered, by route template and status",
                        ["method", "route", "status"])
HTTP_LATENCY = Histogram("http_request_duration_seconds", "Time to answer, by route template", ["method", "route"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
ORDERS = Counter("storefront_orders_total", "Orders placed (committed)")
PAYMENTS = Counter("storefront_payments_succeeded_total", "Payments that succeeded, by provider", ["provider"])
REFUNDS = Counter("storefront_refunds_total", "Refunds created (committed)")
FLASH_REFUSALS = Counter("storefront_flash_refusals_total", "Flash-sale attempts turned away, by error code",
                         ["code"])
WEBHOOK_FAILURES = Counter("storefront_webhook_failures_total", "Outbound webhook tries that failed")
JOBS = Counter("storefront_jobs_total", "Background jobs run by the worker, by outcome", ["outcome"])

_PENDING = "metrics.pending"


def count_on_commit(session: Session, counter, **labels: str) -> None:
    """Add one to `counter` when this session's transaction commits."""
    session.info.setdefault(_PENDING, []).append((counter, labels))


@event.listens_for(Session, "after_flush")
def _note_new_rows(session: Session, _context) -> None:
    from app.orders.models import Order
    from app.payments.models import Refund

    for obj in session.new:
        if isinstance(obj, Order):
            count_on_commit(session, ORDERS)
        elif isinstance(obj, Refund):
            count_on_commit(session, REFUNDS)


@event.listens_for(Session, "after_commit")
def _add_committed(session: Session) -> None:
    for counter, labels in session.info.pop(_PENDING, ()):
        (counter.labels(**labels) if labels else counter).inc()


@event.listens_for(Session, "after_rollback")
def _drop_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


def observe_request(method: str, route: str, status: int, started: float) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - started)
