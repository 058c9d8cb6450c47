"""Pickup points: who may edit them, their hours and closures, and the nearby search."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.errors import InvalidRequest, PermissionDenied, not_found
from app.extensions import db
from app.i18n import _
from app.phones import normalise_phone
from app.pickup_points.geo import bounding_box, distance_m
from app.pickup_points.models import PickupClosure, PickupHours, PickupPoint, PointStatus

MAX_CLOSURE_SPAN_DAYS = 366
EDITABLE = ("name", "address", "latitude", "longitude", "contact_name", "contact_phone")


def get_point(point_id: int) -> PickupPoint:
    point = db.session.get(PickupPoint, point_id)
    if point is None:
        raise not_found("pickup_point", id=point_id)
    return point


def get_point_of_leader(point_id: int, leader_id: int) -> PickupPoint:
    """A leader may only see and change the points they run."""
    point = get_point(point_id)
    if point.leader_id != leader_id:
        raise PermissionDenied(_("This pickup point is run by another leader"), code="not_your_pickup_point")
    return point


def _hours_rows(periods: list[dict[str, Any]]) -> list[PickupHours]:
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for p in periods:
        if p["opens_at"] >= p["closes_at"]:
            raise InvalidRequest(_("A period must open before it closes"), code="invalid_hours", details=_fmt(p))
        by_day.setdefault(p["weekday"], []).append((p["opens_at"], p["closes_at"]))
    for weekday, spans in by_day.items():
        spans.sort()
        for (_opens, end), (start, _closes) in zip(spans, spans[1:], strict=False):
            if start < end:
                raise InvalidRequest(_("Opening periods overlap"),
                                     code="overlapping_hours", details={"weekday": weekday})
    return [PickupHours(weekday=p["weekday"], opens_at=p["opens_at"], closes_at=p["closes_at"]) for p in periods]


def _fmt(period: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.time) else v for k, v in period.items()}


def _apply(point: PickupPoint, changes: dict[str, Any]) -> None:
    for key in EDITABLE:
        if key in changes:
            value = changes[key]
            if key == "contact_phone" and value:
                value = normalise_phone(value)
            setattr(point, key, value)
    if "hours" in changes:
        point.hours = _hours_rows(changes["hours"])


def create_point(data: dict[str, Any], *, leader_id: int | None = None) -> PickupPoint:
    point = PickupPoint(leader_id=_active_leader_id(leader_id))
    _apply(point, data)
    if "status" in data:
        point.status = PointStatus(data["status"])
    db.session.add(point)
    db.session.commit()
    return point


def update_point(point: PickupPoint, changes: dict[str, Any], *, as_staff: bool = False) -> PickupPoint:
    """Leaders change address, location, contact and hours; staff may also reassign or deactivate."""
    _apply(point, changes)
    if as_staff:
        if "status" in changes:
            point.status = PointStatus(changes["status"])
        if "leader_id" in changes:
            point.leader_id = _active_leader_id(changes["leader_id"])
    db.session.commit()
    return point


def _active_leader_id(leader_id: int | None) -> int | None:
    from app.leaders.services import get_active_leader

    return None if leader_id is None else get_active_leader(leader_id).id


def add_closures(point: PickupPoint, start: dt.date, end: dt.date, reason: str | None,
                 move_to: dt.date | None = None) -> list[PickupClosure]:
    """Close the point on each date from start to end inclusive; dates already closed stay as they are.
    Orders booked on those days move to the next open day, or `move_to` (app/pickup/closures.py)."""
    if end < start:
        raise InvalidRequest(_("end_date is before start_date"), code="invalid_date_range")
    span = (end - start).days + 1
    if span > MAX_CLOSURE_SPAN_DAYS:
        raise InvalidRequest(_('At most %(days)s days at once', days=MAX_CLOSURE_SPAN_DAYS),
                             code="invalid_date_range")
    existing = {c.date for c in point.closures}
    for i in range(span):
        day = start + dt.timedelta(days=i)
        if day not in existing:
            point.closures.append(PickupClosure(date=day, reason=reason))
    from app.pickup.closures import move_booked_orders

    move_booked_orders(point, {start + dt.timedelta(days=i) for i in range(span)}, move_to)
    db.session.commit()
    return [c for c in point.closures if start <= c.date <= end]


def remove_closure(point: PickupPoint, day: dt.date) -> None:
    closure = next((c for c in point.closures if c.date == day), None)
    if closure is None:
        raise not_found("closure", pickup_point_id=point.id, date=day.isoformat())
    point.closures.remove(closure)
    db.session.commit()


@dataclass(frozen=True)
class NearbyPoint:
    point: PickupPoint
    distance_m: int


def nearby(lat: float, lng: float, *, radius_km: float, limit: int) -> list[NearbyPoint]:
    """Active pickup points within radius, nearest first."""
    radius_m = radius_km * 1000
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_m)
    query = sa.select(PickupPoint).where(
        PickupPoint.status == PointStatus.ACTIVE,
        PickupPoint.latitude.between(min_lat, max_lat),
    )
    # The longitude window may wrap around the antimeridian.
    if min_lng < -180 or max_lng > 180:
        query = query.where(
            sa.or_(PickupPoint.longitude >= _wrap(min_lng), PickupPoint.longitude <= _wrap(max_lng))
        )
    else:
        query = query.where(PickupPoint.longitude.between(min_lng, max_lng))
    found = []
    for point in db.session.scalars(query):
        d = distance_m(lat, lng, point.latitude, point.longitude)
        if d <= radius_m:
            found.append(NearbyPoint(point, round(d)))
    found.sort(key=lambda n: (n.distance_m, n.point.id))
    return found[:limit]


def _wrap(lng: float) -> float:
    return (lng + 180.0) % 360.0 - 180.0
