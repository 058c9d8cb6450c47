from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.models import Sku
from app.db import Base, CreatedAt, str_enum, utcnow


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


class MovementReason(enum.StrEnum):
    """Why a SKU's stock changed. Each reason moves the counters in one documented way
    (docs/supply.md, "Stock movements"); the row stores the changes themselves so the audit needs
    no table of rules."""
    OPENING = "opening"                  # counters as they stood when movements began (migration)
    ADJUSTED = "adjusted"                # stock total set by hand in the catalogue
    RECEIVED = "received"                # goods received (purchase receipt): total +
    RESERVED = "reserved"                # held for an unpaid order: reserved +
    RELEASED = "released"                # hold given back (cancelled, lapsed): reserved -
    SOLD = "sold"                        # paid: reserved - / sold +, or straight to sold
    REFUNDED = "refunded"                # refunded units back on sale: sold -
    SHORTAGE = "shortage"                # sold units that never arrived at the pickup point: total -, sold -
    WRITTEN_OFF = "written_off"          # spoiled, damaged, expired: total -
    COUNTED = "counted"                  # stock-take adjustment: total +/-
    TRANSFERRED_IN = "transferred_in"    # from another location: total +
    TRANSFERRED_OUT = "transferred_out"  # to another location: total -


class StockMovement(Base):
    """One change of one SKU's stock (append-only: a trigger refuses UPDATE, and DELETE on
    PostgreSQL). The three *_change columns are exactly what the change did to the SKU's counters
    (or, with campaign_item_id, to that campaign item's buckets), so summing them per SKU must give
    the counters back: `flask stock-audit` checks it."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        sa.Index("ix_stock_movements_sku_at", "sku_id", "id"),
        sa.Index("ix_stock_movements_reference", "reference_type", "reference_id"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    sku_id: Mapped[int] = mapped_column(sa.ForeignKey("skus.id"))
    campaign_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign_items.id"), index=True)
    reason: Mapped[MovementReason] = mapped_column(str_enum(MovementReason, "movement_reason"))
    quantity: Mapped[int]            # units moved (always >= 0; the direction is in the changes)
    total_change: Mapped[int] = mapped_column(default=0)
    reserved_change: Mapped[int] = mapped_column(default=0)
    sold_change: Mapped[int] = mapped_column(default=0)
    reference_type: Mapped[str | None] = mapped_column(sa.String(24))  # order, po, receipt, batch, stock_take, ...
    reference_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    cause: Mapped[str | None] = mapped_column(sa.String(24))  # write-off / shortage reason
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stock_locations.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    sku: Mapped[Sku] = relationship()


class StockLocation(CreatedAt, Base):
    """A place stock is kept and counted. One warehouse today; the counters on SKUs are the sum
    over locations, so more locations mean transfers and per-location sheets, not a new model."""

    __tablename__ = "stock_locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))


class StockTakeStatus(enum.StrEnum):
    OPEN = "open"            # counts being entered
    CONFIRMED = "confirmed"  # adjustments written
    CANCELLED = "cancelled"


class StockTake(CreatedAt, Base):
    """A count sheet for one location: counted quantities per SKU, then one confirm that writes a
    `counted` movement for each SKU whose count differs from what the books say."""

    __tablename__ = "stock_takes"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_locations.id"))
    status: Mapped[StockTakeStatus] = mapped_column(str_enum(StockTakeStatus, "stock_take_status"),
                                                    default=StockTakeStatus.OPEN)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    confirmed_at: Mapped[dt.datetime | None]

    lines: Mapped[list[StockTakeLine]] = relationship(order_by="StockTakeLine.sku_id", back_populates="stock_take")


class StockTakeLine(Base):
    __tablename__ = "stock_take_lines"
    __table_args__ = (
        sa.UniqueConstraint("stock_take_id", "sku_id"),
        sa.CheckConstraint("counted IS NULL OR counted >= 0", name="counted_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_take_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_takes.id"))
    sku_id: Mapped[int] = mapped_column(sa.ForeignKey("skus.id"))
    expected: Mapped[int]                 # on hand by the books when the sheet was made
    counted: Mapped[int | None]           # None: not counted yet (left as it is on confirm)
    adjustment: Mapped[int | None]        # counted - on hand at confirmation, written on confirm

    stock_take: Mapped[StockTake] = relationship(back_populates="lines")
    sku: Mapped[Sku] = relationship()
