"""Property tests (hypothesis) on commission arithmetic and postings: splits add up to the whole,
each share is rate × amount rounded down, and every posting sums to zero (unbalanced ones are
refused by the code and, on PostgreSQL, by the database)."""
from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.commissions import ledger
from app.commissions.ledger import Line, Unbalanced
from app.commissions.models import Bucket, EntryKind, JournalLine
from app.commissions.rules import split
from app.extensions import db
from tests.factories import make_shopper

refs = itertools.count()
amounts = st.integers(min_value=0, max_value=10**12)
rates = st.integers(min_value=0, max_value=5000)


# too_slow: under a mutation run on a loaded machine drawing three integers took 4 s (mutmut's stats run).
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(amount=amounts, leader_bps=rates, referrer_bps=st.integers(min_value=0, max_value=2000))
def test_the_parts_of_a_split_add_up_and_each_share_is_rate_times_amount_rounded_down(amount, leader_bps,
                                                                                      referrer_bps):
    leader, referrer, store = split(amount, leader_bps, referrer_bps)
    assert leader + referrer + store == amount
    assert leader == amount * leader_bps // 10_000 and referrer == amount * referrer_bps // 10_000
    assert leader * 10_000 <= amount * leader_bps < (leader + 1) * 10_000
    assert store >= 0 or leader_bps + referrer_bps > 10_000


SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
party_amounts = st.lists(st.integers(min_value=-10**9, max_value=10**9).filter(bool), min_size=1, max_size=6)


@SETTINGS
@given(moves=party_amounts, skew=st.integers(min_value=-5, max_value=5))
def test_every_posting_sums_to_zero(app_ctx, moves, skew):
    account = make_shopper().account.id
    lines = [Line(account, Bucket.AVAILABLE, m, "leader") for m in moves]
    lines.append(Line(None, Bucket.COMMISSION_EXPENSE, -sum(moves) + skew))
    ref = f"prop:{next(refs)}"
    if skew:
        with pytest.raises(Unbalanced):
            ledger.post(EntryKind.ACCRUE, ref, lines)
        assert ledger.entry_by_ref(ref) is None
        return
    entry = ledger.post(EntryKind.ACCRUE, ref, lines)
    db.session.commit()
    stored = db.session.scalar(sa.select(sa.func.sum(JournalLine.amount_cents)).where(JournalLine.entry_id == entry.id))
    assert stored == 0
    assert ledger.post(EntryKind.ACCRUE, ref, lines).id == entry.id  # once per ref


@pytest.mark.postgres
def test_the_database_refuses_an_unbalanced_entry_at_commit(app_ctx):
    account = make_shopper().account.id
    entry_id = db.session.execute(sa.text(
        "INSERT INTO commission_entries (kind, ref, created_at) VALUES ('accrue', 'raw', now()) RETURNING id"
    )).scalar_one()
    db.session.execute(sa.text("INSERT INTO commission_lines (entry_id, account_id, role, bucket, amount_cents) "
                               "VALUES (:e, :a, 'leader', 'pending', 100)"), {"e": entry_id, "a": account})
    with pytest.raises(sa.exc.DatabaseError, match="does not balance"):
        db.session.commit()
    db.session.rollback()
