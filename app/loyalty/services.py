"""The loyalty programme: tiers from growth points, earning on paid orders, taking back on refunds,
redeeming at checkout, and the monthly ranking per group.

Rounding, stated once: points earned = floor(Σ line net cents × line multiplier × (paid / total)
× points_per_unit × tier multiplier % / (100 × 100)); a refund takes back floor(earned × refunded / paid) in total
(all of it once everything is refunded), so reversals never exceed what was earned.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.db import utcnow
from app.errors import Conflict, InvalidRequest, not_found
from app.extensions import db
from app.i18n import _
from app.loyalty import ledger
from app.loyalty.models import LoyaltyProgram, PointsEntry, PointsKind, Tier
from app.members.models import Membership
from app.orders.models import Order
from app.persistence import commit_unique, single_row

PROGRAM_FIELDS = ("points_per_unit", "point_value_cents", "max_redeem_bps", "referral_reward_points",
                  "referral_coupon_template_id", "new_product_member_hours", "membership_fee_cents",
                  "membership_days")


def program() -> LoyaltyProgram:
    return single_row(LoyaltyProgram)


def update_program(changes: dict[str, Any]) -> LoyaltyProgram:
    from app.coupons.services import get_template

    if changes.get("referral_coupon_template_id") is not None:
        get_template(changes["referral_coupon_template_id"])  # 404 if unknown
    row = program()
    for name in PROGRAM_FIELDS:
        if name in changes:
            setattr(row, name, changes[name])
    db.session.commit()
    return row


def tiers() -> list[Tier]:
    return list(db.session.scalars(sa.select(Tier).order_by(Tier.min_growth)))


def create_tier(data: dict[str, Any]) -> Tier:
    tier = Tier(**data)
    db.session.add(tier)
    commit_unique("tier", code="tier_exists")
    return tier


def update_tier(tier_id: int, changes: dict[str, Any]) -> Tier:
    tier = db.session.get(Tier, tier_id)
    if tier is None:
        raise not_found("tier", id=tier_id)
    for name, value in changes.items():
        setattr(tier, name, value)
    commit_unique("tier", code="tier_exists")
    return tier


def delete_tier(tier_id: int) -> None:
    tier = db.session.get(Tier, tier_id)
    if tier is None:
        raise not_found("tier", id=tier_id)
    db.session.delete(tier)
    db.session.commit()


def tier_for(growth: int) -> Tier | None:
    return db.session.scalar(sa.select(Tier).where(Tier.min_growth <= growth).order_by(Tier.min_growth.desc()))


def next_tier(growth: int) -> Tier | None:
    return db.session.scalar(sa.select(Tier).where(Tier.min_growth > growth).order_by(Tier.min_growth))


@dataclass(frozen=True)
class Standing:
    """A shopper's place in the programme (non-members: member False, the rest empty)."""

    member: bool
    points_balance: int = 0
    growth_points: int = 0
    tier: Tier | None = None

    @property
    def discount_bps(self) -> int:
        return self.tier.discount_bps if (self.member and self.tier) else 0

    @property
    def multiplier_pct(self) -> int:
        return self.tier.points_multiplier_pct if (self.member and self.tier) else 100

    @property
    def early_access_hours(self) -> int:
        return self.tier.early_access_hours if (self.member and self.tier) else 0


def standing(account_id: int) -> Standing:
    membership = db.session.get(Membership, account_id)
    if membership is None or not membership.active_at(utcnow()):
        return Standing(member=False)
    growth = membership.growth_points
    return Standing(True, membership.points_balance, growth, tier_for(growth))


def points_value(points: int) -> int:
    return points * program().point_value_cents


def check_redeemable(points: int, order_total_cents: int) -> int:
    """The discount `points` give on an order of this total, within the programme's share."""
    prog = program()
    value = points * prog.point_value_cents
    cap = order_total_cents * prog.max_redeem_bps // 10_000
    if value > cap:
        raise InvalidRequest(_("Points can pay only part of an order"), code="points_over_limit",
                             details={"max_points": cap // prog.point_value_cents, "requested": points})
    return value


def redeem_for_order(account_id: int, order_id: int, points: int) -> None:
    """Spend points at checkout (refused if the balance is short). No commit."""
    if not db.session.get(Membership, account_id) or not standing(account_id).member:
        raise Conflict(_("Join the membership to use points"), code="not_a_member")
    ledger.post(account_id, PointsKind.REDEEM, -points, ref=f"redeem:order:{order_id}", order_id=order_id)


def return_for_unpaid(order: Order) -> None:
    """The order closed unpaid: the points it spent come back whole. No commit."""
    if order.points_redeemed:
        ledger.post(order.account_id, PointsKind.RETURN, order.points_redeemed,
                    ref=f"return:order:{order.id}", order_id=order.id, note="order closed unpaid")


def return_for_shortfall(order: Order, due: int) -> None:
    """Pay at pickup with units missing: the shopper pays less, and gets back the points spent on
    what they did not receive, in the same proportion (rounded down). No commit."""
    if order.points_redeemed and 0 <= due < order.total_cents:
        back = order.points_redeemed * (order.total_cents - due) // order.total_cents
        if back:
            ledger.post(order.account_id, PointsKind.RETURN, back, ref=f"return:shortfall:order:{order.id}",
                        order_id=order.id, note="units missing at pickup")


def earn_for_order(order: Order) -> PointsEntry | None:
    """A paid order earns points for a member, once. No commit."""
    stand = standing(order.account_id)
    if not stand.member:
        return None
    prog = program()
    # Read, not the attribute: callers moved paid_cents with an UPDATE (the query flushes first).
    paid = db.session.scalar(sa.select(Order.paid_cents).where(Order.id == order.id)) or 0
    if order.total_cents <= 0 or paid <= 0:
        return None
    weighted = sum(line.line_total_cents * (line.points_multiplier or 1) for line in order.lines)
    # Earned on what was paid (a pay-at-pickup order with shortages pays less than its total).
    paid = min(paid, order.total_cents)
    points = weighted * paid * prog.points_per_unit * stand.multiplier_pct // (order.total_cents * 100 * 100)
    if points <= 0:
        return None
    return ledger.post(order.account_id, PointsKind.EARN, points, growth_delta=points,
                       ref=f"earn:order:{order.id}", order_id=order.id, group_id=order.group_id,
                       note=f"order {order.number}")


def on_order_paid(order: Order) -> None:
    """What follows an order becoming paid: points, the referral reward, and the leader's
    commission (app/commissions). No commit."""
    from app.commissions.services import accrue
    from app.loyalty.referrals import reward_first_order

    earn_for_order(order)
    reward_first_order(order)
    accrue(order)


def _posted(order_id: int, kind: PointsKind) -> int:
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(PointsEntry.delta), 0)).where(
        PointsEntry.order_id == order_id, PointsEntry.kind == kind)) or 0)


