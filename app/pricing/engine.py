"""A line's price comes from here and nowhere else.

Candidates: the regular price; the member price (members); a live member-day price (members of an
eligible group); and, when the line is bought through a campaign item, that campaign's price.
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

    @property
    def discount_cents(self) -> int:
        return self.list_price_cents - self.unit_price_cents


def live_member_day_prices(sku_ids: list[int], group_id: int | None, now: dt.datetime) -> dict[int, CampaignItem]:
    """The cheapest live member-day item per SKU for this group (one query for a whole cart)."""
    if not sku_ids or group_id is None:
        return {}
    items = db.session.scalars(
        sa.select(CampaignItem).join(Campaign).where(
            Campaign.kind == CampaignKind.MEMBER_DAY, Campaign.review == Review.APPROVED,
            Campaign.starts_at <= now, Campaign.ends_at > now, CampaignItem.sku_id.in_(sku_ids), for_group(group_id)))
    best: dict[int, CampaignItem] = {}
    for item in items:
        if phase(item.campaign, now) is Phase.LIVE and (
                item.sku_id not in best or item.campaign_price_cents < best[item.sku_id].campaign_price_cents):
            best[item.sku_id] = item
    return best


def quote(sku: Sku, *, is_member: bool, campaign_item: CampaignItem | None = None,
          member_day_item: CampaignItem | None = None) -> Quote:
    regular = Candidate("regular", sku.price_cents)
    member = Candidate("member", sku.member_price_cents) if (is_member and sku.member_price_cents is not None) else None
    if campaign_item is not None:
        return _campaign_quote(sku, campaign_item, regular, member)
    candidates = [regular]
    if member:
        candidates.append(member)
    if member_day_item is not None and is_member:
        candidates.append(Candidate("member_day", member_day_item.campaign_price_cents,
                                    note=f"campaign {member_day_item.campaign_id}"))
    best = min(candidates, key=lambda c: (c.unit_price_cents, candidates.index(c)))
    marked = [Candidate(c.rule, c.unit_price_cents, c is best, c.note) for c in candidates]
    campaign_id = member_day_item.campaign_id if best.rule == "member_day" else None
    return Quote(sku.id, sku.price_cents, best.unit_price_cents, best.rule, campaign_id, marked)


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
