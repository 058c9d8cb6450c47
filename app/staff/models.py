from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Timestamps, utcnow


class StaffRole(Timestamps, Base):
    """A custom role an owner made from permissions. Built-in roles live in code
    (app/staff/permissions.py); an account names its role by key in `accounts.staff_role`."""

    __tablename__ = "staff_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    permissions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)


class AuditEntry(Base):
    """One staff (or leader) write: who, in which role, what, on which object, the fields it changed
    (before and after), when, from where and in which request. Append-only (a trigger refuses
    UPDATE and DELETE on PostgreSQL and UPDATE on SQLite); written in the transaction of the change."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_actor_at", "actor_id", "at"),
        sa.Index("ix_audit_log_object", "object_type", "object_id"),
        sa.Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # No foreign key: the log outlives what it describes, and must never block a delete it records.
    actor_id: Mapped[int] = mapped_column()
    actor_name: Mapped[str] = mapped_column(sa.String(80))
    actor_role: Mapped[str] = mapped_column(sa.String(40))
    action: Mapped[str] = mapped_column(sa.String(120))
    method: Mapped[str] = mapped_column(sa.String(8))
    path: Mapped[str] = mapped_column(sa.String(400))
    object_type: Mapped[str | None] = mapped_column(sa.String(60))
    object_id: Mapped[str | None] = mapped_column(sa.String(60))
    changes: Mapped[list[dict]] = mapped_column(sa.JSON, default=list)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))


