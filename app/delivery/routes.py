"""Delivery routes: ordered stops (pickup points) with a planned departure. A point is on at most
one active route (a partial unique index says so in the database; this module says why in words)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.delivery.models import DeliveryRoute, RouteStop
from app.errors import Conflict, InvalidRequest, not_found
from app.extensions import db
from app.i18n import _
from app.pickup_points.models import PickupPoint


def get_route(route_id: int) -> DeliveryRoute:
    route = db.session.get(DeliveryRoute, route_id)
    if route is None:
        raise not_found("delivery_route", id=route_id)
    return route


def list_routes(*, active: bool | None = None) -> sa.Select:
    query = sa.select(DeliveryRoute).order_by(DeliveryRoute.departure_time, DeliveryRoute.id)
    return query if active is None else query.where(DeliveryRoute.active.is_(active))


def create_route(*, name: str, departure_time: dt.time, stops: list[int]) -> DeliveryRoute:
    """A new active route; its stops are driven in the order given."""
    route = DeliveryRoute(name=name, departure_time=departure_time, active=True)
    _set_stops(route, stops)
    db.session.add(route)
    return _commit(route)


def update_route(route: DeliveryRoute, changes: dict) -> DeliveryRoute:
    """Rename, move the departure, reorder or replace the stops, (de)activate. Runs already planned
    keep the stops they were planned with."""
    for field in ("name", "departure_time"):
        if field in changes:
            setattr(route, field, changes[field])
    if "active" in changes:
        route.active = changes["active"]
        for stop in route.stops:
            stop.active = route.active
    if "stops" in changes:
        _set_stops(route, changes["stops"])
    return _commit(route)


def _set_stops(route: DeliveryRoute, point_ids: list[int]) -> None:
    if len(set(point_ids)) != len(point_ids):
        db.session.rollback()
        raise InvalidRequest(_("A pickup point can be a stop only once on a route"), code="duplicate_stop")
    known = set(db.session.scalars(sa.select(PickupPoint.id).where(PickupPoint.id.in_(point_ids))))
    unknown = [p for p in point_ids if p not in known]
    if unknown:
        db.session.rollback()
        raise InvalidRequest(_("These pickup points do not exist"), code="unknown_pickup_point",
                             details={"pickup_point_ids": unknown})
    if route.stops:
        route.stops.clear()
        db.session.flush()  # the old rows go first: (route, position) is unique
    route.stops.extend(RouteStop(pickup_point_id=point_id, position=i + 1, active=route.active)
                       for i, point_id in enumerate(point_ids))


def _check_free(route: DeliveryRoute) -> None:
    point_ids = [s.pickup_point_id for s in route.stops]
    if not route.active or not point_ids:
        return
    taken = db.session.execute(sa.select(RouteStop.pickup_point_id, RouteStop.route_id).where(
        RouteStop.pickup_point_id.in_(point_ids), RouteStop.active.is_(True),
        RouteStop.route_id != route.id if route.id else sa.true())).all()
    if taken:
        db.session.rollback()
        raise Conflict(_("A pickup point is already a stop on another active route"), code="point_on_another_route",
                       details={"pickup_point_ids": sorted(p for p, _r in taken),
                                "route_ids": sorted({r for _p, r in taken})})


def _commit(route: DeliveryRoute) -> DeliveryRoute:
    with db.session.no_autoflush:
        _check_free(route)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("A pickup point is already a stop on another active route"),
                       code="point_on_another_route") from None
    db.session.commit()
    return route

