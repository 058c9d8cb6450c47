"""Pre-sales (预售): a deposit now, the balance in a window later, goods from the ship date.

Deposit inflation (定金膨胀): a deposit of 10 may count as 30 toward the price. The line's unit
price is therefore the campaign price less the inflation (what the shopper pays in all); the
deposit is paid at order time and the balance is the rest. A balance not paid by the end of its
window forfeits or refunds the deposit, as the campaign says; either way the units go back on sale.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from app.campaigns import refund_outbox
from app.campaigns import stock as campaign_stock
from app.campaigns.models import BalancePolicy, Campaign, CampaignItem, CampaignKind
from app.db import utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import Money, When, _
from app.notifications.messages import notify_order
from app.orders.models import Fulfilment, Order, OrderStatus
from app.payments.models import Payment, PaymentStatus

NO_SYNC = {"synchronize_session": False}


@dataclass(frozen=True)
class Balance:
    deposit_cents: int
    deposit_value_cents: int
    balance_cents: int
    opens_at: dt.datetime
    closes_at: dt.datetime


def unit_price(item: CampaignItem) -> int:
    return item.campaign_price_cents - (item.deposit_value_cents - item.deposit_cents)


def deposit_for(order: Order) -> int:
    items = {i.id: i for i in db.session.get(Campaign, order.campaign_id).items}
    return sum(items[ln.campaign_item_id].deposit_cents * ln.quantity for ln in order.lines)


def balance_of(order: Order) -> Balance | None:
    if order.campaign_id is None:
        return None
    campaign = db.session.get(Campaign, order.campaign_id)
    if campaign.kind is not CampaignKind.PRE_SALE:
        return None
    items = {i.id: i for i in campaign.items}
    deposit = sum(items[ln.campaign_item_id].deposit_cents * ln.quantity for ln in order.lines)
    value = sum(items[ln.campaign_item_id].deposit_value_cents * ln.quantity for ln in order.lines)
    return Balance(deposit, value, order.total_cents - deposit, campaign.balance_starts_at, campaign.balance_ends_at)


def open_balance_payment(order: Order, method: str = "card") -> Payment | None:
    """The shopper pays the balance, inside the balance window only (by the clock): online (the open
    payment of that method, reused) or from the wallet at once (then None: nothing to start)."""
    balance = balance_of(order)
    if balance is None or order.status is not OrderStatus.DEPOSIT_PAID:
        raise Conflict(_("This order has no balance to pay"), code="no_balance_due",
                       details={"status": order.effective_status})
    now = utcnow()
    if not balance.opens_at <= now < balance.closes_at:
        raise Conflict(_("The balance can only be paid in its window"), code="balance_window_closed",
                       details={"opens_at": balance.opens_at.isoformat(), "closes_at": balance.closes_at.isoformat()})
    from app.payments import services as payments

    payment = payments.open_payment_of(order.id, "balance")
    if payment is not None and (payment.status is PaymentStatus.FAILED or (payment.method or "card") != method):
        payments.retire(payment.id)
        payment = None
    if method == "wallet":
        from sqlalchemy.exc import IntegrityError

        from app.orders.checkout import pay_part_from_wallet

        try:
            pay_part_from_wallet(db.session.get(Order, order.id), balance.balance_cents, "balance")
            db.session.commit()
        except IntegrityError:  # paid from the wallet already (a double click): the first one stands
            db.session.rollback()
        return None
    if payment is None:
        payment = Payment(order_id=order.id, provider="stripe", purpose="balance", amount_cents=balance.balance_cents,
                          refunded_cents=0, status=PaymentStatus.PENDING, method=method)
        order.payments.append(payment)
        db.session.commit()
    return payment


def ship_date_of(order: Order) -> dt.date | None:
    campaign = db.session.get(Campaign, order.campaign_id) if order.campaign_id else None
    return campaign.ship_date if campaign is not None and campaign.kind is CampaignKind.PRE_SALE else None


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Remind depositors when the balance window opens and on its last day; once it has closed,
    apply the campaign's policy to orders whose balance was never paid. Safe to run twice."""
    from app.notifications.outbox import kick

    now = now or utcnow()
    counts = {"reminded": 0, "forfeited": 0, "refunded": 0}
    rows = db.session.execute(sa.select(Order.id, Campaign.id).join(Campaign, Campaign.id == Order.campaign_id).where(
        Campaign.kind == CampaignKind.PRE_SALE, Order.status == OrderStatus.DEPOSIT_PAID,
        Campaign.balance_starts_at <= now)).all()
    for order_id, campaign_id in rows:
        campaign = db.session.get(Campaign, campaign_id)
        if now >= campaign.balance_ends_at:
            counts["refunded" if campaign.balance_policy is BalancePolicy.REFUND else "forfeited"] += _lapse(
                order_id, campaign)
        else:
            counts["reminded"] += _remind(order_id, campaign, now)
    refund_outbox.process_pending()
    kick()
    return counts


def _remind(order_id: int, campaign: Campaign, now: dt.datetime) -> int:
    # balance_reminders: 0 none sent, 1 "window open" sent, 2 "last day" sent.
    due = 2 if now >= campaign.balance_ends_at - dt.timedelta(days=1) else 1
    if not db.session.execute(sa.update(Order).where(Order.id == order_id, Order.balance_reminders < due)
                              .values(balance_reminders=due).execution_options(**NO_SYNC)).rowcount:
        db.session.rollback()
        return 0
    order = db.session.get(Order, order_id)
    balance = balance_of(order)
    notify_order(order, "order.balance_due",
                 _("Pay your balance") if due == 1 else _("Last day to pay your balance"),
                 _("Order %(number)s: pay the balance of %(amount)s by %(when)s to get your goods.",
                   number=order.number, amount=Money(balance.balance_cents, order.currency),
                   when=When(campaign.balance_ends_at)))
    db.session.commit()
    return 1


def _lapse(order_id: int, campaign: Campaign) -> int:
    if not db.session.execute(sa.update(Order).where(Order.id == order_id, Order.status == OrderStatus.DEPOSIT_PAID)
                              .values(status=OrderStatus.CANCELLED, closed_at=utcnow(),
                                      fulfilment=Fulfilment.NOT_DELIVERED,
                                      close_reason=f"balance unpaid: deposit {campaign.balance_policy.value}")
                              .execution_options(**NO_SYNC)).rowcount:
        db.session.rollback()
        return 0
    order = db.session.get(Order, order_id)
    campaign_stock.unsell(order_id)
    if campaign.balance_policy is BalancePolicy.REFUND:
        refund_outbox.request_refunds([order_id], "pre-sale balance unpaid: deposit refunded")
        text = _("Order %(number)s: the balance was not paid in time; your deposit will be refunded.",
                 number=order.number)
    else:
        text = _("Order %(number)s: the balance was not paid in time; as the pre-sale said, the deposit is kept.",
                 number=order.number)
    notify_order(order, "order.balance_lapsed", _("Pre-sale closed"), text)
    db.session.commit()
    return 1
