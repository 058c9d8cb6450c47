"""Property tests (hypothesis) for every split that rounds (issue 16): line refunds in any sequence of
parts, the wallet's principal/bonus over any payments and refunds, commission over any mix of
shortages and refunds, points over any sequence of partial refunds. Whatever the sequence, the parts
add up to the whole and nothing goes negative. The code under test is the real code: orders and
lines are written as rows (the checkout flows are covered elsewhere) and the services run on them."""
from __future__ import annotations

import itertools

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.commissions import services as commissions
from app.commissions.audit import expected_for
from app.commissions.models import EntryKind, JournalEntry, JournalLine
from app.extensions import db
from app.leaders.models import Leader
from app.loyalty import ledger as points
from app.loyalty import services as loyalty
from app.loyalty.models import PointsEntry, PointsKind
from app.members import services as members
from app.orders.models import Order, OrderLine, OrderStatus
from app.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from app.payments.refunds import _line_amount
from app.wallet import ledger as wallet
from app.wallet.models import WalletEntry, WalletKind
from tests.factories import make_group, make_leader, make_product, make_shopper

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
numbers = itertools.count(1)


@st.composite
def line_and_parts(draw):
    """A line (quantity, unit price, discount) and a sequence of unit counts to refund, in order."""
    quantity = draw(st.integers(min_value=1, max_value=12))
    unit = draw(st.integers(min_value=1, max_value=100_000))
    discount = draw(st.integers(min_value=0, max_value=unit * quantity))
    parts, left = [], quantity
    while left and draw(st.booleans()) or (left and not parts):
        part = draw(st.integers(min_value=1, max_value=left))
        parts.append(part)
        left -= part
    return quantity, unit, discount, parts


@settings(max_examples=200, deadline=None)
@given(case=line_and_parts())
def test_line_refunds_in_any_sequence_of_parts_add_up_to_the_line_and_never_go_negative(case):
    quantity, unit, discount, parts = case
    line = OrderLine(quantity=quantity, unit_price_cents=unit, discount_cents=discount,
                     line_total_cents=unit * quantity - discount, refunded_quantity=0, refunded_cents=0)
    for part in parts:
        amount = _line_amount(line, part)
        assert 0 <= amount <= line.line_total_cents - line.refunded_cents
        line.refunded_quantity += part
        line.refunded_cents += amount
    assert line.refunded_cents <= line.line_total_cents
    if line.refunded_quantity == quantity:
        assert line.refunded_cents == line.line_total_cents  # every cent, whatever the parts


wallet_cases = st.tuples(
    st.integers(min_value=1, max_value=50_000), st.integers(min_value=0, max_value=50_000),  # principal, bonus
    st.lists(st.tuples(st.integers(min_value=1, max_value=20_000),  # a payment...
                       st.lists(st.integers(min_value=1, max_value=20_000), max_size=4)),  # ...and its refunds
             min_size=1, max_size=5))


@SETTINGS
@given(case=wallet_cases)
def test_wallet_payments_take_the_bonus_share_rounded_down_and_refunds_return_exactly_it(app_ctx, case):
    principal, bonus, payments = case
    account_id = make_shopper().account.id
    wallet.post(account_id, WalletKind.TOP_UP, principal, bonus, ref=f"fund:{next(numbers)}")
    for amount, refund_parts in payments:
        held = wallet.balance(account_id)
        if amount > held.total_cents:
            continue
        paid = wallet.spend(account_id, amount, ref=f"pay:{next(numbers)}")
        assert -paid.bonus_delta == amount * held.bonus_cents // held.total_cents  # the bonus share, rounded down
        assert paid.principal_delta + paid.bonus_delta == -amount and paid.principal_delta <= 0
        for part in refund_parts:
            back = wallet.refund_entry(paid, part, ref=f"back:{next(numbers)}")
            assert back is None or (back.principal_delta >= 0 and back.bonus_delta >= 0)
        returned = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(WalletEntry.principal_delta), 0),
                                                sa.func.coalesce(sa.func.sum(WalletEntry.bonus_delta), 0))
                                      .where(WalletEntry.refund_of_id == paid.id)).one()
        assert returned[0] <= -paid.principal_delta and returned[1] <= -paid.bonus_delta
        if sum(refund_parts) >= amount:  # refunded in full: exactly what it took, principal and bonus apart
            assert tuple(returned) == (-paid.principal_delta, -paid.bonus_delta)
    db.session.commit()
    now = wallet.balance(account_id)
    assert now.principal_cents >= 0 and now.bonus_cents >= 0


def _order(account_id: int, group, sku, *, quantity: int, unit: int, discount: int, method: str,
           shorted: int = 0, leader_bps: int = 0) -> Order:
    """A paid order of one line, written as the checkout and the pickup would leave it."""
    n = next(numbers)
    total = unit * quantity - discount
    line = OrderLine(sku_id=sku.id, product_id=sku.product_id, product_name="p", sku_name="s", sku_code=sku.code,
                     unit_price_cents=unit, quantity=quantity, discount_cents=discount, line_total_cents=total,
                     shorted_quantity=shorted, leader_rate_bps=leader_bps)
    order = Order(number=f"P{n:010d}", account_id=account_id, group_id=group.id, pickup_point_id=group.pickup_point_id,
                  group_name="g", pickup_point_name="p", pickup_point_address="a", status=OrderStatus.PAID,
                  payment_method=method, currency="CNY", subtotal_cents=unit * quantity, total_cents=total,
                  coupon_discount_cents=discount, paid_cents=0, pickup_code=f"C{n:09d}", leader_id=group.leader_id,
                  lines=[line])
    db.session.add(order)
    db.session.flush()
    order.paid_cents = commissions.paid_amount(line)
    db.session.flush()
    return order


