"""Which rule sets a line's commission: the most specific rule valid at order time (campaign,
then product, then category, then the default; among equals the latest to start), and how a line
amount splits: leader = floor(amount × leader rate), referrer = floor(amount × referrer rate),
the store keeps the rest — so the three parts always add up to the amount exactly."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from app.commissions.models import SPECIFICITY, CommissionRule, CommissionSettings, RuleScope
from app.extensions import db
from app.persistence import single_row


@dataclass(frozen=True)
class Rates:
    rule_id: int | None
    leader_bps: int
    referrer_bps: int


NONE = Rates(None, 0, 0)


def split(amount: int, leader_bps: int, referrer_bps: int) -> tuple[int, int, int]:
    """(leader, referrer, store) cents of `amount`; each share rounded down, the store the rest."""
    leader = amount * leader_bps // 10_000
    referrer = amount * referrer_bps // 10_000
    return leader, referrer, amount - leader - referrer


def settings() -> CommissionSettings:
    return single_row(CommissionSettings)


def rates_for(lines: list[tuple[int, int | None, int | None]], at: dt.datetime) -> list[Rates]:
    """Rates per (product_id, category_id, campaign_id), with one query for the whole order."""
    if not lines:
        return []
    products = {p for p, _, _ in lines}
    categories = {c for _, c, _ in lines if c is not None}
    campaigns = {k for _, _, k in lines if k is not None}
    valid = sa.and_(CommissionRule.valid_from <= at,
                    sa.or_(CommissionRule.valid_until.is_(None), CommissionRule.valid_until > at))
    scoped = [CommissionRule.scope == RuleScope.DEFAULT,
              sa.and_(CommissionRule.scope == RuleScope.PRODUCT, CommissionRule.target_id.in_(products))]
    if categories:
        scoped.append(sa.and_(CommissionRule.scope == RuleScope.CATEGORY, CommissionRule.target_id.in_(categories)))
    if campaigns:
        scoped.append(sa.and_(CommissionRule.scope == RuleScope.CAMPAIGN, CommissionRule.target_id.in_(campaigns)))
    rules = list(db.session.scalars(sa.select(CommissionRule).where(valid, sa.or_(*scoped))))
    referrer_on = settings().referrer_share_enabled
    out = []
    for product_id, category_id, campaign_id in lines:
        targets = {RuleScope.DEFAULT: None, RuleScope.PRODUCT: product_id, RuleScope.CATEGORY: category_id,
                   RuleScope.CAMPAIGN: campaign_id}
        matching = [r for r in rules if targets[r.scope] == r.target_id and
                    (r.scope is RuleScope.DEFAULT or r.target_id is not None)]
        if not matching:
            out.append(NONE)
            continue
        best = max(matching, key=lambda r: (SPECIFICITY[r.scope], r.valid_from, r.id))
        out.append(Rates(best.id, best.leader_rate_bps, best.referrer_rate_bps if referrer_on else 0))
    return out
