from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, Timestamps, str_enum, utcnow


class OrderStatus(enum.StrEnum):
    PENDING_PAYMENT = "pending_payment"   # stock reserved until expires_at
    DEPOSIT_PAID = "deposit_paid"         # pre-sale: deposit in, balance due in the balance window
    CONFIRMED = "confirmed"               # pay at pickup: stock committed, money collected at pickup
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Fulfilment(enum.StrEnum):
    """Where the goods are; a separate axis from the money (OrderStatus)."""

    PENDING = "pending"                          # not yet in a delivery batch (unpaid)
    SCHEDULED = "scheduled"                      # in a batch, on its way
    READY_FOR_PICKUP = "ready_for_pickup"        # arrived; the shopper may collect it
    PARTIALLY_PICKED_UP = "partially_picked_up"
    PICKED_UP = "picked_up"
    UNCOLLECTED = "uncollected"                  # not collected in time; the store's policy applied
    NOT_DELIVERED = "not_delivered"              # nothing arrived usable (all shorted), or closed


OPEN_FOR_PAYMENT = (OrderStatus.PENDING_PAYMENT,)
PAID_STATES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


class Order(Timestamps, Base):
    """An order for pickup, with what it was at order time: names, prices, leader, pickup point."""

    __tablename__ = "orders"
    __table_args__ = (
        sa.CheckConstraint("total_cents >= 0 AND subtotal_cents >= 0", name="totals_not_negative"),
        sa.CheckConstraint("paid_cents >= 0 AND refunded_cents >= 0", name="money_not_negative"),
        sa.CheckConstraint("refunded_cents <= paid_cents", name="refunds_within_paid"),
        sa.CheckConstraint("total_cents = subtotal_cents - coupon_discount_cents - points_discount_cents",
                           name="total_is_subtotal_less_discounts"),
        sa.CheckConstraint("coupon_discount_cents >= 0 AND points_discount_cents >= 0 AND points_redeemed >= 0",
                           name="discounts_not_negative"),
        sa.Index("ix_orders_account_created", "account_id", "created_at"),
        sa.Index("ix_orders_status_expires", "status", "expires_at"),
        sa.Index("ix_orders_group_created", "group_id", "created_at"),
        # The purchase plan reads a delivery day's orders (app/purchasing/demand.py).
        sa.Index("ix_orders_pickup_date", "pickup_date"),
        # Flash-sale reservations are idempotent on (shopper, client key) without a key table.
        sa.UniqueConstraint("account_id", "client_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(16), unique=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("groups.id"))
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leaders.id"), index=True)
    pickup_point_id: Mapped[int] = mapped_column(sa.ForeignKey("pickup_points.id"), index=True)
    # Snapshots: what the shopper was shown, whatever later happens to the group or point.
    group_name: Mapped[str] = mapped_column(sa.String(80))
    leader_name: Mapped[str | None] = mapped_column(sa.String(80))
    pickup_point_name: Mapped[str] = mapped_column(sa.String(120))
    pickup_point_address: Mapped[str] = mapped_column(sa.String(300))
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, "order_status"))
    payment_method: Mapped[str] = mapped_column(sa.String(24))
    currency: Mapped[str] = mapped_column(sa.String(3))
    subtotal_cents: Mapped[int] = mapped_column(sa.BigInteger)
    total_cents: Mapped[int] = mapped_column(sa.BigInteger)
    paid_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Includes refunds in flight, so two refunds racing can never together exceed what was paid.
    refunded_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    expires_at: Mapped[dt.datetime | None]
    # Pickup: the day it is expected at the point, the batch it travels in, and the code to collect it.
    pickup_date: Mapped[dt.date | None]
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delivery_batches.id"), index=True)
    pickup_code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    fulfilment: Mapped[Fulfilment] = mapped_column(str_enum(Fulfilment, "fulfilment"), default=Fulfilment.PENDING)
    ready_at: Mapped[dt.datetime | None]
    picked_up_at: Mapped[dt.datetime | None]
    reminded_at: Mapped[dt.datetime | None]
    # Wrong-code attempts against this order; at the limit, its code is locked for a while.
    code_failures: Mapped[int] = mapped_column(default=0)
    code_locked_until: Mapped[dt.datetime | None]
    balance_reminders: Mapped[int] = mapped_column(default=0, server_default="0")  # pre-sale reminders sent
    paid_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    close_reason: Mapped[str | None] = mapped_column(sa.String(60))
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)
    client_key: Mapped[str | None] = mapped_column(sa.String(255))
    # Order-level discounts, also spread over the lines (OrderLine.discount_cents) for refunds.
    # The buyer's referrer when the order was placed (first touch): who a referrer share goes to.
    referrer_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    # No foreign key here: coupons.order_id is the enforced link (two would make a cycle).
    coupon_id: Mapped[int | None] = mapped_column(index=True)
    coupon_discount_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    points_redeemed: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    points_discount_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", lazy="selectin", cascade="all, delete-orphan"
    )
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.id", lazy="selectin",  # noqa: F821
                                                   viewonly=False)
    account: Mapped[Account] = relationship(foreign_keys=[account_id])  # noqa: F821

    @property
    def shopper_name(self) -> str:
        return self.account.name

    @hybrid_property
    def effective_status(self) -> str:
        """An unpaid order past its expiry is expired, whether or not the sweep has run."""
        if self.status is OrderStatus.PENDING_PAYMENT and self.expires_at and self.expires_at <= utcnow():
            return OrderStatus.EXPIRED.value
        return self.status.value

    @effective_status.inplace.expression
    @classmethod
    def _effective_status_expression(cls):
        return sa.case(
            (sa.and_(cls.status == OrderStatus.PENDING_PAYMENT, cls.expires_at <= sa.bindparam(
                "now", callable_=utcnow, type_=cls.__table__.c.expires_at.type)), OrderStatus.EXPIRED.value),
            else_=sa.cast(cls.status, sa.String),
        )


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("unit_price_cents >= 0", name="price_not_negative"),
        sa.CheckConstraint("refunded_quantity >= 0 AND refunded_quantity <= quantity", name="refund_within_quantity"),
        sa.CheckConstraint("refunded_cents >= 0 AND refunded_cents <= line_total_cents", name="refund_within_total"),
        sa.UniqueConstraint("order_id", "sku_id"),
        sa.CheckConstraint("discount_cents >= 0 AND line_total_cents = unit_price_cents * quantity - discount_cents",
                           name="line_total_is_price_less_discount"),
        sa.CheckConstraint("shorted_quantity + picked_up_quantity <= quantity", name="handover_within_quantity"),
        sa.CheckConstraint("restocked_quantity >= 0 AND restocked_quantity <= quantity",
                           name="restock_within_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"))
    sku_id: Mapped[int] = mapped_column(sa.ForeignKey("skus.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    product_name: Mapped[str] = mapped_column(sa.String(120))
    sku_name: Mapped[str] = mapped_column(sa.String(80))
    sku_code: Mapped[str] = mapped_column(sa.String(64))
    unit_price_cents: Mapped[int] = mapped_column(sa.BigInteger)
    # The price engine's decision: the list price and the rule that set unit_price_cents.
    list_price_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    price_rule: Mapped[str] = mapped_column(sa.String(30), default="regular", server_default="regular")
    campaign_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign_items.id"))
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaigns.id"), index=True)  # what priced it
    # Loyalty points on this line are earned at this multiple (a member day's extra points).
    points_multiplier: Mapped[int] = mapped_column(default=1, server_default="1")
    # Commission rates snapshotted at order time (app/commissions/rules.py), in basis points.
    commission_rule_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commission_rules.id"))
    leader_rate_bps: Mapped[int] = mapped_column(default=0, server_default="0")
    referrer_rate_bps: Mapped[int] = mapped_column(default=0, server_default="0")
    quantity: Mapped[int]
    # unit_price_cents × quantity − discount_cents: what the line costs after coupon and points.
    discount_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    line_total_cents: Mapped[int] = mapped_column(sa.BigInteger)
    refunded_quantity: Mapped[int] = mapped_column(default=0)
    refunded_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    shorted_quantity: Mapped[int] = mapped_column(default=0)     # did not arrive usable
    picked_up_quantity: Mapped[int] = mapped_column(default=0)   # handed over
    restocked_quantity: Mapped[int] = mapped_column(default=0)   # put back on sale after a refund

    order: Mapped[Order] = relationship(back_populates="lines")

    def amount_of(self, units: int) -> int:
        """What `units` of this line cost after its discounts: their share of the line total,
        rounded down (the last units of a refund take the remainder: app/payments/refunds.py)."""
        return min(self.line_total_cents * units // self.quantity, self.line_total_cents)

    @property
    def collectable_quantity(self) -> int:
        """Units still waiting at the point for the shopper."""
        return max(self.quantity - self.shorted_quantity - self.picked_up_quantity
                   - max(self.refunded_quantity - self.shorted_quantity, 0), 0)
