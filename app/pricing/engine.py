"""A line's price comes from here and nowhere else.

Candidates: the regular price; the member price (members); the member's tier discount off the
regular price (members in a tier with one); a live member-day price (members of an
eligible group; a member day may instead, or also, multiply loyalty points, which applies whichever
price wins); a subscription's discount off the regular price (renewal orders of a subscription);
and, when the line is bought through a campaign item, that campaign's price.
Without a campaign item the lowest applicable candidate wins. A campaign line is priced by its
campaign alone — campaign prices do not stack with member prices — unless the merchant made the
campaign stackable, in which case a member also gets the member discount (regular − member price)
off the campaign price. Every quote lists each candidate considered and which one applied.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.campaigns.models import Campaign, CampaignItem, CampaignKind, Review
from app.campaigns.phases import Phase, for_group, phase
from app.catalog.models import Sku
from app.extensions import db


@dataclass(frozen=True)
class Candidate:
    rule: str
    unit_price_cents: int
    applied: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Quote:
    sku_id: int
    list_price_cents: int
    unit_price_cents: int
    rule: str
    campaign_id: int | None = None
    candidates: list[Candidate] = field(default_factory=list)
    points_multiplier: int = 1

    @property
    def discount_cents(self) -> int:
        return self.list_price_cents - self.unit_price_cents


@dataclass(frozen=True)
class MemberDay:
    """What live member days offer one SKU: the cheapest price, and the most extra points."""

    price_cents: int | None = None
    price_campaign_id: int | None = None
    points_multiplier: int = 1
    points_campaign_id: int | None = None


def live_member_days(sku_ids: list[int], group_id: int | None, now: dt.datetime) -> dict[int, MemberDay]:
    """Live member-day offers per SKU for this group (one query for a whole cart)."""
    if not sku_ids or group_id is None:
        return {}
    items = db.session.scalars(
        sa.select(CampaignItem).join(Campaign).where(
            Campaign.kind == CampaignKind.MEMBER_DAY, Campaign.review == Review.APPROVED,
            Campaign.starts_at <= now, Campaign.ends_at > now, CampaignItem.sku_id.in_(sku_ids), for_group(group_id)))
    offers: dict[int, MemberDay] = {}
    for item in items:
        if phase(item.campaign, now) is not Phase.LIVE:
            continue
        best = offers.get(item.sku_id, MemberDay())
        price, price_id = best.price_cents, best.price_campaign_id
        if item.campaign_price_cents < item.sku.price_cents and (price is None or item.campaign_price_cents < price):
            price, price_id = item.campaign_price_cents, item.campaign_id
        points, points_id = best.points_multiplier, best.points_campaign_id
        if (item.points_multiplier or 1) > points:
            points, points_id = item.points_multiplier, item.campaign_id
        offers[item.sku_id] = MemberDay(price, price_id, points, points_id)
    return offers


def quote(sku: Sku, *, is_member: bool, campaign_item: CampaignItem | None = None,
          member_day: MemberDay | None = None, tier_discount_bps: int = 0,
          subscription_discount_bps: int = 0) -> Quote:
    regular = Candidate("regular", sku.price_cents)
    member = Candidate("member", sku.member_price_cents) if (is_member and sku.member_price_cents is not None) else None
    if campaign_item is not None:
        return _campaign_quote(sku, campaign_item, regular, member)
    candidates = [regular]
    if member:
        candidates.append(member)
    if is_member and tier_discount_bps:
        # The tier's discount off the regular price, the discount rounded down to the cent.
        candidates.append(Candidate("tier", sku.price_cents - sku.price_cents * tier_discount_bps // 10_000,
                                    note=f"{tier_discount_bps / 100:g}% member tier discount"))
    if subscription_discount_bps:
        # Like the tier discount: off the regular price, the discount rounded down to the cent.
        candidates.append(Candidate("subscription",
                                    sku.price_cents - sku.price_cents * subscription_discount_bps // 10_000,
                                    note=f"{subscription_discount_bps / 100:g}% subscription discount"))
    day = member_day if (member_day is not None and is_member) else MemberDay()
    if day.price_cents is not None:
        candidates.append(Candidate("member_day", day.price_cents, note=f"campaign {day.price_campaign_id}"))
    best = min(candidates, key=lambda c: (c.unit_price_cents, candidates.index(c)))
    marked = [Candidate(c.rule, c.unit_price_cents, c is best, c.note) for c in candidates]
    if day.points_multiplier > 1:  # extra points are not a price: they apply whichever price won
        marked.append(Candidate("member_day_points", best.unit_price_cents, True,
                                f"{day.points_multiplier}x points, campaign {day.points_campaign_id}"))
    campaign_id = day.price_campaign_id if best.rule == "member_day" else None
    return Quote(sku.id, sku.price_cents, best.unit_price_cents, best.rule, campaign_id, marked,
                 day.points_multiplier)


def _campaign_quote(sku: Sku, item: CampaignItem, regular: Candidate, member: Candidate | None) -> Quote:
    campaign = item.campaign
    price = item.campaign_price_cents
    note = None
    if campaign.stackable and member is not None:
        price = max(price - (sku.price_cents - member.unit_price_cents), 0)
        note = "member discount stacked on the campaign price"
    elif member is not None:
        note = "campaign prices do not stack with member prices"
    rule = campaign.kind.value
    chosen = Candidate(rule, price, True, note)
    considered = [regular] + ([member] if member else []) + [chosen]
    return Quote(sku.id, sku.price_cents, price, rule, campaign.id, considered)
