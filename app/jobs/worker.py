"""The `flask worker` process: RQ's SimpleWorker with a fresh app context per job."""
from __future__ import annotations

import logging

from flask import Flask
from rq import SimpleWorker

from app.extensions import db
from app.jobs.queue import DEFAULT_QUEUE, redis_connection
from app.metrics import JOBS
from app.request_context import bind_request_id, unbind_request_id

log = logging.getLogger(__name__)


class AppWorker(SimpleWorker):
    """Runs jobs in this process (no fork per job: forking would share the DB pool's sockets, and
    SimpleWorker is several times faster), each inside its own app context and DB session."""

    flask_app: Flask

    def perform_job(self, job, queue):
        # Jobs a request enqueued log under its id; sweeps from cron under their own job id.
        token = bind_request_id((job.meta or {}).get("request_id") or job.id)
        log.info("job started", extra={"job_id": job.id, "job": job.func_name, "queue": queue.name})
        try:
            with self.flask_app.app_context():
                try:
                    ok = super().perform_job(job, queue)
                    JOBS.labels("succeeded" if ok else "failed").inc()
                    return ok
                finally:
                    from app.notifications.outbox import kick

                    kick()
                    db.session.remove()
        finally:
            unbind_request_id(token)


def make_worker(app: Flask, queues: list[str] | None = None) -> AppWorker:
    with app.app_context():
        connection = redis_connection()
    worker = AppWorker(queues or [DEFAULT_QUEUE], connection=connection)
    worker.flask_app = app
    return worker
