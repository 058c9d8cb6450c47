"""Route runs: a route driven on one delivery day by a driver, and the driver's delivered marks.
The leader's arrival confirmation (app/pickup/arrival.py) stays what makes orders ready; the mark
tells the leader (and the merchant) the goods were left at the point, when, and shows a photo."""
from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Account
from app.aftersales import photos as photo_checks
from app.aftersales.storage import storage
from app.db import utcnow
from app.delivery.models import RouteRun, RunStop
from app.delivery.routes import get_route
from app.errors import Conflict, InvalidRequest, not_found
from app.extensions import db
from app.i18n import _
from app.pickup.models import BatchStatus, DeliveryBatch
from app.staff.services import permissions_of

DRIVE = "routes.drive"
NO_SYNC = {"synchronize_session": False}


def get_run(run_id: int) -> RouteRun:
    run = db.session.get(RouteRun, run_id)
    if run is None:
        raise not_found("route_run", id=run_id)
    return run


def drivers_run(run_id: int, account_id: int) -> RouteRun:
    """A driver's own run; another driver's is as good as missing (404, nothing about it leaks)."""
    run = db.session.get(RouteRun, run_id)
    if run is None or run.driver_id != account_id:
        raise not_found("route_run", id=run_id)
    return run


def list_runs(*, delivery_date: dt.date | None = None, driver_id: int | None = None,
              route_id: int | None = None) -> sa.Select:
    query = sa.select(RouteRun).order_by(RouteRun.delivery_date, RouteRun.departure_time, RouteRun.id)
    if delivery_date:
        query = query.where(RouteRun.delivery_date == delivery_date)
    if driver_id:
        query = query.where(RouteRun.driver_id == driver_id)
    if route_id:
        query = query.where(RouteRun.route_id == route_id)
    return query


def drivers_runs(account_id: int, day: dt.date | None, from_day: dt.date) -> list[RouteRun]:
    """A driver's runs of one day, or from a day on (today's and the coming ones: tonight's load
    is tomorrow morning's run)."""
    query = list_runs(delivery_date=day, driver_id=account_id)
    if day is None:
        query = query.where(RouteRun.delivery_date >= from_day)
    return list(db.session.scalars(query.limit(50)))


def drivers() -> list[Account]:
    """Active staff whose role (built-in or custom) may drive: who a run can be given to."""
    from app.accounts.models import AccountKind

    staff = db.session.scalars(sa.select(Account).where(Account.kind == AccountKind.STAFF, Account.is_active.is_(True))
                               .order_by(Account.name, Account.id))
    return [a for a in staff if DRIVE in permissions_of(a)]


def _check_driver(driver_id: int | None) -> None:
    if driver_id is None:
        return
    account = db.session.get(Account, driver_id)
    if account is None or DRIVE not in permissions_of(account):
        db.session.rollback()
        raise InvalidRequest(_("The driver must be an active staff member whose role may drive routes"),
                             code="not_a_driver", details={"driver_id": driver_id})


def plan_run(*, route_id: int, delivery_date: dt.date, driver_id: int | None) -> RouteRun:
    """The run of a route on a day, with the route's stops as they are now. One per route and day."""
    route = get_route(route_id)
    if not route.active or not route.stops:
        raise Conflict(_("Only an active route with stops can be planned"), code="route_not_plannable")
    _check_driver(driver_id)
    run = RouteRun(route_id=route.id, delivery_date=delivery_date, driver_id=driver_id,
                   departure_time=route.departure_time)
    run.stops = [RunStop(pickup_point_id=s.pickup_point_id, position=s.position) for s in route.stops]
    db.session.add(run)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(sa.select(RouteRun.id).where(RouteRun.route_id == route_id,
                                                                  RouteRun.delivery_date == delivery_date))
        raise Conflict(_("This route already has a run on that day"), code="route_run_exists",
                       details={"route_run_id": existing}) from None
    db.session.commit()
    return run


def assign_driver(run: RouteRun, driver_id: int | None) -> RouteRun:
    """Give the run to another driver (or to none); their page shows it from the next request."""
    _check_driver(driver_id)
    run.driver_id = driver_id
    db.session.commit()
    return run


def _stop(run: RouteRun, stop_id: int) -> RunStop:
    stop = next((s for s in run.stops if s.id == stop_id), None)
    if stop is None:
        raise not_found("route_run_stop", id=stop_id)
    return stop


def batch_status(run: RouteRun, point_id: int) -> BatchStatus | None:
    return db.session.scalar(sa.select(DeliveryBatch.status).where(
        DeliveryBatch.pickup_point_id == point_id, DeliveryBatch.delivery_date == run.delivery_date))


def mark_delivered(run: RouteRun, stop_id: int, account_id: int) -> RunStop:
    """The driver left the stop's goods at the point. Twice is once: the first mark's time stays."""
    stop = _stop(run, stop_id)
    if batch_status(run, stop.pickup_point_id) is BatchStatus.OPEN:
        raise Conflict(_("This stop's delivery batch is still open: close it before it leaves"),
                       code="batch_not_closed")
    db.session.execute(sa.update(RunStop).where(RunStop.id == stop.id, RunStop.delivered_at.is_(None))
                       .values(delivered_at=utcnow(), delivered_by_id=account_id).execution_options(**NO_SYNC))
    db.session.commit()
    db.session.refresh(stop)
    return stop


def add_photo(run: RouteRun, stop_id: int, raw: bytes) -> RunStop:
    """A proof-of-delivery photo, checked and re-encoded like after-sale photos (no EXIF location).
    A new photo replaces the stop's previous one."""
    stop = _stop(run, stop_id)
    clean = photo_checks.clean(raw, current_app.config["AFTERSALE_PHOTO_MAX_BYTES"])
    key = f"deliveries/{run.id}/{stop.id}-{secrets.token_hex(16)}.jpg"
    storage().put(key, clean.data, clean.content_type)
    stop.photo_key = key
    db.session.commit()
    return stop


def photo_bytes(run: RouteRun, stop_id: int) -> bytes:
    stop = _stop(run, stop_id)
    if not stop.photo_key:
        raise not_found("photo", stop_id=stop_id)
    return storage().get(stop.photo_key)


def delivered_mark(point_id: int, day: dt.date) -> dict | None:
    """The driver's mark at a point on a day, if any: what the leader console and batch lists show."""
    row = db.session.execute(sa.select(RunStop.delivered_at, RunStop.photo_key, Account.name)
                             .join(RouteRun, RouteRun.id == RunStop.run_id)
                             .outerjoin(Account, Account.id == RunStop.delivered_by_id)
                             .where(RunStop.pickup_point_id == point_id, RouteRun.delivery_date == day,
                                    RunStop.delivered_at.is_not(None))
                             .order_by(RunStop.delivered_at).limit(1)).first()
    if row is None:
        return None
    return {"at": row.delivered_at, "driver_name": row.name, "has_photo": bool(row.photo_key)}
