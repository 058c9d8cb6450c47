from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, CreatedAt, Timestamps, str_enum


class PointStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class PickupPoint(Timestamps, Base):
    __tablename__ = "pickup_points"
    __table_args__ = (
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name="lat_range"),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name="lng_range"),
        # Nearby search filters on a bounding box first.
        sa.Index("ix_pickup_points_lat_lng", "latitude", "longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    address: Mapped[str] = mapped_column(sa.String(300))
    latitude: Mapped[float]
    longitude: Mapped[float]
    contact_name: Mapped[str | None] = mapped_column(sa.String(80))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(20))
    # The leader who runs the point; None for points the merchant runs (e.g. the shop itself).
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("leaders.id"), index=True)
    status: Mapped[PointStatus] = mapped_column(str_enum(PointStatus, "point_status"), default=PointStatus.ACTIVE)

    hours: Mapped[list[PickupHours]] = relationship(
        cascade="all, delete-orphan", order_by="(PickupHours.weekday, PickupHours.opens_at)"
    )
    closures: Mapped[list[PickupClosure]] = relationship(
        cascade="all, delete-orphan", order_by="PickupClosure.date"
    )


class PickupHours(Base):
    """One opening period; a weekday may have several (e.g. 08:00-12:00 and 16:00-20:00)."""

    __tablename__ = "pickup_point_hours"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        sa.CheckConstraint("opens_at < closes_at", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pickup_point_id: Mapped[int] = mapped_column(sa.ForeignKey("pickup_points.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(sa.SmallInteger)  # 0 = Monday, as datetime.weekday()
    opens_at: Mapped[dt.time]
    closes_at: Mapped[dt.time]


class PickupClosure(CreatedAt, Base):
    __tablename__ = "pickup_point_closures"
    __table_args__ = (sa.UniqueConstraint("pickup_point_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pickup_point_id: Mapped[int] = mapped_column(sa.ForeignKey("pickup_points.id", ondelete="CASCADE"))
    date: Mapped[dt.date]
    reason: Mapped[str | None] = mapped_column(sa.String(200))
