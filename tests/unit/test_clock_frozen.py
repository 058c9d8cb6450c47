"""The demo's time machine: app.clock.frozen_at makes utcnow() answer a fixed moment, in this
process, until it exits, whatever happens inside."""
from __future__ import annotations

import datetime as dt

import pytest

from app import clock
from app.db import utcnow

MOMENT = dt.datetime(2025, 3, 31, 17, 0, tzinfo=dt.UTC)


def test_frozen_at_fixes_and_moves_the_clock_then_gives_the_wall_clock_back():
    with clock.frozen_at(MOMENT):
        assert utcnow() == MOMENT and clock.local_today() == dt.date(2025, 4, 1)  # Shanghai: already April
        clock.set_now(MOMENT + dt.timedelta(days=2))
        assert utcnow() == MOMENT + dt.timedelta(days=2)
    assert abs(utcnow() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)


def test_the_clock_comes_back_after_an_error_and_misuse_is_refused():
    with pytest.raises(LookupError), clock.frozen_at(MOMENT):
        raise LookupError("a service failed mid-history")
    assert abs(utcnow() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)
    with pytest.raises(RuntimeError):
        clock.set_now(MOMENT)  # only inside frozen_at
    with clock.frozen_at(MOMENT), pytest.raises(RuntimeError), clock.frozen_at(MOMENT):
        pass
    with pytest.raises(ValueError), clock.frozen_at(dt.datetime(2025, 1, 1)):
        pass
