"""JSON logs with the request id, carried into RQ jobs and outbound webhooks; optional Sentry."""
from __future__ import annotations

import gzip
import io
import json
import logging
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.extensions import db
from app.jobs import queue
from app.logs import configure_logging
from app.notifications.dispatch import dispatch_pending
from app.notifications.outbox import emit
from app.request_context import bind_request_id, unbind_request_id
from app.settings.services import update_settings

RID = "req-test-0123456789"


@pytest.fixture
def json_log():
    """The root logger writing JSON lines into a buffer, as in production; restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    buffer = io.StringIO()
    configure_logging("json", "INFO")
    root.handlers[0].stream = buffer
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    root.handlers, root.level = saved[0], saved[1]


def test_every_request_logs_one_json_line_with_the_callers_request_id(client, json_log):
    r = client.get("/healthz", headers={"X-Request-Id": RID})
    assert r.headers["X-Request-Id"] == RID
    line = next(e for e in json_log() if e["message"] == "request")
    assert line["request_id"] == RID and line["route"] == "/healthz" and line["status"] == 200
    assert {"time", "level", "logger", "duration_ms", "method", "path"} <= set(line)


def test_a_request_without_an_id_gets_a_new_one_in_its_logs_and_answer(client, json_log):
    r = client.get("/api/v1/store/nothing-here")
    lines = [e for e in json_log() if e["message"] == "request"]
    assert lines[-1]["request_id"] == r.headers["X-Request-Id"] and len(r.headers["X-Request-Id"]) == 32
    assert lines[-1]["route"] == "unmatched" and lines[-1]["status"] == 404


def test_text_format_also_names_the_request_id(json_log):
    configure_logging("text", "INFO")
    buffer = io.StringIO()
    logging.getLogger().handlers[0].stream = buffer
    token = bind_request_id(RID)
    try:
        logging.getLogger("storefront.test").info("hello")
    finally:
        unbind_request_id(token)
    assert f"[{RID}] hello" in buffer.getvalue()


def job_that_logs(note: str) -> str:
    logging.getLogger("storefront.test").info("job ran: %s", note)
    return note


@pytest.mark.redis
def test_a_job_enqueued_by_a_request_logs_under_that_requests_id_in_the_worker(app, monkeypatch, json_log):
    from app.jobs.worker import make_worker

    monkeypatch.setitem(app.config, "JOBS_RUN_INLINE", False)
    queue.get_queue().empty()
    token = bind_request_id(RID)  # what blueprints/audit.py binds for each request
    try:
        job = queue.enqueue(job_that_logs, "x")
    finally:
        unbind_request_id(token)
    assert job.meta["request_id"] == RID
    make_worker(app).work(burst=True, with_scheduler=False)
    assert job.get_status(refresh=True) == "finished"
    ran = [e for e in json_log() if e["message"] == "job ran: x"]
    assert len(ran) == 1 and ran[0]["request_id"] == RID
    started = next(e for e in json_log() if e["message"] == "job started")
    assert started["job_id"] == job.id and started["request_id"] == RID


class Hook:
    """A merchant's webhook endpoint on loopback recording each call's headers."""

    def __init__(self):
        self.headers = []
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    @Request.application
    def app(self, request):
        self.headers.append(dict(request.headers))
        return Response("ok")


def test_an_event_emitted_under_a_request_goes_out_with_its_id_in_the_webhook(app):
    hook = Hook()
    try:
        update_settings({"webhook_url": hook.url})
        token = bind_request_id(RID)
        try:
            emit("test.event", {"n": 1}, [])
            db.session.commit()
        finally:
            unbind_request_id(token)
        dispatch_pending()  # later, in a job or the sweep: no request bound any more
    finally:
        hook.server.shutdown()
    assert len(hook.headers) == 1 and hook.headers[0]["X-Request-Id"] == RID


class SentryIngest:
    """A local stand-in for a Sentry server: accepts envelopes at /api/<project>/envelope/."""

    def __init__(self):
        self.events: list[dict] = []
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.dsn = f"http://publickey@127.0.0.1:{self.server.server_port}/1"

    @Request.application
    def app(self, request):
        body = request.get_data()
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        for line in body.splitlines():
            item = json.loads(line) if line.strip().startswith(b"{") else None
            if item and "event_id" in item and "level" in item:
                self.events.append(item)
        return Response("{}", content_type="application/json")


def test_with_sentry_dsn_an_unhandled_error_is_reported_tagged_with_the_request_id(app):
    import sentry_sdk

    from app.error_tracking import init_error_tracking
    from blueprints.errors import handle_unexpected

    ingest = SentryIngest()
    try:
        assert init_error_tracking({"SENTRY_DSN": ingest.dsn, "APP_ENV": "testing"})
        # A request whose view failed: the app's last-resort handler answers 500 and logs it.
        with app.test_request_context("/api/v1/store/groups", headers={"X-Request-Id": RID}):
            app.preprocess_request()  # binds the request id, as for a real request
            try:
                raise RuntimeError("sentry test failure")
            except RuntimeError as exc:
                response = handle_unexpected(exc)
            app.do_teardown_request()
        assert response.status_code == 500
        sentry_sdk.flush(timeout=5)
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # back to no client: later tests report nothing
        ingest.server.shutdown()
    [event] = [e for e in ingest.events if "sentry test failure" in json.dumps(e.get("exception", {}))]
    assert event["tags"]["request_id"] == RID and event["environment"] == "testing"


def test_without_sentry_dsn_nothing_is_started():
    from app.error_tracking import init_error_tracking

    assert init_error_tracking({"SENTRY_DSN": ""}) is False