def _refund_row(order: Order, amount: int) -> int:
    """A succeeded refund row for the journal and ledger references to point at."""
    payment = order.payments[0] if order.payments else None
    if payment is None:
        payment = Payment(order_id=order.id, provider="stripe", amount_cents=order.paid_cents,
                          status=PaymentStatus.SUCCEEDED)
        db.session.add(payment)
        db.session.flush()
        db.session.refresh(order, ["payments"])
    refund = Refund(order_id=order.id, payment_id=payment.id, amount_cents=max(amount, 1), reason="property",
                    restock=False, status=RefundStatus.SUCCEEDED)
    db.session.add(refund)
    db.session.flush()
    return refund.id


_shared: dict[str, int] = {}


def _shop():
    """One leader's group and one SKU per test (hypothesis runs many examples in one test)."""
    from app.catalog.models import Sku
    from app.groups.models import Group

    group = db.session.get(Group, _shared.get("group", 0))
    sku = db.session.get(Sku, _shared.get("sku", 0))
    if group is None or sku is None or group.leader_id is None:
        group, sku = make_group(make_leader()), make_product().skus[0]
        _shared.update(group=group.id, sku=sku.id)
    return group, sku


@st.composite
def refund_sequence(draw, total: int):
    """Cumulative refunded amounts, rising, at most `total` (the last may be all of it)."""
    cuts = sorted(draw(st.lists(st.integers(min_value=1, max_value=max(total, 1)), max_size=4, unique=True)))
    if total and draw(st.booleans()):
        cuts.append(total)
    return sorted(set(c for c in cuts if c <= total))


commission_cases = st.tuples(st.integers(min_value=1, max_value=8), st.integers(min_value=1, max_value=20_000),
                             st.integers(min_value=0, max_value=5000), st.booleans(), st.data())


@SETTINGS
@given(case=commission_cases)
def test_commission_over_any_mix_of_shortages_and_refunds_adds_up_and_never_goes_negative(app_ctx, case):
    quantity, unit, rate, at_pickup, data = case
    shorted = data.draw(st.integers(min_value=0, max_value=quantity - 1)) if at_pickup else 0
    group, sku = _shop()
    leader_account = db.session.get(Leader, group.leader_id).account_id
    order = _order(make_shopper().account.id, group, sku, quantity=quantity, unit=unit, discount=0,
                   method="pay_at_pickup" if at_pickup else "stripe", shorted=shorted, leader_bps=rate)
    line = order.lines[0]
    paid = line.line_total_cents - line.amount_of(shorted)
    assert commissions.paid_amount(line) == paid
    commissions.accrue(order)
    earned = paid * rate // 10_000
    assert _leader_net(order.id, leader_account) == earned
    for cumulative in data.draw(refund_sequence(line.line_total_cents)):
        refund_id = _refund_row(order, cumulative - line.refunded_cents)
        line.refunded_cents = cumulative
        db.session.flush()
        commissions.clawback(order, refund_id)
        held = _leader_net(order.id, leader_account)
        assert 0 <= held <= earned
        assert held == expected_for(order, leader_account).get((line.id, "leader"), 0)  # the audit agrees
        if cumulative >= line.line_total_cents:
            assert held == 0


def _leader_net(order_id: int, account_id: int) -> int:
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(JournalLine.amount_cents), 0))
                                 .join(JournalEntry).where(JournalEntry.order_id == order_id,
                                                           JournalLine.account_id == account_id,
                                                           JournalEntry.kind.in_((EntryKind.ACCRUE,
                                                                                  EntryKind.CLAWBACK)))))


points_cases = st.tuples(st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=50_000),
                         st.integers(min_value=0, max_value=2000), st.integers(min_value=0, max_value=500), st.data())


@SETTINGS
@given(case=points_cases)
def test_points_over_any_sequence_of_partial_refunds_add_up_and_never_go_negative(app_ctx, case):
    quantity, unit, earned, other, data = case
    account_id = make_shopper().account.id
    members.join(account_id)
    if other:
        points.post(account_id, PointsKind.ADJUST, other, ref=f"other:{next(numbers)}")
    group, sku = _shop()
    order = _order(account_id, group, sku, quantity=quantity, unit=unit, discount=0, method="stripe")
    if earned:
        points.post(account_id, PointsKind.EARN, earned, growth_delta=earned, ref=f"earn:{order.id}", order_id=order.id)
    paid = order.paid_cents
    for cumulative in data.draw(refund_sequence(paid)):
        loyalty.after_refund(order, _refund_row(order, cumulative), cumulative)
        taken = -int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(PointsEntry.delta), 0)).where(
            PointsEntry.order_id == order.id, PointsEntry.kind == PointsKind.REVERSE)))
        assert 0 <= taken <= earned
        if other >= earned:  # nothing spent elsewhere: no clamp, the share exactly
            assert taken == (earned if cumulative >= paid else earned * cumulative // paid)
        balance = db.session.scalar(sa.select(PointsEntry.balance_after).where(PointsEntry.account_id == account_id)
                                    .order_by(PointsEntry.id.desc()).limit(1))
        assert balance is None or balance >= 0
