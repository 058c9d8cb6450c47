from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, Timestamps
from app.pickup_points.models import PickupPoint


class DeliveryRoute(Timestamps, Base):
    """A delivery line (线路): pickup points in driving order, leaving the warehouse at a planned time."""

    __tablename__ = "delivery_routes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    departure_time: Mapped[dt.time]
    active: Mapped[bool] = mapped_column(default=True)

    stops: Mapped[list[RouteStop]] = relationship(order_by="RouteStop.position", cascade="all, delete-orphan",
                                                  lazy="selectin")


class RouteStop(Base):
    """One pickup point on a route. `active` mirrors the route's, so the partial unique index keeps
    a point on at most one active route in the database itself, whoever races whom."""

    __tablename__ = "route_stops"
    __table_args__ = (
        sa.UniqueConstraint("route_id", "position"),
        sa.Index("ux_route_stops_active_point", "pickup_point_id", unique=True,
                 postgresql_where=sa.text("active"), sqlite_where=sa.text("active")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(sa.ForeignKey("delivery_routes.id", ondelete="CASCADE"))
    pickup_point_id: Mapped[int] = mapped_column(sa.ForeignKey("pickup_points.id"))
    position: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)

    pickup_point: Mapped[PickupPoint] = relationship(lazy="joined")


class RouteRun(Timestamps, Base):
    """A route driven on one delivery day by one driver (a staff member holding `routes.drive`)."""

    __tablename__ = "route_runs"
    __table_args__ = (sa.UniqueConstraint("route_id", "delivery_date"),
                      sa.Index("ix_route_runs_driver_date", "driver_id", "delivery_date"))

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(sa.ForeignKey("delivery_routes.id"))
    delivery_date: Mapped[dt.date] = mapped_column(index=True)
    driver_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    departure_time: Mapped[dt.time]  # the route's at planning time; a later change of the route does not move it

    route: Mapped[DeliveryRoute] = relationship(lazy="joined")
    stops: Mapped[list[RunStop]] = relationship(order_by="RunStop.position", lazy="selectin")


class RunStop(Base):
    """A stop of one run, copied from the route when the run is planned (so editing the route does
    not rewrite a night already driven), with the driver's delivered mark."""

    __tablename__ = "route_run_stops"
    __table_args__ = (sa.UniqueConstraint("run_id", "pickup_point_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("route_runs.id"), index=True)
    pickup_point_id: Mapped[int] = mapped_column(sa.ForeignKey("pickup_points.id"), index=True)
    position: Mapped[int]
    delivered_at: Mapped[dt.datetime | None]
    delivered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    photo_key: Mapped[str | None] = mapped_column(sa.String(200))

    pickup_point: Mapped[PickupPoint] = relationship(lazy="joined")
