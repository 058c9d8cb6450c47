from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, CreatedAt, Timestamps, str_enum
from app.pickup_points.models import PickupPoint


class BatchStatus(enum.StrEnum):
    OPEN = "open"              # paid orders for this day are still joining it
    CLOSED = "closed"          # the merchant froze it to pick and pack
    DISPATCHED = "dispatched"  # on its way to the pickup point
    ARRIVED = "arrived"        # the leader confirmed arrival; orders are ready for pickup


class DeliveryBatch(Timestamps, Base):
    """One consolidated delivery to one pickup point for one day."""

    __tablename__ = "delivery_batches"
    __table_args__ = (sa.UniqueConstraint("pickup_point_id", "delivery_date"),
                      sa.Index("ix_delivery_batches_date_status", "delivery_date", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    pickup_point_id: Mapped[int] = mapped_column(sa.ForeignKey("pickup_points.id"))
    delivery_date: Mapped[dt.date]
    status: Mapped[BatchStatus] = mapped_column(str_enum(BatchStatus, "batch_status"), default=BatchStatus.OPEN)
    closed_at: Mapped[dt.datetime | None]
    dispatched_at: Mapped[dt.datetime | None]
    arrived_at: Mapped[dt.datetime | None]
    arrived_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))

    pickup_point: Mapped[PickupPoint] = relationship(lazy="joined")


class ShortageReason(enum.StrEnum):
    MISSING = "missing"
    DAMAGED = "damaged"


class Shortage(CreatedAt, Base):
    """Units of an order line that did not arrive usable, recorded by the leader at arrival."""

    __tablename__ = "shortages"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("delivery_batches.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int]
    reason: Mapped[ShortageReason] = mapped_column(str_enum(ShortageReason, "shortage_reason"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id"))  # set once refunded


class PickupEvent(CreatedAt, Base):
    """Audit of a handover: who verified which lines of which order, and what was collected."""

    __tablename__ = "pickup_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    verified_by_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    verified_as: Mapped[str] = mapped_column(sa.String(10))  # leader | staff
    lines: Mapped[list[dict]] = mapped_column(sa.JSON)       # [{"order_line_id", "quantity"}]
    collected_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class PickupAttempt(CreatedAt, Base):
    """Every try at handing over against a pickup code, successful or not, and by whom: the audit
    the merchant reads for all points and a leader for their own. The code itself is not kept."""

    __tablename__ = "pickup_attempts"
    __table_args__ = (sa.Index("ix_pickup_attempts_point_created", "pickup_point_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    verified_as: Mapped[str] = mapped_column(sa.String(10))          # leader | staff
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leaders.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), index=True)  # when known
    pickup_point_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pickup_points.id"))
    order_number: Mapped[str | None] = mapped_column(sa.String(16))   # as typed, when given
    outcome: Mapped[str] = mapped_column(sa.String(40))               # handed_over, or the error's code
