"""The store's local time: cut-offs, member days and birthdays are local, storage is UTC."""
from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo
from collections.abc import Iterator

from flask import current_app

from app.db import frozen_now, set_frozen_now, utcnow


def store_tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(current_app.config["STORE_TIMEZONE"])


def local_now() -> dt.datetime:
    return utcnow().astimezone(store_tz())


def local_today() -> dt.date:
    return local_now().date()


def set_now(moment: dt.datetime) -> None:
    """Move the frozen clock (inside frozen_at only): every utcnow() answers `moment` until moved again."""
    if frozen_now() is None:
        raise RuntimeError("set_now outside clock.frozen_at()")
    if moment.tzinfo is None:
        raise ValueError("set_now needs an aware datetime")
    set_frozen_now(moment)


@contextlib.contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    """Run services as if it were `moment` (then wherever set_now moves it), in this process only.

    For `flask seed-demo`, which builds a year of history through the same services the API uses,
    never for a server: the frozen time is process-wide. The wall clock is back on exit, whatever
    happened inside."""
    if frozen_now() is not None:
        raise RuntimeError("the clock is already frozen")
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    set_frozen_now(moment)
    try:
        yield
    finally:
        set_frozen_now(None)
