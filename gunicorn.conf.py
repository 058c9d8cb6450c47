"""gunicorn settings for the storefront: `gunicorn -c gunicorn.conf.py wsgi:app` (./scripts/serve uses it).

Environment: HOST (127.0.0.1), PORT (5000), WEB_CONCURRENCY (2 × cores), GUNICORN_TIMEOUT (30 s),
GUNICORN_GRACEFUL_TIMEOUT (30 s), GUNICORN_MAX_REQUESTS (0 = never recycle a worker).
docs/operations.md explains the choices.
"""
from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

from gunicorn import util

_host = os.environ.get("HOST", "127.0.0.1")
_port = os.environ.get("PORT", "5000")
bind = os.environ.get("GUNICORN_BIND", f"{_host}:{_port}")

# Sync workers: this app is database-bound and threaded workers measured slower here (docs/benchmarks.md).
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))   # SIGTERM: finish in-flight requests
keepalive = 5                                   # behind a load balancer that reuses connections
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 10
# The app logs one JSON line per request with its request id (blueprints/metrics.py); gunicorn's own
# access log would repeat it in another format. GUNICORN_ACCESS_LOG=- turns it back on.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
# gunicorn's own error log (start, worker exits, timeouts) as JSON too, unless LOG_FORMAT=text.
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"json": {"()": "pythonjsonlogger.json.JsonFormatter",
                                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": "INFO"},  # replaces gunicorn's default, which names its own handler
        # gunicorn.access is left to gunicorn: GUNICORN_ACCESS_LOG and --access-logformat keep working.
        "loggers": {"gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
    }

# gunicorn 27 opens a control socket at ~/.gunicorn/gunicorn.ctl by default: two instances on one
# machine (two ports, a test run beside the demo) would fight over it. One per instance folder and port.
_instance = Path(__file__).resolve().parent / "instance"
_instance.mkdir(exist_ok=True)
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", str(_instance / f"gunicorn-{_port}.ctl"))

# Prometheus metrics from every worker process (app/metrics.py): each writes its values into files
# in this folder and /metrics sums them. By default one folder per instance and port, emptied at
# start (a previous run's values would be added in). A PROMETHEUS_MULTIPROC_DIR given in the
# environment is the operator's (shared with `flask worker` on the host, say): empty it before start.
_own_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
_metrics_dir = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(_instance / f"prometheus-{_port}")))


def on_starting(server):
    _metrics_dir.mkdir(parents=True, exist_ok=True)
    if _own_metrics_dir:
        for stale in _metrics_dir.glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)

# Requests gunicorn refuses before the app sees them (an over-long URL or header, a malformed
# request line) get the API's JSON error envelope instead of gunicorn's HTML page.
_CODES = {400: "bad_request", 403: "forbidden", 414: "uri_too_long", 417: "expectation_failed",
          431: "headers_too_large", 500: "internal_error", 501: "not_implemented"}
_MESSAGES = {
    "zh-CN": {400: "请求格式不正确", 414: "请求地址过长", 431: "请求头过大", 500: "服务器出错了，已记录，请稍后再试"},
    "en": {400: "The request is malformed", 414: "The request URL is too long",
           431: "The request headers are too large", 500: "Something went wrong on our side; it has been logged"},
}


def _json_error(sock, status_int, reason, mesg):
    lang = "en" if os.environ.get("STORE_LOCALE", "zh-CN").startswith("en") else "zh-CN"
    message = _MESSAGES[lang].get(status_int) or _MESSAGES[lang][400 if status_int < 500 else 500]
    body = json.dumps({"error": {"code": _CODES.get(status_int, "bad_request"), "message": message,
                                 "details": {}}}, ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Language: {lang}\r\nContent-Length: {len(body)}\r\n\r\n").encode("latin-1")
    util.write_nonblock(sock, head + body)


util.write_error = _json_error  # the workers call gunicorn.util.write_error for these answers
