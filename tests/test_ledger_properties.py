"""Property tests (hypothesis) on the points and wallet ledgers: whatever sequence of postings,
refusals included, each balance equals the sum of its entries, every entry's balance-after is the
running sum, and no balance is ever negative."""
from __future__ import annotations

import itertools

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import Conflict
from app.extensions import db
from app.loyalty import ledger as points
from app.loyalty.models import PointsEntry, PointsKind
from app.members import services as members
from app.members.models import Membership
from app.wallet import ledger as wallet
from app.wallet.models import Wallet, WalletEntry, WalletKind
from tests.factories import make_shopper

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
refs = itertools.count()

point_ops = st.lists(st.tuples(st.sampled_from(["earn", "redeem", "reverse", "repeat"]),
                               st.integers(min_value=1, max_value=500)), max_size=25)


@SETTINGS
@given(ops=point_ops)
def test_points_balance_is_the_sum_of_entries_and_never_negative(app_ctx, ops):
    account_id = make_shopper().account.id
    members.join(account_id)
    last_ref = None
    for op, amount in ops:
        ref = last_ref if (op == "repeat" and last_ref) else f"p{next(refs)}"
        try:
            if op in ("earn", "repeat"):
                points.post(account_id, PointsKind.EARN, amount, growth_delta=amount, ref=ref)
            elif op == "redeem":
                points.post(account_id, PointsKind.REDEEM, -amount, ref=ref)
            else:
                points.post(account_id, PointsKind.REVERSE, -amount, growth_delta=-amount, ref=ref, clamp=True)
            db.session.commit()
        except Conflict:
            db.session.rollback()
        last_ref = ref
    entries = db.session.scalars(sa.select(PointsEntry).where(PointsEntry.account_id == account_id)
                                 .order_by(PointsEntry.id)).all()
    running = growth = 0
    for entry in entries:
        running, growth = running + entry.delta, growth + entry.growth_delta
        assert (entry.balance_after, entry.growth_after) == (running, growth)
        assert running >= 0 and growth >= 0
    membership = db.session.get(Membership, account_id, populate_existing=True)
    assert (membership.points_balance, membership.growth_points) == (running, growth)
    assert len({e.ref for e in entries}) == len(entries)  # a repeated ref posted once


wallet_ops = st.lists(st.tuples(st.sampled_from(["top_up", "spend", "refund"]),
                                st.integers(min_value=1, max_value=20_000),
                                st.integers(min_value=0, max_value=5_000)), max_size=25)


@SETTINGS
@given(ops=wallet_ops)
def test_wallet_balances_are_the_sum_of_entries_and_never_negative(app_ctx, ops):
    account_id = make_shopper().account.id
    spent: list[tuple[int, int]] = []  # (payment ref id, amount) of successful spends
    for op, amount, bonus in ops:
        n = next(refs)
        try:
            if op == "top_up":
                wallet.post(account_id, WalletKind.TOP_UP, amount, bonus, ref=f"w{n}")
            elif op == "spend":
                wallet.spend(account_id, amount, ref=f"w{n}")
                spent.append((n, amount))
            elif spent:
                # a refund of part of an earlier spend, through the same proportion rule
                pid, _ = spent[n % len(spent)]
                entry = db.session.scalar(sa.select(WalletEntry).where(WalletEntry.ref == f"w{pid}"))
                wallet.refund_entry(entry, amount, ref=f"w{n}")
            db.session.commit()
        except Conflict:
            db.session.rollback()
    entries = db.session.scalars(sa.select(WalletEntry).where(WalletEntry.account_id == account_id)
                                 .order_by(WalletEntry.id)).all()
    principal = bonus_total = 0
    for entry in entries:
        principal, bonus_total = principal + entry.principal_delta, bonus_total + entry.bonus_delta
        assert (entry.principal_after, entry.bonus_after) == (principal, bonus_total)
        assert principal >= 0 and bonus_total >= 0
    for spend in (e for e in entries if e.kind is WalletKind.PAYMENT):  # refunds never exceed a payment
        back = [e for e in entries if e.refund_of_id == spend.id]
        assert sum(e.principal_delta for e in back) <= -spend.principal_delta
        assert sum(e.bonus_delta for e in back) <= -spend.bonus_delta
    row = db.session.get(Wallet, account_id, populate_existing=True)
    if row is not None:
        assert (row.principal_cents, row.bonus_cents) == (principal, bonus_total)
