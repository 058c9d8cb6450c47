"""Request ids and the audit context of each authenticated write (the log itself: app/staff/audit.py)."""
from __future__ import annotations

import re
import uuid

from flask import Flask, g, has_request_context, request

from app.accounts.models import Account
from app.request_context import bind_request_id, unbind_request_id
from app.staff import audit

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A caller's (or proxy's) request id is kept if it is short and plain, so logs join up across hops.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id() -> str:
    if "request_id" not in g:
        g.request_id = request_id_from(request.headers.get("X-Request-Id", ""))
    return g.request_id


def request_id_from(given: str) -> str:
    """The caller's id if it is plain, else a new one (also used by the flash gate, before Flask)."""
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


def _object_of(view_args: dict) -> tuple[str | None, str | None]:
    for name, value in (view_args or {}).items():
        if name.endswith("_id"):
            return name.removesuffix("_id"), str(value)
    return None, None


def open_context(account: Account, actor_role: str) -> None:
    """Start recording this request's changes, if it is a write."""
    if request.method not in WRITES:
        return
    object_type, object_id = _object_of(request.view_args)
    g.audit = audit.AuditContext(
        actor_id=account.id, actor_name=account.name, actor_role=actor_role,
        action=request.endpoint or request.path, method=request.method, path=request.path,
        object_type=object_type, object_id=object_id, ip_address=request.remote_addr, request_id=request_id())


def _current() -> audit.AuditContext | None:
    return g.get("audit") if has_request_context() else None


def register_audit(app: Flask) -> None:
    audit.set_context_provider(_current)
    audit.install()

    @app.before_request
    def bind_id():
        # Logs, jobs enqueued and webhooks emitted by this request carry its id (app/request_context.py).
        g.request_id_token = bind_request_id(request_id())

    @app.after_request
    def send_request_id(response):
        response.headers["X-Request-Id"] = request_id()
        return response

    @app.teardown_request
    def close_context(_exc=None):
        g.pop("audit", None)
        token = g.pop("request_id_token", None)
        if token is not None:
            unbind_request_id(token)
