"""Suppliers, what they supply at what cost, the cost history, safety stock, purchase orders and receipts."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, CreatedAt, Timestamps, str_enum, utcnow


class Supplier(Timestamps, Base):
    __tablename__ = "suppliers"
    __table_args__ = (sa.CheckConstraint("min_order_cents >= 0", name="min_order_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    contact_name: Mapped[str | None] = mapped_column(sa.String(80))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    # The smallest purchase order (its total at cost) the supplier accepts; 0: none.
    min_order_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    active: Mapped[bool] = mapped_column(default=True)

    offers: Mapped[list[SupplierSku]] = relationship(back_populates="supplier", order_by="SupplierSku.sku_id",
                                                     lazy="selectin")


class SupplierSku(Timestamps, Base):
    """One supplier's offer of one SKU: its current cost (history in cost_prices), lead time and minimum."""

    __tablename__ = "supplier_skus"
    __table_args__ = (
        sa.UniqueConstraint("supplier_id", "sku_id"),
        sa.CheckConstraint("cost_cents >= 0", name="cost_not_negative"),
        sa.CheckConstraint("lead_days >= 0 AND min_units >= 0", name="lead_and_minimum_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(sa.ForeignKey("skus.id"), index=True)
    cost_cents: Mapped[int] = mapped_column(sa.BigInteger)
    # Days between sending a purchase order and the goods arriving.
    lead_days: Mapped[int] = mapped_column(default=0)
    min_units: Mapped[int] = mapped_column(default=0)   # the smallest line the supplier accepts
    preferred: Mapped[bool] = mapped_column(default=False)  # chosen over a cheaper supplier

    supplier: Mapped[Supplier] = relationship(back_populates="offers")


class CostPrice(Base):
    """Append-only: each change of a supplier's cost of a SKU. Margin uses the SKU's latest cost
    recorded at or before the sale (app/analytics/margin.py)."""

    __tablename__ = "cost_prices"
    __table_args__ = (
        sa.CheckConstraint("cost_cents >= 0", name="cost_not_negative"),
        sa.Index("ix_cost_prices_sku_effective", "sku_id", "effective_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int] = mapped_column(sa.ForeignKey("skus.id"))
    supplier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("suppliers.id"))
    cost_cents: Mapped[int] = mapped_column(sa.BigInteger)
    effective_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))


class SafetyStock(Timestamps, Base):
    """Units of a SKU the merchant wants on hand beyond the day's demand."""

    __tablename__ = "safety_stocks"
    __table_args__ = (sa.CheckConstraint("units >= 0", name="units_not_negative"),)

    sku_id: Mapped[int] = mapped_column(sa.ForeignKey("skus.id", ondelete="CASCADE"), primary_key=True)
    units: Mapped[int] = mapped_column(default=0)


class PoStatus(enum.StrEnum):
    DRAFT = "draft"                            # confirmed from the plan; still editable
    SENT = "sent"                              # sent to the supplier; counts as on order
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"                      # every line accepted, rejected or short
    CANCELLED = "cancelled"


OPEN_STATES = (PoStatus.DRAFT, PoStatus.SENT, PoStatus.PARTLY_RECEIVED)


class PurchaseOrder(Timestamps, Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (
        sa.CheckConstraint("total_cents >= 0", name="total_not_negative"),
        sa.Index("ix_purchase_orders_date_status", "delivery_date", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(24), unique=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), index=True)
    delivery_date: Mapped[dt.date]
    status: Mapped[PoStatus] = mapped_column(str_enum(PoStatus, "po_status"), default=PoStatus.DRAFT)
    # The client's key for "confirm this proposal": a second confirm with it finds this order.
    confirm_key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    total_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    sent_at: Mapped[dt.datetime | None]
    received_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]

    supplier: Mapped[Supplier] = relationship(lazy="joined")
    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="order", order_by="PurchaseOrderLine.id", lazy="selectin", cascade="all, delete-orphan")


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        sa.UniqueConstraint("purchase_order_id", "sku_id"),
        sa.CheckConstraint("quantity > 0 AND unit_cost_cents >= 0", name="quantity_and_cost"),
        sa.CheckConstraint("accepted >= 0 AND rejected >= 0 AND short >= 0", name="receipt_not_negative"),
        sa.CheckConstraint("accepted + rejected + short <= quantity", name="received_within_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(sa.ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(sa.ForeignKey("skus.id"), index=True)
    quantity: Mapped[int]
    unit_cost_cents: Mapped[int] = mapped_column(sa.BigInteger)
    accepted: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    short: Mapped[int] = mapped_column(default=0)   # the supplier did not deliver them

    order: Mapped[PurchaseOrder] = relationship(back_populates="lines")

    @property
    def outstanding(self) -> int:
        return self.quantity - self.accepted - self.rejected - self.short


class Receipt(CreatedAt, Base):
    """One delivery checked in against a purchase order."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(sa.ForeignKey("purchase_orders.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    note: Mapped[str | None] = mapped_column(sa.String(500))

    lines: Mapped[list[ReceiptLine]] = relationship(order_by="ReceiptLine.id", lazy="selectin",
                                                    cascade="all, delete-orphan")


class ReceiptLine(Base):
    __tablename__ = "receipt_lines"
    __table_args__ = (
        sa.CheckConstraint("accepted >= 0 AND rejected >= 0 AND short >= 0", name="not_negative"),
        sa.CheckConstraint("rejected = 0 OR reject_reason IS NOT NULL", name="rejection_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("receipts.id", ondelete="CASCADE"), index=True)
    purchase_order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("purchase_order_lines.id"))
    sku_id: Mapped[int] = mapped_column(sa.ForeignKey("skus.id"))
    accepted: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    reject_reason: Mapped[str | None] = mapped_column(sa.String(200))
    short: Mapped[int] = mapped_column(default=0)
