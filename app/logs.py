"""Logging for every process (web, worker, cron, CLI): one JSON object per line on stderr, each with
the request id it ran for (python-json-logger), so a log pipeline can follow one request from the
web process into the jobs and webhooks it started. LOG_FORMAT=text for reading at a terminal.
"""
from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter

from app.request_context import current_request_id

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id (None outside a request or job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def json_formatter() -> logging.Formatter:
    return JsonFormatter(FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                         json_ensure_ascii=False)


def configure_logging(fmt: str = "json", level: str = "INFO") -> None:
    """Replace the root logger's handlers with one stderr handler in the chosen format."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(json_formatter() if fmt == "json" else logging.Formatter(TEXT))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
