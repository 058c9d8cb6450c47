"""Member-day coupons: on a live member day with a coupon template, every member of an eligible
group gets that coupon once per day — by the campaigns sweep, or when they open their coupons or
campaigns first (so a late sweep never costs anyone their coupon)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa

from app.campaigns.models import Campaign, CampaignKind, Review, campaign_groups
from app.campaigns.phases import Phase, for_group, phase
from app.clock import store_tz
from app.coupons.services import issue_coupon
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.groups.models import Binding
from app.members.models import Membership


def _live_with_coupons(now: dt.datetime, group_id: int | None = None) -> list[Campaign]:
    query = sa.select(Campaign).where(Campaign.kind == CampaignKind.MEMBER_DAY, Campaign.review == Review.APPROVED,
                                      Campaign.coupon_template_id.is_not(None), Campaign.starts_at <= now,
                                      Campaign.ends_at > now)
    if group_id is not None:
        query = query.where(for_group(group_id))
    return [c for c in db.session.scalars(query) if phase(c, now) is Phase.LIVE]


def _issue(campaign: Campaign, account_id: int, now: dt.datetime) -> None:
    day = now.astimezone(store_tz()).date().isoformat()
    try:
        with db.session.begin_nested():
            issue_coupon(campaign.coupon_template_id, account_id, source="member_day",
                         source_ref=f"member_day:{campaign.id}:{day}:{account_id}", now=now)
    except DomainError:
        pass  # exhausted or withdrawn: nothing to hand over, and nothing to fail on


def grant(account_id: int, group_id: int | None, now: dt.datetime | None = None) -> None:
    """This member's coupons for today's live member days (idempotent). No commit."""
    now = now or utcnow()
    membership = db.session.get(Membership, account_id)
    if group_id is None or membership is None or not membership.active_at(now):
        return
    for campaign in _live_with_coupons(now, group_id):
        _issue(campaign, account_id, now)


def sweep(progress: Callable[[int], None] | None = None, batch_size: int = 500) -> dict[str, int]:
    """Issue today's member-day coupons to every active member of the eligible groups; commits per batch."""
    now = utcnow()
    counts = {"campaigns": 0, "members": 0}
    for campaign in _live_with_coupons(now):
        counts["campaigns"] += 1
        members = (sa.select(Membership.account_id).join(Binding, sa.and_(
            Binding.account_id == Membership.account_id, Binding.ended_at.is_(None)))
            .where(Membership.is_active, sa.or_(Membership.expires_at.is_(None), Membership.expires_at > now))
            .order_by(Membership.account_id))
        if not campaign.all_groups:
            members = members.where(Binding.group_id.in_(
                sa.select(campaign_groups.c.group_id).where(campaign_groups.c.campaign_id == campaign.id)))
        for n, account_id in enumerate(list(db.session.scalars(members)), start=1):
            _issue(campaign, account_id, now)
            counts["members"] += 1
            if n % batch_size == 0:
                db.session.commit()
                if progress:
                    progress(counts["members"])
        db.session.commit()
    return counts
