from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, CreatedAt


class Membership(CreatedAt, Base):
    """A shopper who joined the store's membership (members-only campaigns and prices)."""

    __tablename__ = "memberships"

    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), primary_key=True)
    is_active: Mapped[bool] = mapped_column(default=True)
