"""Order state changes. Each is a guarded UPDATE on the status, so a duplicate or late event finds
nothing to do. None commit; they return follow-ups that the caller runs after its commit."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.accounts.models import Account
from app.campaigns import stock as campaign_stock
from app.campaigns.models import HoldStatus
from app.db import utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import Day, _
from app.inventory import stock
from app.inventory.models import ReservationStatus
from app.inventory.stock import InsufficientStock
from app.notifications.messages import notify_order
from app.orders.models import Fulfilment, Order, OrderStatus
from app.payments.models import Payment, PaymentStatus
from app.pickup import batches
from app.pickup.models import BatchStatus, DeliveryBatch

NO_SYNC = {"synchronize_session": False}


@dataclass
class FollowUps:
    """Work for after the commit: calls to providers, refunds, notifications."""

    jobs: list[tuple[Callable[..., Any], tuple]] = field(default_factory=list)

    def add(self, func: Callable[..., Any], *args: Any) -> None:
        self.jobs.append((func, args))

    def run(self) -> None:
        from app.jobs.queue import enqueue
        from app.notifications.outbox import kick

        kick()
        for func, args in self.jobs:
            enqueue(func, *args)


def _move(order_id: int, from_states: tuple[OrderStatus, ...], to: OrderStatus, **values: Any) -> bool:
    return bool(db.session.execute(
        sa.update(Order).where(Order.id == order_id, Order.status.in_(from_states))
        .values(status=to, **values).execution_options(**NO_SYNC)
    ).rowcount)


def _limit_of(order: Order) -> int | None:
    from app.campaigns.models import Campaign

    return db.session.get(Campaign, order.campaign_id).per_person_limit if order.campaign_id else None


def _take_again(order: Order, consumed: dict[int, int], consumed_campaign: dict[int, int],
                discounts: bool = False) -> bool:
    """Sell again whatever part of the order's holds had lapsed before the money arrived, all or
    nothing (a savepoint undoes a partial run). Campaign lines come from campaign stock.
    discounts: the order had closed, so its coupon and points were given back: take them again
    too (a coupon used elsewhere or expired meanwhile, or points spent, means not filled)."""
    try:
        with db.session.begin_nested():
            if discounts:
                _take_discounts_again(order)
            for line in sorted(order.lines, key=lambda ln: ln.sku_id):
                if line.campaign_item_id is None:
                    missing = line.quantity - consumed.get(line.sku_id, 0)
                    if missing > 0:
                        stock.sell_or_raise(line.sku_id, missing, reference_id=order.id)
                else:
                    missing = line.quantity - consumed_campaign.get(line.campaign_item_id, 0)
                    if missing > 0:
                        campaign_stock.retake(order.id, line.campaign_item_id, order.account_id, missing,
                                              _limit_of(order))
        return True
    except (InsufficientStock, Conflict):
        return False


def _take_discounts_again(order: Order) -> None:
    from app.coupons.services import redeem
    from app.loyalty import ledger
    from app.loyalty.models import PointsKind

    if order.coupon_id is not None:
        redeem(order.coupon_id, order.account_id, order.id, utcnow())
    if order.points_redeemed:
        ledger.post(order.account_id, PointsKind.REDEEM, -order.points_redeemed,
                    ref=f"redeem:revived:order:{order.id}", order_id=order.id)


def _had_wallet_part(order: Order) -> bool:
    return bool(db.session.scalar(sa.select(sa.func.count()).select_from(Payment).where(
        Payment.order_id == order.id, Payment.provider == "wallet")))


def mark_paid(order: Order, payment: Payment, follow: FollowUps) -> None:
    """Money arrived for this order. Held stock becomes sold; if the hold had lapsed, the stock is
    taken again if still free; if it is gone (or the order was cancelled), the money goes back."""
    db.session.execute(
        sa.update(Order).where(Order.id == order.id)
        .values(paid_cents=Order.paid_cents + payment.amount_cents).execution_options(**NO_SYNC))
    # That UPDATE holds the order's row lock until commit: re-read the status only now, so a cancel
    # or expiry that committed meanwhile is seen, and none can slip in after.
    db.session.refresh(order, ["status"])
    db.session.execute(
        sa.update(Account).where(Account.id == order.account_id)
        .values(lifetime_spend_cents=Account.lifetime_spend_cents + payment.amount_cents)
        .execution_options(**NO_SYNC))
    now = utcnow()
    if payment.purpose == "balance":
        if _move(order.id, (OrderStatus.DEPOSIT_PAID,), OrderStatus.PAID, paid_at=now):
            _after_paid(order)
            return
        filled = False  # the pre-sale lapsed before the balance came: it goes back
    elif order.status is OrderStatus.PENDING_PAYMENT:
        filled = _take_again(order, stock.consume(order.id), campaign_stock.consume(order.id))
    elif order.status is OrderStatus.EXPIRED:
        # Revived by money that came late — but not an order paid partly from the wallet: that part
        # went back at expiry, so the card alone would not pay it (the card money is refunded).
        filled = not _had_wallet_part(order) and _take_again(order, {}, {}, discounts=True)
    else:
        filled = False  # cancelled, or already paid by another payment: this money is surplus
    if filled:
        target = OrderStatus.DEPOSIT_PAID if payment.purpose == "deposit" else OrderStatus.PAID
        _move(order.id, (OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED), target,
              paid_at=now, closed_at=None, close_reason=None, expires_at=None)
        if target is OrderStatus.PAID:
            _after_paid(order)
        else:
            notify_order(order, "order.deposit_paid", _("Deposit received"),
                         _("Order %(number)s: deposit received. We will tell you when to pay the balance.",
                           number=order.number))
        return
    if order.status is OrderStatus.PENDING_PAYMENT:
        stock.release(order.id)
        campaign_stock.release(order.id)
        if _move(order.id, (OrderStatus.PENDING_PAYMENT,), OrderStatus.CANCELLED, closed_at=now,
                 close_reason="stock_gone_before_payment"):
            _give_back_discounts(order)
            _return_wallet_part(order, follow)
    from app.payments.refunds import refund_surplus_payment

    follow.add(refund_surplus_payment, payment.id)


def _after_paid(order: Order) -> None:
    """A paid order goes to its delivery batch — a group buy only once its deal is reached, a
    pre-sale on its ship date — and the shopper is told."""
    from app.campaigns import groupbuy, presale
    from app.campaigns.models import Campaign, CampaignKind

    db.session.refresh(order, ["status", "pickup_date", "fulfilment"])
    kind = db.session.get(Campaign, order.campaign_id).kind if order.campaign_id else None
    if kind is CampaignKind.GROUP_BUY:
        groupbuy.after_payment(order)
        text = _("Order %(number)s is paid; it is delivered once the group buy is on.", number=order.number)
    else:
        ship_date = presale.ship_date_of(order)
        if ship_date and (order.pickup_date is None or order.pickup_date < ship_date):
            order.pickup_date = ship_date
        batches.assign(order)
        text = _("Order %(number)s is paid. Pick it up at %(point)s on %(day)s.", number=order.number,
                 point=order.pickup_point_name, day=Day(order.pickup_date))
    notify_order(order, "order.paid", _("Payment received"), text)
    from app.loyalty.services import on_order_paid

    on_order_paid(order)


def expire(order: Order, follow: FollowUps) -> bool:
    """An unpaid order past its expiry: holds released, provider payment cancelled after commit."""
    if not _move(order.id, (OrderStatus.PENDING_PAYMENT,), OrderStatus.EXPIRED, closed_at=utcnow(),
                 close_reason="not_paid_in_time"):
        return False
    db.session.execute(
        sa.update(Order).where(Order.id == order.id, Order.expires_at > utcnow())
        .values(expires_at=utcnow()).execution_options(**NO_SYNC))
    stock.release(order.id, ReservationStatus.EXPIRED)
    campaign_stock.release(order.id, HoldStatus.EXPIRED)
    _give_back_discounts(order)
    _return_wallet_part(order, follow)
    _cancel_pending_payments(order.id, follow)
    return True


def cancel(order: Order, reason: str, follow: FollowUps) -> bool:
    """Cancel an unpaid order: an online one gives back its holds, a pay-at-pickup one its sold stock.
    Not once its batch has been closed for packing: then it is collected, or handled as uncollected."""
    if order.batch_id is not None and db.session.get(DeliveryBatch, order.batch_id).status is not BatchStatus.OPEN:
        raise Conflict(_("The order is already packed for delivery"), code="order_already_packed")
    now = utcnow()
    if _move(order.id, (OrderStatus.PENDING_PAYMENT,), OrderStatus.CANCELLED, closed_at=now, close_reason=reason):
        stock.release(order.id)
        campaign_stock.release(order.id)
        _give_back_discounts(order)
        _return_wallet_part(order, follow)
        _cancel_pending_payments(order.id, follow)
        return True
    if _move(order.id, (OrderStatus.CONFIRMED,), OrderStatus.CANCELLED, closed_at=now, close_reason=reason,
             fulfilment=Fulfilment.NOT_DELIVERED):
        _give_back_discounts(order)
        for line in sorted(order.lines, key=lambda ln: ln.sku_id):
            stock.unsell(line.sku_id, line.quantity, reference_id=order.id)
        db.session.execute(
            sa.update(Payment).where(Payment.order_id == order.id, Payment.status == PaymentStatus.PENDING)
            .values(status=PaymentStatus.CANCELLED).execution_options(**NO_SYNC))
        return True
    return False


def _give_back_discounts(order: Order) -> None:
    """An order that closes unpaid frees its coupon and returns the points it spent."""
    from app.coupons.services import release
    from app.loyalty.services import return_for_unpaid

    release(order.id)
    return_for_unpaid(order)


def _return_wallet_part(order: Order, follow: FollowUps) -> None:
    """An order paid partly from the wallet closed unpaid: the wallet part goes back (a refund,
    recorded now, sent to the wallet after the commit)."""
    from app.payments.refunds import complete_refund, refund_whole_payment

    for payment in db.session.scalars(sa.select(Payment).where(
            Payment.order_id == order.id, Payment.provider == "wallet", Payment.status == PaymentStatus.SUCCEEDED,
            Payment.refunded_cents < Payment.amount_cents)):
        refund = refund_whole_payment(order, payment, reason="order closed unpaid: wallet part returned")
        follow.add(complete_refund, refund.id)


def _cancel_pending_payments(order_id: int, follow: FollowUps) -> None:
    from app.payments.services import cancel_at_provider

    pending = db.session.scalars(sa.select(Payment.id).where(
        Payment.order_id == order_id, Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.FAILED)),
        Payment.provider_ref.is_not(None)))
    for payment_id in pending:
        follow.add(cancel_at_provider, payment_id)
