from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, CreatedAt


class Membership(CreatedAt, Base):
    """A shopper who joined the store's membership (members-only campaigns and prices)."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.CheckConstraint("points_balance >= 0", name="points_not_negative"),
        sa.CheckConstraint("growth_points >= 0", name="growth_not_negative"),
    )

    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), primary_key=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # A paid membership runs until then (renewing extends it); a free one never lapses (NULL).
    expires_at: Mapped[dt.datetime | None]

    def active_at(self, now: dt.datetime) -> bool:
        return self.is_active and (self.expires_at is None or self.expires_at > now)
    # Kept with the points ledger (app/loyalty/ledger.py) in the same transaction as each entry.
    points_balance: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    growth_points: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
