"""Points ledger edges that mutation testing (scripts/mutate points) found unguarded: a replayed
redemption after the balance moved, growth-only postings, the clamp for a shopper who is not a
member, the refusal's details, and what an entry records."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict
from app.extensions import db
from app.loyalty import ledger
from app.loyalty.models import PointsEntry, PointsKind
from app.members import services as members
from app.members.models import Membership
from tests.factories import make_group, make_shopper


def member_with(points: int) -> int:
    account_id = make_shopper().account.id
    members.join(account_id)
    if points:
        ledger.post(account_id, PointsKind.EARN, points, growth_delta=points, ref=f"seed:{account_id}")
    db.session.commit()
    return account_id


def balances(account_id: int) -> tuple[int, int]:
    row = db.session.get(Membership, account_id, populate_existing=True)
    return row.points_balance, row.growth_points


def test_a_replayed_redemption_returns_the_first_entry_even_after_the_points_are_gone(app_ctx):
    account_id = member_with(100)
    first = ledger.post(account_id, PointsKind.REDEEM, -100, ref="redeem:1")
    db.session.commit()
    again = ledger.post(account_id, PointsKind.REDEEM, -100, ref="redeem:1")  # 0 left: new, it would be refused
    assert again.id == first.id and balances(account_id) == (0, 100)


def test_a_growth_only_posting_is_recorded(app_ctx):
    account_id = member_with(0)
    entry = ledger.post(account_id, PointsKind.ADJUST, 0, growth_delta=30, ref="growth-only")
    db.session.commit()
    assert (entry.delta, entry.growth_delta, entry.balance_after, entry.growth_after) == (0, 30, 0, 30)
    assert ledger.post(account_id, PointsKind.ADJUST, 0, ref="nothing") is None


def test_a_clamped_reversal_for_a_shopper_without_membership_posts_nothing(app_ctx):
    account_id = make_shopper().account.id
    assert ledger.post(account_id, PointsKind.REVERSE, -50, growth_delta=-50, ref="rev", clamp=True) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PointsEntry)) == 0


def test_a_clamped_reversal_takes_points_and_growth_each_down_to_zero_only(app_ctx):
    account_id = member_with(100)
    ledger.post(account_id, PointsKind.REDEEM, -70, ref="spend")
    entry = ledger.post(account_id, PointsKind.REVERSE, -100, growth_delta=-40, ref="rev", clamp=True)
    db.session.commit()
    assert (entry.delta, entry.growth_delta) == (-30, -40)
    assert balances(account_id) == (0, 60)
    entry = ledger.post(account_id, PointsKind.REVERSE, -10, growth_delta=-100, ref="rev2", clamp=True)
    assert (entry.delta, entry.growth_delta) == (0, -60)


def test_too_few_points_are_refused_with_the_balance_and_the_amount_asked(app_ctx):
    account_id = member_with(40)
    with pytest.raises(Conflict) as refused:
        ledger.post(account_id, PointsKind.REDEEM, -41, ref="short")
    assert (refused.value.code, refused.value.details) == ("insufficient_points", {"balance": 40, "requested": 41})
    db.session.rollback()
    stranger = make_shopper().account.id  # no membership row at all: the balance is zero
    with pytest.raises(Conflict) as refused:
        ledger.post(stranger, PointsKind.REDEEM, -1, ref="stranger")
    assert refused.value.details == {"balance": 0, "requested": 1}


def test_an_entry_keeps_its_order_group_and_note(app_ctx):
    account_id = member_with(0)
    group_id = make_group().id
    entry = ledger.post(account_id, PointsKind.REWARD, 25, ref="reward", group_id=group_id, note="referral")
    db.session.commit()
    stored = db.session.scalar(sa.select(PointsEntry).where(PointsEntry.ref == "reward"))
    assert (stored.id, stored.kind, stored.group_id, stored.order_id, stored.note) == (
        entry.id, PointsKind.REWARD, group_id, None, "referral")
    ledger.post(account_id, PointsKind.ADJUST, 5, ref="later")
    newest_first = db.session.scalars(ledger.entries_of(account_id)).all()
    assert [e.ref for e in newest_first] == ["later", "reward"]


def test_taking_more_growth_than_there_is_is_refused_by_the_guard(app_ctx):
    account_id = member_with(40)
    with pytest.raises(Conflict):  # enough points, too little growth: a 409, not the CHECK's 500
        ledger.post(account_id, PointsKind.REVERSE, -10, growth_delta=-50, ref="too-much-growth")
    db.session.rollback()
    assert balances(account_id) == (40, 40)


def test_a_posting_that_breaks_another_constraint_is_not_taken_for_a_replay(app_ctx):
    account_id = member_with(0)
    with pytest.raises(IntegrityError):  # an order that does not exist: not a duplicate ref, so not swallowed
        ledger.post(account_id, PointsKind.EARN, 10, ref="no-such-order", order_id=987654)
