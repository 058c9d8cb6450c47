from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, query_expression

from app.accounts.models import Account
from app.catalog.models import Product
from app.db import Base, CreatedAt, str_enum


class HiddenBy(enum.StrEnum):
    LEADER = "leader"
    STAFF = "staff"


class SharePost(CreatedAt, Base):
    """A shopper's post (晒单) about a product they picked up, in the feed of the group they were in
    when posting. Hidden posts stay in the table (the author still sees theirs, marked hidden)."""

    __tablename__ = "share_posts"
    __table_args__ = (
        sa.CheckConstraint("like_count >= 0", name="like_count_not_negative"),
        sa.CheckConstraint("(hidden_at IS NULL AND hidden_by IS NULL AND hidden_reason IS NULL) OR "
                           "(hidden_at IS NOT NULL AND hidden_by IS NOT NULL AND hidden_reason IS NOT NULL)",
                           name="hidden_complete"),
        sa.Index("ix_share_posts_product_created", "product_id", "created_at", "id"),
        sa.Index("ix_share_posts_group_created", "group_id", "created_at", "id"),
        sa.Index("ix_share_posts_account_created", "account_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("groups.id"))
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    # The picked-up order that made the shopper eligible (the "bought and collected" proof).
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    text: Mapped[str] = mapped_column(sa.String(1000))
    image_urls: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # Kept in step with share_post_likes by guarded increments in the same transaction.
    like_count: Mapped[int] = mapped_column(default=0, server_default="0")
    hidden_at: Mapped[dt.datetime | None]
    hidden_by: Mapped[HiddenBy | None] = mapped_column(str_enum(HiddenBy, "post_hidden_by"))
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(500))

    # Read with the post (one correlated subquery each) instead of loading whole products and accounts.
    product_name: Mapped[str] = column_property(
        sa.select(Product.name).where(Product.id == product_id).correlate_except(Product).scalar_subquery())
    author_name: Mapped[str] = column_property(
        sa.select(Account.name).where(Account.id == account_id).correlate_except(Account).scalar_subquery())
    # Whether the viewing shopper likes it; filled in by app.posts.services.for_viewer.
    liked_by_viewer: Mapped[bool | None] = query_expression()

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class PostLike(CreatedAt, Base):
    """One like per shopper per post: the primary key makes a repeated or concurrent like a no-op."""

    __tablename__ = "share_post_likes"

    post_id: Mapped[int] = mapped_column(sa.ForeignKey("share_posts.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), primary_key=True, index=True)


class PostQuota(Base):
    """Per-shopper lock row and counter for the daily post limit: one guarded UPDATE takes a post
    from today's allowance (resetting it on a new store-local day), so concurrent posts queue on
    this row and can never together pass the limit."""

    __tablename__ = "share_post_quotas"
    __table_args__ = (sa.CheckConstraint("used >= 0", name="used_not_negative"),)

    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), primary_key=True)
    day: Mapped[dt.date]
    used: Mapped[int] = mapped_column(default=0)
