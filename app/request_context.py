"""The id of the request (or job) this code runs for, without Flask: logs, jobs and webhooks read it.

The HTTP layer binds it per request (blueprints/audit.py), the worker per job from the job's meta
(app/jobs/worker.py); a ContextVar keeps threads and nested work apart.
"""
from __future__ import annotations

from contextvars import ContextVar, Token

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def bind_request_id(value: str | None) -> Token:
    return _request_id.set(value)


def unbind_request_id(token: Token) -> None:
    _request_id.reset(token)
