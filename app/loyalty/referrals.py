"""Referrals: who brought whom (the first referrer on a shopper's group bindings — first touch),
the reward for a referred shopper's first paid order, and the "social value" of a shopper: what
the shoppers they brought (direct) and those shoppers brought (second level) have spent."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.models import Account
from app.coupons.services import issue_coupon
from app.errors import DomainError
from app.extensions import db
from app.groups.models import Binding
from app.loyalty import ledger
from app.loyalty.models import PointsKind
from app.members.models import Membership
from app.orders.models import Order


def _first_referral():
    """(account_id, referrer_account_id) from each shopper's earliest binding that had a referrer."""
    first = (sa.select(Binding.account_id, sa.func.min(Binding.id).label("binding_id"))
             .where(Binding.referrer_account_id.is_not(None)).group_by(Binding.account_id).subquery())
    return (sa.select(Binding.account_id, Binding.referrer_account_id)
            .join(first, first.c.binding_id == Binding.id).subquery())


def referrer_of(account_id: int) -> int | None:
    """The shopper's referrer: on their earliest binding that had one. One index range
    (ix_bindings_account), not the set-wide `_first_referral` — checkout asks this per order."""
    return db.session.scalar(
        sa.select(Binding.referrer_account_id)
        .where(Binding.account_id == account_id, Binding.referrer_account_id.is_not(None))
        .order_by(Binding.id).limit(1))


def reward_first_order(order: Order) -> None:
    """Called when an order becomes paid. Only a shopper's first paid order rewards, once (the
    ledger and coupon refs are per referred shopper). A reward that cannot be given (the referrer
    is not a member for points; the coupon is exhausted) is skipped, never blocking the payment.
    No commit."""
    from app.loyalty.services import program

    referrer = referrer_of(order.account_id)
    if referrer is None:
        return
    earlier = db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(
        Order.account_id == order.account_id, Order.id != order.id, Order.paid_at.is_not(None),
        Order.paid_at <= sa.func.coalesce(order.paid_at, sa.func.now())))
    if earlier:
        return
    prog = program()
    note = f"referral: first order of shopper {order.account_id}"
    if prog.referral_reward_points and db.session.get(Membership, referrer) is not None:
        ledger.post(referrer, PointsKind.REWARD, prog.referral_reward_points, ref=f"referral:{order.account_id}",
                    note=note)
    if prog.referral_coupon_template_id:
        try:
            with db.session.begin_nested():
                issue_coupon(prog.referral_coupon_template_id, referrer, source="referral",
                             source_ref=f"referral:{order.account_id}")
        except DomainError:
            pass  # exhausted, inactive or over the per-person limit: no coupon this time


@dataclass(frozen=True)
class SocialValue:
    account_id: int
    direct_shoppers: int
    direct_spend_cents: int
    second_level_shoppers: int
    second_level_spend_cents: int


def social_value(account_id: int) -> SocialValue:
    """Spend is lifetime spend, net of refunds, of the shoppers referred (first touch)."""
    ref = _first_referral()
    direct = sa.select(ref.c.account_id).where(ref.c.referrer_account_id == account_id)
    second = sa.select(ref.c.account_id).where(ref.c.referrer_account_id.in_(direct))

    def totals(ids):
        spend = sa.func.coalesce(sa.func.sum(Account.lifetime_spend_cents), 0)
        row = db.session.execute(sa.select(sa.func.count(), spend).where(Account.id.in_(ids))).one()
        return int(row[0]), int(row[1])

    d, s = totals(direct), totals(second)
    return SocialValue(account_id, d[0], d[1], s[0], s[1])
