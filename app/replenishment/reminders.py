"""The replenishment sweep: reminders due today (store timezone) and subscription suggestions.

Once per cycle: a reminder row, unique per (shopper, product, latest purchase), is inserted as the
first write of its own transaction and its message emitted in the same one. A rerun skips rows it
finds; a concurrent sweep's insert waits on the unique index and then fails, so the message goes
out once. A newer purchase changes the key: the old cycle is covered and never reminded.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.clock import local_today
from app.extensions import db
from app.i18n import Day, _
from app.notifications.outbox import Recipient, emit
from app.replenishment import history
from app.replenishment.history import Pair
from app.replenishment.models import ReplenishmentReminder, SubscriptionSuggestion
from app.replenishment.predict import Prediction, predict
from app.subscriptions.models import SubscriptionPlan

log = logging.getLogger(__name__)

# "After the second repeat purchase": the third purchase day. Only after a recent one: switching
# the feature on must not message every customer who once had the habit.
SUGGEST_AFTER_PURCHASES = 3
SUGGEST_WITHIN_DAYS = 30
COUNTS = ("seen", "reminded", "already_reminded", "covered", "subscribed", "suggested", "already_suggested")


def days_before() -> int:
    from app.settings.services import get_settings

    return get_settings().replenishment_remind_days_before


def reorder_url(reminder_id: int) -> str:
    # The API operation itself: a client opening the link POSTs it with a payment method.
    return f"{current_app.config['PUBLIC_BASE_URL']}/api/v1/store/replenishment/reminders/{reminder_id}/reorder"


def sweep(*, batch_size: int = 200, progress: Callable[[dict[str, int]], None] | None = None) -> dict[str, int]:
    """Periodic: remind each shopper whose predicted run-out is near, once per cycle, unless they
    subscribe or an order is already coming; suggest a subscription after the second repeat purchase."""
    today, lead = local_today(), days_before()
    counts = dict.fromkeys(COUNTS, 0)
    after: Pair = (0, 0)
    while True:
        pairs = history.candidate_pairs(after, batch_size)
        _batch(pairs, today, lead, counts)
        if progress is not None and pairs:
            progress(dict(counts))
        if len(pairs) < batch_size:
            return counts
        after = pairs[-1]


def _batch(pairs: list[Pair], today: dt.date, lead: int, counts: dict[str, int]) -> None:
    if not pairs:
        return
    batch = set(pairs)
    # Fetched for the batch's shoppers × products: keep the batch's own pairs (the rest have theirs).
    found = {pair: purchases for pair, purchases in history.histories({a for a, _ in batch}, {p for _, p in batch})
             .items() if pair in batch}
    goods = history.products({p for _, p in found})
    names = {product_id: product.name for product_id, product in goods.items()}
    predictions = {pair: predict(purchases, goods[pair[1]].usage_days_per_unit, lead)
                   for pair, purchases in found.items()}
    stopped = history.subscribed(predictions)
    due = {pair for pair, p in predictions.items() if pair not in stopped and p.due(today)}
    coming = history.covered(due)
    sent = _reminded(due - coming, predictions)
    suggestions, suggested = _suggestions(set(predictions) - stopped, predictions, today)
    db.session.rollback()  # end the reads: each message is its own unit of work
    counts["seen"] += len(pairs)
    counts["subscribed"] += len(stopped)
    counts["covered"] += len(coming)
    counts["already_reminded"] += len(sent)
    counts["already_suggested"] += len(suggested)
    for pair in sorted(due - coming - sent):
        counts[_remind(pair, predictions[pair], names[pair[1]])] += 1
    for pair, plan in sorted(suggestions.items()):
        counts[_suggest(pair, predictions[pair], names[pair[1]], plan)] += 1


def _reminded(pairs: set[Pair], predictions: dict[Pair, Prediction]) -> set[Pair]:
    if not pairs:
        return set()
    rows = db.session.execute(sa.select(ReplenishmentReminder.account_id, ReplenishmentReminder.product_id,
                                        ReplenishmentReminder.basis_order_id)
                              .where(ReplenishmentReminder.basis_order_id.in_(
                                  {predictions[p].basis_order_id for p in pairs})))
    return {(a, p) for a, p, basis in rows if (a, p) in pairs and predictions[(a, p)].basis_order_id == basis}


def _suggestions(pairs: set[Pair], predictions: dict[Pair, Prediction],
                 today: dt.date) -> tuple[dict[Pair, SubscriptionPlan], set[Pair]]:
    """Pairs owed a suggestion (a third purchase or more, lately, a plan to offer), and those
    already suggested."""
    recent = today - dt.timedelta(days=SUGGEST_WITHIN_DAYS)
    ready = {pair for pair in pairs
             if predictions[pair].purchases >= SUGGEST_AFTER_PURCHASES and predictions[pair].last_purchase_on >= recent}
    if not ready:
        return {}, set()
    plans = history.active_plans({p for _, p in ready})
    done = ready & {tuple(row) for row in db.session.execute(
        sa.select(SubscriptionSuggestion.account_id, SubscriptionSuggestion.product_id)
        .where(SubscriptionSuggestion.account_id.in_({a for a, _ in ready})))}
    owed = {pair: _plan_for(predictions[pair], plans[pair[1]]) for pair in ready - done if plans.get(pair[1])}
    return owed, done


def _plan_for(prediction: Prediction, plans: list[SubscriptionPlan]) -> SubscriptionPlan:
    """The plan on the SKU they bought most of last time, else the product's first plan."""
    bought = dict(prediction.lines)
    return max(plans, key=lambda plan: (bought.get(plan.sku_id, 0), -plan.id))


