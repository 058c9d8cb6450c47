"""Leader applications and the leader lifecycle (approve, reject, suspend, reinstate)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.db import utcnow
from app.errors import Conflict, PermissionDenied, not_found
from app.extensions import db
from app.i18n import _
from app.leaders.models import ApplicationStatus, Leader, LeaderApplication, LeaderStatus
from app.phones import normalise_phone
from app.pickup_points.models import PickupPoint


def get_leader(leader_id: int) -> Leader:
    leader = db.session.get(Leader, leader_id)
    if leader is None:
        raise not_found("leader", id=leader_id)
    return leader


def get_active_leader(leader_id: int) -> Leader:
    leader = get_leader(leader_id)
    if leader.status is not LeaderStatus.ACTIVE:
        raise Conflict(_("This leader is suspended"), code="leader_suspended", details={"leader_id": leader_id})
    return leader


def leader_of_account(account_id: int) -> Leader | None:
    return db.session.scalar(sa.select(Leader).where(Leader.account_id == account_id))


def require_active_leader(account_id: int) -> Leader:
    """The caller's leader record; only approved, unsuspended leaders may use the leader console."""
    leader = leader_of_account(account_id)
    if leader is None:
        raise PermissionDenied(_("You are not a group leader"), code="not_a_leader")
    if leader.status is not LeaderStatus.ACTIVE:
        raise PermissionDenied(_("Your leader account is suspended"), code="leader_suspended",
                               details={"reason": leader.status_reason})
    return leader


def apply(account_id: int, data: dict[str, Any]) -> LeaderApplication:
    """A shopper applies to lead, proposing the pickup point they would run."""
    if leader_of_account(account_id) is not None:
        raise Conflict(_("You are already a leader"), code="already_leader")
    application = LeaderApplication(account_id=account_id, **data)
    application.phone = normalise_phone(data["phone"])
    db.session.add(application)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("You already have an application under review"), code="application_pending") from None
    return application


def get_application(application_id: int) -> LeaderApplication:
    application = db.session.get(LeaderApplication, application_id)
    if application is None:
        raise not_found("leader_application", id=application_id)
    return application


def _decide(application_id: int, status: ApplicationStatus, staff_id: int, reason: str | None) -> LeaderApplication:
    # Guarded update: two staff clicking at once cannot both decide.
    done = db.session.execute(
        sa.update(LeaderApplication)
        .where(LeaderApplication.id == application_id, LeaderApplication.status == ApplicationStatus.PENDING)
        .values(status=status, decision_reason=reason, reviewed_by_id=staff_id, reviewed_at=utcnow())
    ).rowcount
    application = get_application(application_id)
    if not done:
        db.session.rollback()
        raise Conflict(_("This application was already decided"), code="application_not_pending",
                       details={"status": application.status.value})
    return application


def approve(application_id: int, staff_id: int) -> LeaderApplication:
    """Approval makes the shopper a leader and creates the pickup point they proposed."""
    application = _decide(application_id, ApplicationStatus.APPROVED, staff_id, None)
    if leader_of_account(application.account_id) is not None:
        db.session.rollback()
        raise Conflict(_("This shopper is already a leader"), code="already_leader")
    leader = Leader(account_id=application.account_id, display_name=application.name, phone=application.phone)
    db.session.add(leader)
    db.session.flush()
    point = PickupPoint(
        name=application.point_name, address=application.point_address,
        latitude=application.point_latitude, longitude=application.point_longitude,
        contact_name=application.name, contact_phone=application.phone, leader_id=leader.id,
    )
    db.session.add(point)
    db.session.flush()
    application.leader_id, application.pickup_point_id = leader.id, point.id
    db.session.commit()
    return application


def reject(application_id: int, staff_id: int, reason: str) -> LeaderApplication:
    application = _decide(application_id, ApplicationStatus.REJECTED, staff_id, reason)
    db.session.commit()
    return application


def suspend(leader_id: int, reason: str) -> Leader:
    """A suspended leader loses the console; their groups keep running until the merchant transfers them."""
    leader = get_leader(leader_id)
    leader.status, leader.status_reason = LeaderStatus.SUSPENDED, reason
    db.session.commit()
    return leader


def reinstate(leader_id: int) -> Leader:
    leader = get_leader(leader_id)
    leader.status, leader.status_reason = LeaderStatus.ACTIVE, None
    db.session.commit()
    return leader


def list_applications(status: str | None) -> sa.Select:
    query = sa.select(LeaderApplication).order_by(LeaderApplication.id.desc())
    if status:
        query = query.where(LeaderApplication.status == ApplicationStatus(status))
    return query


def list_leaders(status: str | None) -> sa.Select:
    query = sa.select(Leader).order_by(Leader.id)
    if status:
        query = query.where(Leader.status == LeaderStatus(status))
    return query
