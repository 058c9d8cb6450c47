"""What the replenishment sweep has sent: one reminder per predicted cycle, one subscription
suggestion per shopper and product. The unique keys are what make "once" hold under reruns and
concurrent sweeps: a row is inserted before its message, in the same transaction."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, CreatedAt, str_enum


class Basis(enum.StrEnum):
    HISTORY = "history"          # the shopper's own purchase gaps
    USAGE_DAYS = "usage_days"    # the product's usage_days_per_unit × units bought


class ReplenishmentReminder(CreatedAt, Base):
    """A reminder sent for one cycle: the cycle is named by the latest purchase it was predicted
    from, so a newer purchase starts a new cycle (and the old one is never reminded)."""

    __tablename__ = "replenishment_reminders"
    __table_args__ = (
        sa.UniqueConstraint("account_id", "product_id", "basis_order_id"),
        sa.CheckConstraint("cycle_days > 0", name="cycle_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    basis_order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"))
    basis: Mapped[Basis] = mapped_column(str_enum(Basis, "replenishment_basis"))
    last_purchase_on: Mapped[dt.date]
    cycle_days: Mapped[int]
    run_out_on: Mapped[dt.date]
    remind_on: Mapped[dt.date]
    # What the reorder places: the product's lines of the basis order, net of refunds.
    lines: Mapped[list[dict]] = mapped_column(sa.JSON)
    # The order placed through the reminder's reorder link (one per reminder; see reorder.py).
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"))

    product = relationship("Product", lazy="joined")


class SubscriptionSuggestion(CreatedAt, Base):
    """A shopper was invited to subscribe to a product they keep buying: at most once."""

    __tablename__ = "replenishment_subscription_suggestions"

    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("subscription_plans.id"))
    basis_order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"))
