from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Account
from app.db import Base, CreatedAt, Timestamps, str_enum


class LeaderStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class ApplicationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Leader(Timestamps, Base):
    __tablename__ = "leaders"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    phone: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[LeaderStatus] = mapped_column(str_enum(LeaderStatus, "leader_status"), default=LeaderStatus.ACTIVE)
    status_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # The leader's Stripe Connect account (acct_…), where Stripe Connect payouts are sent.
    stripe_account_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    account: Mapped[Account] = relationship(lazy="joined")


class LeaderApplication(CreatedAt, Base):
    """A shopper's request to lead, with the pickup point they propose to run."""

    __tablename__ = "leader_applications"
    __table_args__ = (
        # At most one open application per shopper.
        sa.Index(
            "uq_leader_applications_pending",
            "account_id",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
        sa.CheckConstraint("point_latitude BETWEEN -90 AND 90", name="lat_range"),
        sa.CheckConstraint("point_longitude BETWEEN -180 AND 180", name="lng_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    phone: Mapped[str] = mapped_column(sa.String(20))
    motivation: Mapped[str | None] = mapped_column(sa.String(2000))
    point_name: Mapped[str] = mapped_column(sa.String(120))
    point_address: Mapped[str] = mapped_column(sa.String(300))
    point_latitude: Mapped[float]
    point_longitude: Mapped[float]
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus, "application_status"), default=ApplicationStatus.PENDING
    )
    decision_reason: Mapped[str | None] = mapped_column(sa.String(500))
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    reviewed_at: Mapped[dt.datetime | None]
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leaders.id"))
    pickup_point_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pickup_points.id"))
