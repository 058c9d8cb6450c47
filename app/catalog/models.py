from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, CreatedAt, Timestamps, str_enum


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class Category(CreatedAt, Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    # Merchant text in other languages: {"en": {"name": ...}} (app/content.py).
    translations: Mapped[dict | None] = mapped_column(sa.JSON)


# A product listed here is sold only to these groups; a product with no rows is sold to all.
product_groups = sa.Table(
    "product_groups",
    Base.metadata,
    sa.Column("product_id", sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Product(Timestamps, Base):
    __tablename__ = "products"
    __table_args__ = (
        sa.CheckConstraint(
            "NOT repeat_use OR (usage_days_per_unit IS NOT NULL AND usage_days_per_unit > 0)",
            name="repeat_use_has_usage_days",
        ),
        sa.Index("ix_products_status_position", "status", "position", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.Text)
    # Merchant text in other languages: {"en": {"name": ...}} (app/content.py).
    translations: Mapped[dict | None] = mapped_column(sa.JSON)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    status: Mapped[ProductStatus] = mapped_column(
        str_enum(ProductStatus, "product_status"), default=ProductStatus.DRAFT
    )
    image_urls: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)
    # Repeat-use goods (rice, soy-milk grains, nappies): how many days one unit lasts a household,
    # the starting point for replenishment reminders before a shopper's own history exists.
    repeat_use: Mapped[bool] = mapped_column(default=False)
    usage_days_per_unit: Mapped[int | None]
    # Member zone: only members buy it (from min_tier up, if set); others see it with the member price.
    members_only: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    min_tier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("loyalty_tiers.id", ondelete="SET NULL"))
    # New products: on sale to everyone from released_at; members earlier (app/loyalty/zone.py).
    is_new: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    released_at: Mapped[dt.datetime | None]

    category: Mapped[Category | None] = relationship(lazy="joined")
    skus: Mapped[list[Sku]] = relationship(
        back_populates="product", order_by="(Sku.position, Sku.id)", cascade="all, delete-orphan", lazy="selectin"
    )
    # Groups the product is restricted to (empty: every group).
    groups: Mapped[list[Group]] = relationship(secondary=product_groups)  # noqa: F821


class Sku(Timestamps, Base):
    """A sellable variant. Stock: available = total - reserved - sold, never below zero."""

    __tablename__ = "skus"
    __table_args__ = (
        sa.UniqueConstraint("product_id", "name"),
        sa.CheckConstraint("price_cents >= 0", name="price_not_negative"),
        sa.CheckConstraint(
            "compare_at_price_cents IS NULL OR compare_at_price_cents > price_cents", name="compare_at_above_price"
        ),
        sa.CheckConstraint("stock_reserved >= 0 AND stock_sold >= 0", name="counters_not_negative"),
        sa.CheckConstraint("member_price_cents IS NULL OR (member_price_cents >= 0 AND member_price_cents <= "
                           "price_cents)", name="member_price_not_above_price"),
        sa.CheckConstraint("stock_sold + stock_reserved <= stock_total", name="never_oversold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    # Merchant text in other languages: {"en": {"name": ...}} (app/content.py).
    translations: Mapped[dict | None] = mapped_column(sa.JSON)
    price_cents: Mapped[int] = mapped_column(sa.BigInteger)
    compare_at_price_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    member_price_cents: Mapped[int | None] = mapped_column(sa.BigInteger)  # what members pay, if lower
    stock_total: Mapped[int] = mapped_column(default=0)
    stock_reserved: Mapped[int] = mapped_column(default=0)
    stock_sold: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    product: Mapped[Product] = relationship(back_populates="skus")

    @property
    def stock_available(self) -> int:
        """What a shopper can buy now. Holds that expired but were not yet released count as
        available when the reader has annotated them (inventory.stock.overdue_held)."""
        overdue = getattr(self, "overdue_held", 0)
        return max(self.stock_total - self.stock_reserved - self.stock_sold + overdue, 0)
