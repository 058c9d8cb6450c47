from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, CreatedAt, Timestamps, str_enum


class CouponKind(enum.StrEnum):
    AMOUNT = "amount"    # amount_off_cents off the eligible lines
    PERCENT = "percent"  # percent_off % off the eligible lines, rounded down to the cent


class CouponSource(enum.StrEnum):
    MERCHANT = "merchant"
    BIRTHDAY = "birthday"
    REFERRAL = "referral"
    MEMBER_DAY = "member_day"
    LOTTERY = "lottery"


class CouponStatus(enum.StrEnum):
    AVAILABLE = "available"  # (expired is derived from valid_until, never stored)
    USED = "used"            # on an order that is paid or still awaiting payment
    VOID = "void"            # withdrawn by the merchant


coupon_template_products = sa.Table(
    "coupon_template_products", Base.metadata,
    sa.Column("template_id", sa.ForeignKey("coupon_templates.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("product_id", sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
)
coupon_template_categories = sa.Table(
    "coupon_template_categories", Base.metadata,
    sa.Column("template_id", sa.ForeignKey("coupon_templates.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("category_id", sa.ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)


class CouponTemplate(Timestamps, Base):
    """What a coupon gives and to what; limits on issuing. Products and categories restrict which
    lines it applies to (neither: every regular-priced line)."""

    __tablename__ = "coupon_templates"
    __table_args__ = (
        sa.CheckConstraint("(kind = 'amount' AND amount_off_cents > 0 AND percent_off IS NULL) OR "
                           "(kind = 'percent' AND percent_off BETWEEN 1 AND 100 AND amount_off_cents IS NULL)",
                           name="discount_shape"),
        sa.CheckConstraint("min_spend_cents >= 0", name="min_spend_not_negative"),
        sa.CheckConstraint("valid_days IS NULL OR valid_days > 0", name="valid_days_positive"),
        sa.CheckConstraint("valid_days IS NOT NULL OR valid_until IS NOT NULL", name="has_validity"),
        sa.CheckConstraint("per_person_limit IS NULL OR per_person_limit > 0", name="per_person_positive"),
        sa.CheckConstraint("total_limit IS NULL OR (total_limit > 0 AND issued_count <= total_limit)",
                           name="never_over_issued"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[CouponKind] = mapped_column(str_enum(CouponKind, "coupon_kind"))
    amount_off_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    percent_off: Mapped[int | None]
    min_spend_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Validity of an issued coupon: valid_days from issue, capped by valid_until if both are set.
    valid_from: Mapped[dt.datetime | None]
    valid_until: Mapped[dt.datetime | None]
    valid_days: Mapped[int | None]
    per_person_limit: Mapped[int | None]
    total_limit: Mapped[int | None]
    issued_count: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    products: Mapped[list[Product]] = relationship(secondary=coupon_template_products, lazy="selectin")  # noqa: F821
    categories: Mapped[list[Category]] = relationship(  # noqa: F821
        secondary=coupon_template_categories, lazy="selectin")


class Coupon(CreatedAt, Base):
    """One coupon held by one shopper. Issued once per source_ref (the rule or request that issued
    it), so a rerun of a rule never issues twice."""

    __tablename__ = "coupons"
    __table_args__ = (
        sa.Index("ix_coupons_account_status", "account_id", "status"),
        sa.CheckConstraint("(status = 'used') = (order_id IS NOT NULL)", name="used_means_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("coupon_templates.id"), index=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    status: Mapped[CouponStatus] = mapped_column(str_enum(CouponStatus, "coupon_status"),
                                                 default=CouponStatus.AVAILABLE)
    valid_from: Mapped[dt.datetime]
    valid_until: Mapped[dt.datetime]
    source: Mapped[CouponSource] = mapped_column(str_enum(CouponSource, "coupon_source"))
    source_ref: Mapped[str] = mapped_column(sa.String(120), unique=True)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    used_at: Mapped[dt.datetime | None]

    template: Mapped[CouponTemplate] = relationship(lazy="joined")