def after_refund(order: Order, refund_id: int, refunded_total: int) -> None:
    """A refund completed: take back the share of earned points, give back the share of redeemed
    points (both cumulative, so the parts add up to the whole once everything is refunded).
    Spent points cannot be taken back from an empty balance: the reversal takes what is there and
    says so. No commit."""
    # Against what the order itself cost: money paid beyond its total (a double payment) is
    # refunded first and moves no points.
    surplus = max(order.paid_cents - order.total_cents, 0)
    paid = order.paid_cents - surplus
    refunded_total = max(refunded_total - surplus, 0)
    if paid <= 0 or refunded_total <= 0:
        return
    whole = refunded_total >= paid
    earned = _posted(order.id, PointsKind.EARN)
    if earned:
        target = earned if whole else earned * refunded_total // paid
        taken = -_posted(order.id, PointsKind.REVERSE)
        if target > taken:
            ledger.post(order.account_id, PointsKind.REVERSE, -(target - taken), growth_delta=-(target - taken),
                        ref=f"reverse:refund:{refund_id}", order_id=order.id, group_id=order.group_id,
                        note=f"refund of order {order.number}", clamp=True)
    if order.points_redeemed:
        # What the points paid is part of the order's value, not of `paid`: return in proportion.
        target = order.points_redeemed if whole else order.points_redeemed * refunded_total // paid
        returned = _posted(order.id, PointsKind.RETURN)
        if target > returned:
            ledger.post(order.account_id, PointsKind.RETURN, target - returned, ref=f"return:refund:{refund_id}",
                        order_id=order.id, note=f"refund of order {order.number}")


def adjust(account_id: int, delta: int, note: str, key: str) -> PointsEntry:
    from app.accounts.models import Account, AccountKind

    account = db.session.get(Account, account_id)
    if account is None or account.kind is not AccountKind.SHOPPER:
        raise not_found("shopper", id=account_id)
    if db.session.get(Membership, account_id) is None:
        raise Conflict(_("Only members hold points"), code="not_a_member")
    entry = ledger.post(account_id, PointsKind.ADJUST, delta, ref=f"adjust:{account_id}:{key}", note=note)
    db.session.commit()
    return entry


def month_bounds(month: str, tz) -> tuple[dt.datetime, dt.datetime]:
    try:
        first = dt.datetime.strptime(month + "-01", "%Y-%m-%d")
        if not 1970 <= first.year <= 9000:  # year 1 or 9999 overflow when moved to UTC (a 500 once)
            raise ValueError(month)
    except ValueError:
        raise InvalidRequest(_("month must look like 2026-11"), code="invalid_month") from None
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first.replace(tzinfo=tz).astimezone(dt.UTC), nxt.replace(tzinfo=tz).astimezone(dt.UTC)


def ranking(group_id: int, start: dt.datetime, end: dt.datetime, limit: int = 50) -> list[tuple[int, str, int]]:
    """(account id, name, points earned net of reversals) in the group during [start, end), best first."""
    from app.accounts.models import Account

    earned = sa.func.sum(PointsEntry.growth_delta).label("points")
    rows = db.session.execute(
        sa.select(PointsEntry.account_id, Account.name, earned)
        .join(Account, Account.id == PointsEntry.account_id)
        .where(PointsEntry.group_id == group_id, PointsEntry.created_at >= start, PointsEntry.created_at < end,
               PointsEntry.kind.in_((PointsKind.EARN, PointsKind.REVERSE)))
        .group_by(PointsEntry.account_id, Account.name)
        .having(earned > 0).order_by(earned.desc(), PointsEntry.account_id).limit(limit))
    return [(r[0], r[1], int(r[2])) for r in rows]
