"""A campaign's phase comes from the clock and its approved schedule, never from a job having run."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa

from app.campaigns.models import Campaign, CampaignKind, Review, campaign_groups
from app.clock import store_tz
from app.errors import Conflict, PermissionDenied
from app.i18n import _


class Phase(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    WARMING_UP = "warming_up"   # visible with a countdown, not buyable
    LIVE = "live"
    ENDED = "ended"


def member_day_window(campaign: Campaign, now: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """This month's member day (or next month's, once today's has passed), in UTC, within the campaign."""
    if campaign.day_of_month is None:  # a draft not filled in yet
        return None
    tz = store_tz()
    local = now.astimezone(tz)
    for months_ahead in range(0, 14):
        year, month = divmod(local.month - 1 + months_ahead, 12)
        day = dt.date(local.year + year, month + 1, campaign.day_of_month)
        start = dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz).astimezone(dt.UTC)
        start, end = max(start, campaign.starts_at), min(end, campaign.ends_at)
        if end > now and start < end:
            return start, end
        if start >= campaign.ends_at:
            return None
    return None


def window(campaign: Campaign, now: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """The buying window that is current or next; None when there is none left."""
    if campaign.kind is CampaignKind.MEMBER_DAY:
        return member_day_window(campaign, now)
    return (campaign.starts_at, campaign.ends_at) if now < campaign.ends_at else None


def phase(campaign: Campaign, now: dt.datetime) -> Phase:
    if campaign.review is not Review.APPROVED:
        return Phase(campaign.review.value)
    current = window(campaign, now)
    if current is None:
        return Phase.ENDED
    start, end = current
    if now >= start:
        return Phase.LIVE
    if now >= start - dt.timedelta(minutes=campaign.warmup_minutes):
        return Phase.WARMING_UP
    return Phase.SCHEDULED


def require_live(campaign: Campaign, now: dt.datetime) -> None:
    current = phase(campaign, now)
    if current is not Phase.LIVE:
        raise Conflict(_("This campaign is not open for buying now"), code="campaign_not_live",
                       details={"phase": current.value})


def for_group(group_id: int) -> sa.ColumnElement[bool]:
    in_list = sa.exists().where(campaign_groups.c.campaign_id == Campaign.id, campaign_groups.c.group_id == group_id)
    return sa.or_(Campaign.all_groups.is_(True), in_list)


def require_eligible(campaign: Campaign, group_id: int | None, is_member: bool) -> None:
    if group_id is None:
        raise Conflict(_("Join a group through its link first"), code="not_in_a_group")
    if not campaign.all_groups and group_id not in {g.id for g in campaign.groups}:
        raise PermissionDenied(_("This campaign is not offered to your group"), code="campaign_not_for_your_group")
    if campaign.members_only and not is_member:
        raise PermissionDenied(_("This campaign is for members; join the membership first"), code="members_only")
