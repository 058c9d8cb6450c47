"""The `flask worker` process: RQ's SimpleWorker with a fresh app context per job."""
from __future__ import annotations

from flask import Flask
from rq import SimpleWorker

from app.extensions import db
from app.jobs.queue import DEFAULT_QUEUE, redis_connection


class AppWorker(SimpleWorker):
    """Runs jobs in this process (no fork per job: forking would share the DB pool's sockets, and
    SimpleWorker is several times faster), each inside its own app context and DB session."""

    flask_app: Flask

    def perform_job(self, job, queue):
        with self.flask_app.app_context():
            try:
                return super().perform_job(job, queue)
            finally:
                from app.notifications.outbox import kick

                kick()
                db.session.remove()


def make_worker(app: Flask, queues: list[str] | None = None) -> AppWorker:
    with app.app_context():
        connection = redis_connection()
    worker = AppWorker(queues or [DEFAULT_QUEUE], connection=connection)
    worker.flask_app = app
    return worker
