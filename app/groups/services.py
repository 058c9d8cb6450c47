"""Groups: creation, leader-side edits, and transfers between leaders and pickup points."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.codes import new_code
from app.errors import Conflict, InvalidRequest, PermissionDenied, not_found
from app.extensions import db
from app.groups.models import AdmissionRule, Binding, Group, GroupLink, GroupTransfer
from app.i18n import _
from app.leaders.services import get_active_leader
from app.pickup_points.models import PointStatus
from app.pickup_points.services import get_point

LEADER_EDITABLE = ("name", "notice")
STAFF_EDITABLE = ("name", "neighbourhood", "notice", "admission_rule", "min_spend_cents", "pay_at_pickup_allowed",
                  "cutoff_time", "lead_days", "pickup_from", "pickup_until")


def get_group(group_id: int) -> Group:
    group = db.session.get(Group, group_id)
    if group is None:
        raise not_found("group", id=group_id)
    return group


def get_group_of_leader(group_id: int, leader_id: int) -> Group:
    group = get_group(group_id)
    if group.leader_id != leader_id:
        raise PermissionDenied(_("This group is led by another leader"), code="not_your_group")
    return group


def _check_admission(group: Group) -> None:
    if group.admission_rule is AdmissionRule.MIN_SPEND and not group.min_spend_cents:
        raise InvalidRequest(_("A minimum-spend group needs min_spend_cents > 0"), code="min_spend_required")
    if group.admission_rule is not AdmissionRule.MIN_SPEND:
        group.min_spend_cents = None


def _active_point_id(point_id: int) -> int:
    point = get_point(point_id)
    if point.status is not PointStatus.ACTIVE:
        raise Conflict(_("This pickup point is inactive"), code="pickup_point_inactive", details={"id": point_id})
    return point.id


def add_link(group_id: int, owner_account_id: int | None) -> GroupLink:
    """Insert a link with a fresh code; retries the (astronomically rare) code collision."""
    for _attempt in range(5):
        link = GroupLink(code=new_code(), group_id=group_id, owner_account_id=owner_account_id)
        try:
            with db.session.begin_nested():
                db.session.add(link)
            return link
        except IntegrityError:
            # Either a code collision (retry) or this owner already has a link (return it).
            existing = db.session.scalar(
                sa.select(GroupLink).where(
                    GroupLink.group_id == group_id,
                    GroupLink.owner_account_id.is_not_distinct_from(owner_account_id),
                )
            )
            if existing is not None:
                return existing
    raise Conflict(_("Could not allocate a link code; try again"), code="code_collision")


def create_group(data: dict[str, Any]) -> Group:
    """The merchant opens a group at a pickup point, optionally with its leader; it gets a public link."""
    leader_id = data.get("leader_id")
    group = Group(
        name=data["name"], neighbourhood=data["neighbourhood"], notice=data.get("notice"),
        admission_rule=AdmissionRule(data.get("admission_rule", AdmissionRule.OPEN)),
        min_spend_cents=data.get("min_spend_cents"),
        pay_at_pickup_allowed=data.get("pay_at_pickup_allowed", False),
        leader_id=get_active_leader(leader_id).id if leader_id else None,
        pickup_point_id=_active_point_id(data["pickup_point_id"]),
    )
    _check_admission(group)
    db.session.add(group)
    db.session.flush()
    add_link(group.id, None)
    db.session.commit()
    return group


def update_group(group: Group, changes: dict[str, Any], *, as_staff: bool) -> Group:
    """Staff edit everything but the leader and pickup point (those go through a transfer)."""
    allowed = STAFF_EDITABLE if as_staff else LEADER_EDITABLE
    for key in allowed:
        if key in changes:
            setattr(group, key, changes[key])
    if "admission_rule" in changes:
        group.admission_rule = AdmissionRule(changes["admission_rule"])
    _check_admission(group)
    if group.pickup_from and group.pickup_until and group.pickup_from >= group.pickup_until:
        raise InvalidRequest(_("pickup_from must be before pickup_until"), code="invalid_pickup_window")
    db.session.commit()
    return group


_UNCHANGED = object()


def transfer_group(group: Group, *, staff_id: int, reason: str | None, leader_id: Any = _UNCHANGED,
                   pickup_point_id: Any = _UNCHANGED) -> GroupTransfer:
    """Move a group to another leader and/or pickup point. Members, bindings, links and history
    stay with the group: they reference the group, never the leader."""
    new_leader = group.leader_id if leader_id is _UNCHANGED else (
        get_active_leader(leader_id).id if leader_id is not None else None)
    new_point = group.pickup_point_id if pickup_point_id is _UNCHANGED else _active_point_id(pickup_point_id)
    if new_leader == group.leader_id and new_point == group.pickup_point_id:
        raise InvalidRequest(_("The transfer changes nothing"), code="transfer_changes_nothing")
    transfer = GroupTransfer(
        group_id=group.id, from_leader_id=group.leader_id, to_leader_id=new_leader,
        from_pickup_point_id=group.pickup_point_id, to_pickup_point_id=new_point,
        reason=reason, staff_account_id=staff_id,
    )
    if new_point != group.pickup_point_id:
        from app.pickup.moves import tell_shoppers_their_orders_stay

        transfer.open_orders_kept = tell_shoppers_their_orders_stay(group.id, group.pickup_point_id)
    group.leader_id, group.pickup_point_id = new_leader, new_point
    db.session.add(transfer)
    db.session.commit()
    db.session.refresh(group)
    return transfer


def list_groups(*, q: str | None = None, leader_id: int | None = None) -> sa.Select:
    query = sa.select(Group).order_by(Group.id)
    if q:
        query = query.where(
            Group.name.icontains(q, autoescape=True) | Group.neighbourhood.icontains(q, autoescape=True)
        )
    if leader_id is not None:
        query = query.where(Group.leader_id == leader_id)
    return query


def transfers_of(group_id: int) -> sa.Select:
    return sa.select(GroupTransfer).where(GroupTransfer.group_id == group_id).order_by(GroupTransfer.id)


def current_members(group_id: int) -> sa.Select:
    return (
        sa.select(Binding)
        .where(Binding.group_id == group_id, Binding.ended_at.is_(None))
        .order_by(Binding.bound_at, Binding.id)
    )


def member_count(group_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Binding).where(Binding.group_id == group_id, Binding.ended_at.is_(None))
    )


def public_link(group_id: int) -> GroupLink:
    link = db.session.scalar(
        sa.select(GroupLink).where(GroupLink.group_id == group_id, GroupLink.owner_account_id.is_(None))
    )
    if link is None:  # only possible for rows created outside create_group
        link = add_link(group_id, None)
        db.session.commit()
    return link
