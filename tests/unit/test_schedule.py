"""Cut-off, lead days, closures and daylight saving, computed in the store's timezone."""
from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from app.extensions import db
from app.pickup.schedule import Rules, slot_for
from app.pickup_points.services import add_closures, update_point
from tests.factories import make_point

RULES = Rules(cutoff=dt.time(23, 0), lead_days=1, pickup_from=dt.time(16, 0), pickup_until=dt.time(20, 0))


@pytest.fixture
def tz(app, monkeypatch):
    def use(name: str) -> zoneinfo.ZoneInfo:
        monkeypatch.setitem(app.config, "STORE_TIMEZONE", name)
        return zoneinfo.ZoneInfo(name)
    return use


def at(tzinfo, *parts) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=tzinfo).astimezone(dt.UTC)


def test_cutoff_one_second_before_and_after_in_shanghai(tz):
    sh = tz("Asia/Shanghai")
    point = make_point()
    assert slot_for(RULES, point, at(sh, 2026, 5, 12, 22, 59, 59)).date == dt.date(2026, 5, 13)
    assert slot_for(RULES, point, at(sh, 2026, 5, 12, 23, 0, 0)).date == dt.date(2026, 5, 14)
    assert slot_for(RULES, point, at(sh, 2026, 5, 12, 23, 0, 1)).date == dt.date(2026, 5, 14)
    slot = slot_for(RULES, point, at(sh, 2026, 5, 12, 10, 0))
    assert slot.window_start == dt.datetime(2026, 5, 13, 8, 0, tzinfo=dt.UTC)   # 16:00 in UTC+8
    assert slot.order_cutoff == dt.datetime(2026, 5, 12, 15, 0, tzinfo=dt.UTC)  # 23:00 in UTC+8


def test_cutoff_and_window_across_the_spring_daylight_saving_change(tz):
    ny = tz("America/New_York")  # clocks go forward on 8 March 2026
    point = make_point()
    before = slot_for(RULES, point, dt.datetime(2026, 3, 8, 3, 59, 59, tzinfo=dt.UTC))  # 22:59:59 EST
    after = slot_for(RULES, point, dt.datetime(2026, 3, 8, 4, 0, 1, tzinfo=dt.UTC))     # 23:00:01 EST
    assert (before.date, after.date) == (dt.date(2026, 3, 8), dt.date(2026, 3, 9))
    assert before.window_start == dt.datetime(2026, 3, 8, 20, 0, tzinfo=dt.UTC)   # 16:00 EDT (UTC-4)
    assert before.order_cutoff == dt.datetime(2026, 3, 8, 4, 0, tzinfo=dt.UTC)    # 23:00 EST (UTC-5)
    # The day after the change, 22:59:59 EDT is 02:59:59 UTC.
    assert slot_for(RULES, point, dt.datetime(2026, 3, 9, 2, 59, 59, tzinfo=dt.UTC)).date == dt.date(2026, 3, 9)
    assert slot_for(RULES, point, dt.datetime(2026, 3, 9, 3, 0, 0, tzinfo=dt.UTC)).date == dt.date(2026, 3, 10)
    assert ny.key == "America/New_York"


def test_cutoff_on_the_autumn_change_day(tz):
    tz("America/New_York")  # clocks go back on 1 November 2026
    point = make_point()
    assert slot_for(RULES, point, dt.datetime(2026, 11, 2, 3, 59, 59, tzinfo=dt.UTC)).date == dt.date(2026, 11, 2)
    assert slot_for(RULES, point, dt.datetime(2026, 11, 2, 4, 0, 0, tzinfo=dt.UTC)).date == dt.date(2026, 11, 3)


def test_closures_spanning_a_weekend_push_delivery_to_the_next_open_day(tz):
    sh = tz("Asia/Shanghai")
    point = make_point()
    add_closures(point, dt.date(2026, 5, 15), dt.date(2026, 5, 17), "Long weekend")  # Fri–Sun
    slot = slot_for(RULES, point, at(sh, 2026, 5, 14, 9, 0))  # Thu morning: would be Fri
    assert slot.date == dt.date(2026, 5, 18)  # Monday
    assert slot.order_cutoff == at(sh, 2026, 5, 14, 23, 0)


def test_weekdays_without_opening_hours_are_closed(tz):
    sh = tz("Asia/Shanghai")
    point = make_point()
    weekdays = [{"weekday": d, "opens_at": dt.time(9), "closes_at": dt.time(21)} for d in range(5)]  # Mon–Fri
    update_point(point, {"hours": weekdays})
    db.session.refresh(point)
    assert slot_for(RULES, point, at(sh, 2026, 5, 15, 23, 30)).date == dt.date(2026, 5, 18)  # Fri late → Mon


def test_a_point_without_hours_is_open_every_day_and_lead_days_count(tz):
    sh = tz("Asia/Shanghai")
    point = make_point()
    two_days = Rules(cutoff=dt.time(20, 0), lead_days=2, pickup_from=dt.time(9), pickup_until=dt.time(12))
    assert slot_for(two_days, point, at(sh, 2026, 5, 16, 19, 59)).date == dt.date(2026, 5, 18)
    assert slot_for(two_days, point, at(sh, 2026, 5, 16, 20, 0)).date == dt.date(2026, 5, 19)


def test_a_point_closed_for_months_cannot_take_orders(tz):
    from app.errors import Conflict

    tz("Asia/Shanghai")
    point = make_point()
    add_closures(point, dt.date(2026, 5, 1), dt.date(2026, 9, 1), "renovation")
    with pytest.raises(Conflict):
        slot_for(RULES, point, dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
