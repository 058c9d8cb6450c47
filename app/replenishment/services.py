"""The shopper's view: their predictions now (computed on the spot, so right whether or not the
sweep has run) and the reminders they were sent."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import sqlalchemy as sa

from app.errors import not_found
from app.extensions import db
from app.replenishment import history
from app.replenishment.models import ReplenishmentReminder
from app.replenishment.predict import predict
from app.replenishment.reminders import days_before


@dataclass(frozen=True)
class Outlook:
    """One repeat-use product the shopper buys: when it runs out, and what stops or started a reminder."""

    product_id: int
    product_name: str
    basis: str
    purchases: int
    last_purchase_on: dt.date
    units: int
    days_per_unit: Fraction
    cycle_days: int
    run_out_on: dt.date
    remind_on: dt.date
    subscribed: bool         # an active or paused subscription: no reminders
    order_coming: bool       # an order still to be paid or collected covers the next cycle
    reminder: ReplenishmentReminder | None  # the one sent for this cycle, if any


def outlook(account_id: int) -> list[Outlook]:
    """The shopper's repeat-use products, soonest run-out first."""
    found = history.histories([account_id])
    goods = history.products({p for _, p in found})
    lead = days_before()
    predictions = {pair: predict(purchases, goods[pair[1]].usage_days_per_unit, lead)
                   for pair, purchases in found.items()}
    stopped, coming = history.subscribed(predictions), history.covered(predictions)
    sent = {(r.product_id, r.basis_order_id): r for r in db.session.scalars(sa.select(ReplenishmentReminder).where(
        ReplenishmentReminder.account_id == account_id,
        ReplenishmentReminder.basis_order_id.in_({p.basis_order_id for p in predictions.values()})))}
    views = [Outlook(pair[1], goods[pair[1]].name, p.basis.value, p.purchases, p.last_purchase_on, p.units,
                     p.days_per_unit, p.cycle_days, p.run_out_on, p.remind_on, pair in stopped, pair in coming,
                     sent.get((pair[1], p.basis_order_id)))
             for pair, p in predictions.items()]
    return sorted(views, key=lambda v: (v.run_out_on, v.product_id))


def reminders_of(account_id: int) -> sa.Select:
    """The shopper's reminders, newest first."""
    return (sa.select(ReplenishmentReminder).where(ReplenishmentReminder.account_id == account_id)
            .order_by(ReplenishmentReminder.id.desc()))


def own_reminder(account_id: int, reminder_id: int) -> ReplenishmentReminder:
    """A shopper sees only their own reminders; someone else's is simply not found."""
    reminder = db.session.get(ReplenishmentReminder, reminder_id)
    if reminder is None or reminder.account_id != account_id:
        raise not_found("replenishment_reminder", id=reminder_id)
    return reminder

