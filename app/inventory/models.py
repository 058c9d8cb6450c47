from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, CreatedAt, str_enum


class ReservationStatus(enum.StrEnum):
    ACTIVE = "active"        # counted in skus.stock_reserved
    CONSUMED = "consumed"    # turned into stock_sold by payment
    RELEASED = "released"    # given back: order cancelled
    EXPIRED = "expired"      # given back: not paid in time


class StockReservation(CreatedAt, Base):
    """Stock held for an unpaid order. Active rows are exactly what skus.stock_reserved counts."""

    __tablename__ = "stock_reservations"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        # The lazy release before each reservation looks for a SKU's overdue active holds.
        sa.Index("ix_stock_reservations_sku_active", "sku_id", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    sku_id: Mapped[int] = mapped_column(sa.ForeignKey("skus.id"))
    quantity: Mapped[int]
    status: Mapped[ReservationStatus] = mapped_column(
        str_enum(ReservationStatus, "reservation_status"), default=ReservationStatus.ACTIVE
    )
    expires_at: Mapped[dt.datetime]
