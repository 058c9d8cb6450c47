from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, Timestamps, str_enum

DEFAULT_CAMPAIGN_METHODS = {"flash_sale": ["online"], "group_buy": ["online"], "pre_sale": ["online"]}


class UncollectedPolicy(enum.StrEnum):
    REFUND = "refund"                      # money back in full; goods back on sale
    REFUND_MINUS_FEE = "refund_minus_fee"  # money back less restocking_fee_bps; goods back on sale
    RETURN_TO_STOCK = "return_to_stock"    # goods back on sale; a paid order is not refunded


class StoreSettings(Timestamps, Base):
    """The store's single settings row (id 1). Times are wall-clock in STORE_TIMEZONE."""

    __tablename__ = "store_settings"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.CheckConstraint("lead_days BETWEEN 0 AND 14", name="lead_days_range"),
        sa.CheckConstraint("pickup_from < pickup_until", name="window_ordered"),
        sa.CheckConstraint("reminder_after_days >= 0 AND uncollected_after_days > reminder_after_days",
                           name="uncollected_after_reminder"),
        sa.CheckConstraint("restocking_fee_bps BETWEEN 0 AND 10000", name="fee_range"),
        sa.CheckConstraint("replenishment_remind_days_before BETWEEN 0 AND 30", name="replenishment_days_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Orders placed before cutoff_time go into the batch delivered lead_days later.
    cutoff_time: Mapped[dt.time] = mapped_column(default=dt.time(23, 0))
    lead_days: Mapped[int] = mapped_column(default=1)
    pickup_from: Mapped[dt.time] = mapped_column(default=dt.time(16, 0))
    pickup_until: Mapped[dt.time] = mapped_column(default=dt.time(21, 0))
    reminder_after_days: Mapped[int] = mapped_column(default=1)
    uncollected_after_days: Mapped[int] = mapped_column(default=3)
    uncollected_policy: Mapped[UncollectedPolicy] = mapped_column(
        str_enum(UncollectedPolicy, "uncollected_policy"), default=UncollectedPolicy.REFUND)
    restocking_fee_bps: Mapped[int] = mapped_column(default=0)  # basis points: 1000 = 10 %
    # Staff refunds above this need a second staff member's approval (four-eyes); None: never.
    refund_approval_above_cents: Mapped[int | None]
    webhook_url: Mapped[str | None] = mapped_column(sa.String(500))
    webhook_secret: Mapped[str | None] = mapped_column(sa.String(100))
    # The coupon each shopper gets on their birthday (app/members/birthday.py); None: no birthday offer.
    birthday_coupon_template_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("coupon_templates.id", ondelete="SET NULL"))
    # Replenishment reminders go out this many local days before the predicted run-out
    # (app/replenishment/); more than the delivery lead leaves time to reorder and collect.
    replenishment_remind_days_before: Mapped[int] = mapped_column(default=3, server_default="3")
    # Payment methods as data (app/payments/methods.py). Online ones (card, wechat_pay, alipay) are
    # offered only while Stripe keys are set; pay_at_pickup stays per group.
    online_methods: Mapped[list] = mapped_column(sa.JSON, default=lambda: ["card", "wechat_pay", "alipay"])
    wallet_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Per campaign kind (flash_sale, group_buy, pre_sale), which methods may pay: "online" stands for
    # every offered online method, "wallet" for the wallet. Missing kind: online only.
    campaign_methods: Mapped[dict] = mapped_column(sa.JSON, default=lambda: dict(DEFAULT_CAMPAIGN_METHODS))