def _insert_first(row) -> bool:
    """Insert as the transaction's first write; False if it exists (nothing else to undo)."""
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _remind(pair: Pair, p: Prediction, name: str) -> str:
    reminder = ReplenishmentReminder(
        account_id=pair[0], product_id=pair[1], basis_order_id=p.basis_order_id, basis=p.basis,
        last_purchase_on=p.last_purchase_on, cycle_days=p.cycle_days, run_out_on=p.run_out_on,
        remind_on=p.remind_on, lines=[{"sku_id": sku, "quantity": units} for sku, units in p.lines])
    if not _insert_first(reminder):
        return "already_reminded"
    emit("replenishment.reminder",
         {"account_id": pair[0], "reminder_id": reminder.id, "product_id": pair[1], "product_name": name,
          "run_out_on": p.run_out_on.isoformat(), "basis": p.basis.value, "lines": reminder.lines,
          "reorder_url": reorder_url(reminder.id)},
         [Recipient(pair[0], "shopper", _("Running low on %(product)s?", product=name),
                    _("By our estimate your %(product)s runs out around %(day)s. Reorder the same (%(units)s × "
                      "%(product)s) in one step from this message.", product=name, day=Day(p.run_out_on),
                      units=p.units))])
    db.session.commit()
    return "reminded"


def _suggest(pair: Pair, p: Prediction, name: str, plan: SubscriptionPlan) -> str:
    if not _insert_first(SubscriptionSuggestion(account_id=pair[0], product_id=pair[1], plan_id=plan.id,
                                                basis_order_id=p.basis_order_id)):
        return "already_suggested"
    if plan.discount_bps:
        body = _("You have bought %(product)s %(times)s times. Subscribe to have it delivered to your pickup point "
                 "on a schedule you choose and save %(percent)s%%.", product=name, times=p.purchases,
                 percent=f"{plan.discount_bps / 100:g}")
    else:
        body = _("You have bought %(product)s %(times)s times. Subscribe to have it delivered to your pickup point "
                 "on a schedule you choose.", product=name, times=p.purchases)
    emit("replenishment.subscription_suggested",
         {"account_id": pair[0], "product_id": pair[1], "product_name": name, "plan_id": plan.id,
          "sku_id": plan.sku_id, "discount_bps": plan.discount_bps, "intervals": plan.intervals,
          "purchases": p.purchases},
         [Recipient(pair[0], "shopper", _("Subscribe to %(product)s?", product=name), body)])
    db.session.commit()
    return "suggested"
