"""What subscribers are told: a renewal ordered, a delivery skipped for stock, a charge declined
(with the next try), and the pause after the last retry (with how to resume)."""
from __future__ import annotations

from app.i18n import Day, _
from app.notifications.outbox import Recipient, emit
from app.subscriptions.models import CycleStatus, Subscription, SubscriptionCycle


def _payload(sub: Subscription, cycle: SubscriptionCycle, **extra) -> dict:
    return {"subscription_id": sub.id, "sku_id": sub.sku_id, "sku_name": sub.sku.name, "quantity": sub.quantity,
            "cycle_date": cycle.cycle_date.isoformat(), "order_id": cycle.order_id,
            "amount_cents": cycle.amount_cents, "next_date": sub.next_date.isoformat(), **extra}


def _tell(sub: Subscription, event: str, title: str, body: str, payload: dict) -> None:
    emit(event, payload, [Recipient(sub.account_id, "shopper", title, body)])


def cycle_closed(sub: Subscription, cycle: SubscriptionCycle) -> None:
    name = sub.sku.name
    if cycle.status is CycleStatus.PAID:
        _tell(sub, "subscription.renewed", _("Subscription renewed"),
              _("%(quantity)s × %(product)s is ordered for pickup on %(day)s.", quantity=sub.quantity, product=name,
                day=Day(cycle.cycle_date)),
              _payload(sub, cycle))
    elif cycle.status is CycleStatus.OUT_OF_STOCK:
        _tell(sub, "subscription.out_of_stock", _("Delivery skipped: out of stock"),
              _("%(product)s is out of stock, so the %(day)s delivery is skipped and you are not charged. Next "
                "delivery: %(next)s.", product=name, day=Day(cycle.cycle_date), next=Day(sub.next_date)),
              _payload(sub, cycle))


def charge_failed(sub: Subscription, cycle: SubscriptionCycle) -> None:
    if cycle.status is CycleStatus.RETRYING:
        _tell(sub, "subscription.charge_failed", _("Subscription payment failed"),
              _("We could not charge your subscription to %(product)s (%(error)s). We will try again on %(day)s; "
                "to fix it now, add a new card to the subscription.", product=sub.sku.name, error=cycle.last_error,
                day=Day(cycle.next_retry_at)),
              _payload(sub, cycle, attempt=cycle.attempts, next_retry_at=cycle.next_retry_at.isoformat(),
                       error=cycle.last_error))
    else:
        _tell(sub, "subscription.paused_for_payment", _("Subscription paused"),
              _("After %(attempts)s failed payments your subscription to %(product)s is paused. To resume, add a "
                "card (or top up your wallet) and resume it: POST /store/subscriptions/%(id)s/resume.",
                attempts=cycle.attempts, product=sub.sku.name, id=sub.id),
              _payload(sub, cycle, attempt=cycle.attempts, error=cycle.last_error))
