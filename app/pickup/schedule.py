"""When an order will be at its pickup point: cut-off, delivery lead, and the point's open days.

All of it is wall-clock time in the store's timezone (zoneinfo handles daylight saving); stored
instants are UTC. An order placed strictly before the cut-off (e.g. until 22:59:59 for 23:00) goes
into the batch delivered lead_days later; from the cut-off on, into the one after. A delivery day
on which the point is closed (a closure date, or a weekday without opening hours) moves to the
point's next open day.

A local time is one instant even on the nights the clocks change: the first instant at which the
store's wall clock reads that time or later (local_moment). A cut-off the clock skips (02:30 on a
spring-forward night) falls at the jump itself; one the clock shows twice (01:30 on a fall-back
night) falls at its first showing. The quoted cut-off and the one applied to an order are the same
instant because both come from local_moment (docs/pickup.md).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.clock import store_tz
from app.errors import Conflict
from app.groups.models import Group
from app.i18n import _
from app.pickup_points.models import PickupPoint
from app.settings.services import get_settings

SEARCH_DAYS = 90


@dataclass(frozen=True)
class PickupSlot:
    date: dt.date
    window_start: dt.datetime   # UTC
    window_end: dt.datetime     # UTC
    order_cutoff: dt.datetime   # UTC: orders placed before this make this slot


@dataclass(frozen=True)
class Rules:
    cutoff: dt.time
    lead_days: int
    pickup_from: dt.time
    pickup_until: dt.time


def rules_for(group: Group | None) -> Rules:
    """The group's schedule, each part falling back to the store's (None: the store's alone)."""
    store = get_settings()
    if group is None:
        return Rules(store.cutoff_time, store.lead_days, store.pickup_from, store.pickup_until)
    return Rules(
        cutoff=group.cutoff_time or store.cutoff_time,
        lead_days=group.lead_days if group.lead_days is not None else store.lead_days,
        pickup_from=group.pickup_from or store.pickup_from,
        pickup_until=group.pickup_until or store.pickup_until,
    )


def is_open(point: PickupPoint, day: dt.date) -> bool:
    if any(c.date == day for c in point.closures):
        return False
    # A point with no opening hours at all is taken as open every day (hours not entered yet).
    return not point.hours or any(h.weekday == day.weekday() for h in point.hours)


def local_moment(day: dt.date, time: dt.time) -> dt.datetime:
    """That store-local day and time, in UTC: the first instant the wall clock reads it or later."""
    tz = store_tz()
    wall = dt.datetime.combine(day, time)
    first = wall.replace(tzinfo=tz, fold=0).astimezone(dt.UTC)  # fold=0: the first of a repeated time
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # The clock skips `wall`: fold=1 maps it with the offset after the jump (an instant before the
    # jump), fold=0 with the one before (an instant after it). Find the jump between them.
    lo = int(wall.replace(tzinfo=tz, fold=1).astimezone(dt.UTC).timestamp())  # reads earlier than `wall`
    hi = int(first.timestamp())                                                 # reads later
    while hi - lo > 1:  # zone transitions fall on whole seconds
        mid = (lo + hi) // 2
        if dt.datetime.fromtimestamp(mid, tz).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return dt.datetime.fromtimestamp(hi, dt.UTC)


def slot_for(rules: Rules, point: PickupPoint, at: dt.datetime) -> PickupSlot:
    """The pickup slot of an order placed at `at` (UTC)."""
    today = at.astimezone(store_tz()).date()
    # Compare instants, not wall times: a wall-time comparison disagrees with the quoted cut-off
    # when the cut-off falls in a skipped or repeated hour.
    order_day = today if at < local_moment(today, rules.cutoff) else today + dt.timedelta(days=1)
    first = order_day + dt.timedelta(days=rules.lead_days)
    for offset in range(SEARCH_DAYS):
        day = first + dt.timedelta(days=offset)
        if is_open(point, day):
            return PickupSlot(date=day, window_start=local_moment(day, rules.pickup_from),
                              window_end=local_moment(day, rules.pickup_until),
                              order_cutoff=local_moment(order_day, rules.cutoff))
    raise Conflict(_('The pickup point is closed for the next %(days)s days', days=SEARCH_DAYS),
                   code="pickup_point_unavailable",
                   details={"pickup_point_id": point.id})


def slot_of_group(group: Group, at: dt.datetime) -> PickupSlot:
    return slot_for(rules_for(group), group.pickup_point, at)


def window_of(group: Group, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    rules = rules_for(group)
    return local_moment(day, rules.pickup_from), local_moment(day, rules.pickup_until)
