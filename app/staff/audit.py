"""The audit log: every staff (and leader) write, recorded in the transaction of the change.

The HTTP layer opens an AuditContext for each authenticated write request (blueprints/audit.py). The
session hooks below collect what each flush changes (ORM rows: insert, update with the changed
fields' before/after, delete) and the UPDATE/DELETE/INSERT statements run through the session
(guarded updates: table and bound values, the before is not known), and before each commit add one
AuditEntry with them, so the entry commits or rolls back with the change itself. A request that
changes nothing writes nothing; a request that commits twice writes two entries.
"""
from __future__ import annotations

import datetime as dt
import decimal
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.staff.models import AuditEntry

# Values never copied into the log, whichever row they belong to.
SECRET_FIELDS = frozenset({"password_hash", "token_hash", "code_hash", "secret", "webhook_secret", "initial_password"})
# pickup_attempts is itself an audit (every pickup-code try, refused ones committed on their own).
SKIPPED_TABLES = frozenset({"audit_log", "idempotency_keys", "auth_tokens", "pickup_attempts"})


@dataclass
class AuditContext:
    actor_id: int
    actor_name: str
    actor_role: str
    action: str
    method: str
    path: str
    object_type: str | None = None
    object_id: str | None = None
    ip_address: str | None = None
    request_id: str | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    written: int = 0


_provider: Callable[[], AuditContext | None] = lambda: None  # noqa: E731


def set_context_provider(provider: Callable[[], AuditContext | None]) -> None:
    """The HTTP layer tells us how to find the current request's context (app/ never imports flask.g)."""
    global _provider
    _provider = provider


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _value(key: str, value: Any) -> Any:
    return "***" if key in SECRET_FIELDS and value is not None else _plain(value)


def _row(obj: Any, op: str) -> dict[str, Any] | None:
    state = sa.inspect(obj)
    table = state.mapper.local_table.name
    if isinstance(obj, AuditEntry) or table in SKIPPED_TABLES:
        return None
    ident = state.identity
    entry: dict[str, Any] = {"table": table, "id": _plain(ident[0] if ident and len(ident) == 1 else ident), "op": op}
    fields: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if op == "update":
            if not history.has_changes():
                continue
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            fields[attr.key] = {"before": _value(attr.key, before), "after": _value(attr.key, after)}
        else:
            value = getattr(obj, attr.key, None)
            if value is not None:
                fields[attr.key] = _value(attr.key, value)
    if op == "update" and not fields:
        return None
    entry["fields" if op == "update" else ("after" if op == "insert" else "before")] = fields
    return entry


def _after_flush(session: Session, _flush_context) -> None:
    ctx = _provider()
    if ctx is None:
        return
    for op, objects in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            row = _row(obj, op)
            if row is not None:
                ctx.changes.append(row)


def _on_execute(state):
    if not (state.is_update or state.is_delete or state.is_insert):
        return None
    ctx = _provider()
    table = getattr(state.statement, "table", None)
    if ctx is None or table is None or getattr(table, "name", None) in SKIPPED_TABLES:
        return None
    params = state.statement.compile().params
    result = state.invoke_statement()
    rowcount = getattr(result, "rowcount", None)
    if rowcount is None:
        # An ORM UPDATE … RETURNING hands its rows to the caller and has no rowcount: count them on
        # a frozen copy and give the caller a fresh result over the same rows.
        frozen = result.freeze()
        rowcount, result = len(frozen().all()), frozen()
    if rowcount == 0:
        return result  # a guarded statement that matched nothing changed nothing
    op = "update" if state.is_update else ("delete" if state.is_delete else "insert")
    ctx.changes.append({"table": table.name, "op": op, "statement": True, "rows": max(rowcount, 0),
                        "values": {k: _value(k, v) for k, v in params.items()}})
    return result


def _before_commit(session: Session) -> None:
    ctx = _provider()
    if ctx is None:
        return
    session.flush()  # so the rows this commit writes are collected before the entry is made
    if not ctx.changes:
        return
    changes, ctx.changes = ctx.changes, []
    object_type, object_id = ctx.object_type, ctx.object_id
    if object_type is None:
        first = next((c for c in changes if c.get("id") is not None), None)
        object_type, object_id = (first["table"], str(first["id"])) if first else (None, None)
    session.add(AuditEntry(
        actor_id=ctx.actor_id, actor_name=ctx.actor_name[:80], actor_role=ctx.actor_role, action=ctx.action[:120],
        method=ctx.method, path=ctx.path[:400], object_type=object_type, object_id=object_id,
        changes=changes, ip_address=ctx.ip_address, request_id=ctx.request_id))
    ctx.written += 1


def _after_rollback(session: Session) -> None:
    ctx = _provider()
    if ctx is not None:
        ctx.changes.clear()  # what a rolled-back transaction did never happened


def install() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def entries(*, actor_id: int | None = None, action: str | None = None, object_type: str | None = None,
            object_id: str | None = None, since: dt.datetime | None = None,
            until: dt.datetime | None = None) -> sa.Select:
    """The log newest first, filtered."""
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    for column, value in ((AuditEntry.actor_id, actor_id), (AuditEntry.object_type, object_type),
                          (AuditEntry.object_id, object_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if action:
        stmt = stmt.where(AuditEntry.action.icontains(action, autoescape=True))
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    return stmt


CSV_HEADER = ["id", "at", "actor_id", "actor_name", "actor_role", "action", "method", "path", "object_type",
              "object_id", "ip_address", "request_id", "changes"]


def csv_rows(stmt: sa.Select, limit: int = 50_000) -> list[list]:
    import json

    rows = []
    for e in db.session.scalars(stmt.limit(limit)):
        rows.append([e.id, e.at.isoformat(), e.actor_id, e.actor_name, e.actor_role, e.action, e.method, e.path,
                     e.object_type or "", e.object_id or "", e.ip_address or "", e.request_id or "",
                     json.dumps(e.changes, ensure_ascii=False)])
    return rows
