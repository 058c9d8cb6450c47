from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, CreatedAt


class IdempotencyKey(CreatedAt, Base):
    """A client's key for one unsafe request, with the progress made and the response to replay.

    recovery_point: 'started' → (work-specific points) → 'finished'. A request that died between
    points leaves the key unlocked or stale-locked, and a retry resumes from the point reached.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("account_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    key: Mapped[str] = mapped_column(sa.String(255))
    scope: Mapped[str] = mapped_column(sa.String(60))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    recovery_point: Mapped[str] = mapped_column(sa.String(30), default="started")
    locked_at: Mapped[dt.datetime | None]
    resource_id: Mapped[int | None]
    response_status: Mapped[int | None]
    response_body: Mapped[dict | None] = mapped_column(sa.JSON)
