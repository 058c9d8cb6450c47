"""Joining a group through a link, the binding history, and personal referral links."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Account
from app.codes import normalise_code
from app.db import utcnow
from app.errors import Conflict, PermissionDenied, not_found
from app.extensions import db
from app.groups.models import AdmissionRule, Binding, Group, GroupLink
from app.groups.services import add_link, get_group
from app.i18n import _
from app.leaders.models import Leader, LeaderStatus


def resolve_link(code: str) -> GroupLink:
    normalised = normalise_code(code)
    link = db.session.scalar(sa.select(GroupLink).where(GroupLink.code == normalised)) if normalised else None
    if link is None:
        raise not_found("group_link", code=code[:32])
    return link


def current_binding(account_id: int) -> Binding | None:
    return db.session.scalar(sa.select(Binding).where(Binding.account_id == account_id, Binding.ended_at.is_(None)))


def leads_group(account_id: int, group: Group) -> bool:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Leader).where(
            Leader.id == group.leader_id, Leader.account_id == account_id, Leader.status == LeaderStatus.ACTIVE
        )
    ) > 0


def is_member(account_id: int, group_id: int) -> bool:
    binding = current_binding(account_id)
    return binding is not None and binding.group_id == group_id


def referrer_of(link: GroupLink, joiner_id: int) -> int | None:
    """A personal link refers only while its owner still leads or belongs to the group."""
    owner = link.owner_account_id
    if owner is None or owner == joiner_id:
        return None
    if leads_group(owner, link.group) or is_member(owner, link.group_id):
        return owner
    return None


def _check_admission(account: Account, group: Group, referrer_id: int | None) -> None:
    if leads_group(account.id, group):
        return  # a leader always belongs in the groups they lead
    if group.admission_rule is AdmissionRule.INVITATION_ONLY and referrer_id is None:
        raise PermissionDenied(
            _("This group takes new members by invitation only: ask a member for their link"),
            code="invitation_required",
        )
    if group.admission_rule is AdmissionRule.MIN_SPEND and account.lifetime_spend_cents < (group.min_spend_cents or 0):
        raise PermissionDenied(
            _("This group is open to shoppers who have spent at least the minimum with the store"),
            code="minimum_spend_not_met",
            details={"min_spend_cents": group.min_spend_cents, "lifetime_spend_cents": account.lifetime_spend_cents},
        )
    if group.admission_rule is AdmissionRule.VERIFIED_PHONE and account.phone_verified_at is None:
        raise PermissionDenied(
            _("This group is open to shoppers with a verified phone number: verify yours, then join"),
            code="phone_verification_required",
        )


@dataclass(frozen=True)
class JoinResult:
    binding: Binding
    joined: bool  # False: already a member, nothing changed


def join(account: Account, code: str) -> JoinResult:
    """Bind a shopper to the link's group. Already a member: nothing changes (the first referrer keeps
    the binding). In another group: that binding ends as 'switched' and a new one starts."""
    link = resolve_link(code)
    current = current_binding(account.id)
    if current is not None and current.group_id == link.group_id:
        return JoinResult(current, joined=False)
    referrer_id = referrer_of(link, account.id)
    _check_admission(account, link.group, referrer_id)
    now = utcnow()
    if current is not None:
        current.ended_at, current.end_reason = now, "switched"
        db.session.flush()
    binding = Binding(
        account_id=account.id, group_id=link.group_id, link_id=link.id, referrer_account_id=referrer_id,
        leader_id=link.group.leader_id, bound_at=now,
    )
    db.session.add(binding)
    try:
        db.session.commit()
    except IntegrityError:
        # A concurrent join by the same shopper won the unique current-binding index.
        db.session.rollback()
        winner = current_binding(account.id)
        if winner is not None and winner.group_id == link.group_id:
            return JoinResult(winner, joined=False)
        raise Conflict(_("Another join for this shopper happened at the same time; try again"),
                       code="concurrent_join") from None
    return JoinResult(binding, joined=True)


def history(account_id: int) -> sa.Select:
    return (
        sa.select(Binding)
        .where(Binding.account_id == account_id)
        .order_by(Binding.bound_at.desc(), Binding.id.desc())
    )


def mint_link(account_id: int, group_id: int) -> GroupLink:
    """A leader of the group or a current member gets their own link (the same one each time)."""
    group = get_group(group_id)
    if not (leads_group(account_id, group) or is_member(account_id, group_id)):
        raise PermissionDenied(_("Only the group's leader and members can share it"), code="not_a_member")
    link = add_link(group_id, account_id)
    db.session.commit()
    return link


def links_of(account_id: int) -> sa.Select:
    return sa.select(GroupLink).where(GroupLink.owner_account_id == account_id).order_by(GroupLink.id)
