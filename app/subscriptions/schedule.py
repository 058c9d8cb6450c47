"""Cycle dates and renewal times.

Cycle k of a subscription is anchor + k × interval, always counted from the anchor (so a monthly
subscription anchored on the 31st delivers on the last day of shorter months and returns to the
31st after). A cycle is renewed — its order created and charged — RENEWAL_LEAD before the order
cut-off of its delivery date, so a declined card is known before the warehouse packs.
"""
from __future__ import annotations

import calendar
import datetime as dt

from flask import current_app

from app.groups.models import Group
from app.pickup.schedule import local_moment, rules_for
from app.subscriptions.models import IntervalUnit

MAX_CYCLES = 2000  # a daily subscription for five and a half years; a bound on every walk


def shift(anchor: dt.date, unit: IntervalUnit, count: int, k: int) -> dt.date:
    """The k-th cycle date from the anchor."""
    if unit is IntervalUnit.DAY:
        return anchor + dt.timedelta(days=count * k)
    if unit is IntervalUnit.WEEK:
        return anchor + dt.timedelta(weeks=count * k)
    months = anchor.month - 1 + count * k
    year, month = anchor.year + months // 12, months % 12 + 1
    return dt.date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def cycle_on_or_after(anchor: dt.date, unit: IntervalUnit, count: int, day: dt.date) -> dt.date:
    """The first cycle date on or after `day`."""
    if day <= anchor:
        return anchor
    if unit is not IntervalUnit.MONTH:  # fixed length: jump straight there
        step = count * (1 if unit is IntervalUnit.DAY else 7)
        k = -(-(day - anchor).days // step)
        return shift(anchor, unit, count, k)
    k = max(0, ((day.year - anchor.year) * 12 + day.month - anchor.month) // count - 1)
    while (date := shift(anchor, unit, count, k)) < day:
        k += 1
    return date


def cycles_between(anchor: dt.date, unit: IntervalUnit, count: int, start: dt.date, end: dt.date) -> list[dt.date]:
    """Cycle dates d with start <= d <= end."""
    out, day = [], cycle_on_or_after(anchor, unit, count, start)
    while day <= end and len(out) < MAX_CYCLES:
        out.append(day)
        day = cycle_on_or_after(anchor, unit, count, day + dt.timedelta(days=1))
    return out


def cutoff_of(group: Group | None, delivery: dt.date) -> dt.datetime:
    """The last moment (UTC) an order can be placed for pickup on `delivery` (with no group — the
    shopper left it — the store's cut-off: the renewal then fails and says so)."""
    rules = rules_for(group)
    return local_moment(delivery - dt.timedelta(days=rules.lead_days), rules.cutoff)


def renew_at(group: Group | None, delivery: dt.date) -> dt.datetime:
    lead = dt.timedelta(hours=current_app.config["SUBSCRIPTION_RENEWAL_LEAD_HOURS"])
    return cutoff_of(group, delivery) - lead


def first_renewable(group: Group | None, anchor: dt.date, unit: IntervalUnit, count: int, after: dt.date | None,
                    now: dt.datetime) -> dt.date:
    """The first cycle date (after `after`, if given) whose cut-off is still ahead: cycles whose
    cut-off passed while paused or unhandled are not delivered, and never charged."""
    day = cycle_on_or_after(anchor, unit, count, after + dt.timedelta(days=1) if after else anchor)
    for _ in range(MAX_CYCLES):
        if cutoff_of(group, day) > now:
            return day
        day = cycle_on_or_after(anchor, unit, count, day + dt.timedelta(days=1))
    return day
