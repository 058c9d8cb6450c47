from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Account
from app.db import Base, CreatedAt, Timestamps, str_enum, utcnow
from app.leaders.models import Leader
from app.pickup_points.models import PickupPoint


class AdmissionRule(enum.StrEnum):
    OPEN = "open"
    INVITATION_ONLY = "invitation_only"
    MIN_SPEND = "min_spend"
    VERIFIED_PHONE = "verified_phone"  # only shoppers who proved their phone number by a code


class Group(Timestamps, Base):
    __tablename__ = "groups"
    __table_args__ = (
        sa.CheckConstraint(
            "admission_rule <> 'min_spend' OR (min_spend_cents IS NOT NULL AND min_spend_cents > 0)",
            name="min_spend_set",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    neighbourhood: Mapped[str] = mapped_column(sa.String(120))
    notice: Mapped[str | None] = mapped_column(sa.String(2000))
    admission_rule: Mapped[AdmissionRule] = mapped_column(
        str_enum(AdmissionRule, "admission_rule"), default=AdmissionRule.OPEN
    )
    min_spend_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Whether shoppers of this group may choose to pay when they collect (the merchant decides).
    pay_at_pickup_allowed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Overrides of the store's pickup schedule for this group; None: use the store's.
    cutoff_time: Mapped[dt.time | None]
    lead_days: Mapped[int | None]
    pickup_from: Mapped[dt.time | None]
    pickup_until: Mapped[dt.time | None]
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leaders.id"), index=True)
    pickup_point_id: Mapped[int] = mapped_column(sa.ForeignKey("pickup_points.id"), index=True)

    leader: Mapped[Leader | None] = relationship(lazy="joined")
    pickup_point: Mapped[PickupPoint] = relationship(lazy="joined")


class GroupLink(CreatedAt, Base):
    """A shareable code for a group. owner None = the group's own public link."""

    __tablename__ = "group_links"
    __table_args__ = (
        sa.UniqueConstraint("group_id", "owner_account_id"),
        sa.Index(
            "uq_group_links_public",
            "group_id",
            unique=True,
            sqlite_where=sa.text("owner_account_id IS NULL"),
            postgresql_where=sa.text("owner_account_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("groups.id"))
    owner_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"), index=True)

    group: Mapped[Group] = relationship(lazy="joined")


class Binding(Base):
    """A shopper's membership of a group. Rows are never rewritten: a switch ends one and starts another."""

    __tablename__ = "bindings"
    __table_args__ = (
        sa.Index(
            "uq_bindings_current",
            "account_id",
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
        sa.Index("ix_bindings_group_current", "group_id", "ended_at"),
        sa.Index("ix_bindings_account", "account_id", "id"),  # a shopper's history: first referrer
        sa.CheckConstraint("referrer_account_id IS NULL OR referrer_account_id <> account_id", name="no_self_referral"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("groups.id"))
    link_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group_links.id"))
    referrer_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leaders.id"))  # the group's leader at join
    bound_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]
    end_reason: Mapped[str | None] = mapped_column(sa.String(40))

    group: Mapped[Group] = relationship(lazy="joined")
    account: Mapped[Account] = relationship(foreign_keys=[account_id], lazy="joined")
    link: Mapped[GroupLink | None] = relationship(lazy="joined")


class GroupTransfer(CreatedAt, Base):
    """History of a group moving to another leader and/or pickup point."""

    __tablename__ = "group_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("groups.id"), index=True)
    from_leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leaders.id"))
    to_leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leaders.id"))
    from_pickup_point_id: Mapped[int] = mapped_column(sa.ForeignKey("pickup_points.id"))
    to_pickup_point_id: Mapped[int] = mapped_column(sa.ForeignKey("pickup_points.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    staff_account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    # Orders not yet collected when the group moved: they stay at the old point (and their shoppers
    # are told so); the merchant may move individual unpacked orders explicitly.
    open_orders_kept: Mapped[int] = mapped_column(default=0, server_default="0")
