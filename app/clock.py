"""The store's local time: cut-offs, member days and birthdays are local, storage is UTC."""
from __future__ import annotations

import datetime as dt
import zoneinfo

from flask import current_app

from app.db import utcnow


def store_tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(current_app.config["STORE_TIMEZONE"])


def local_now() -> dt.datetime:
    return utcnow().astimezone(store_tz())


def local_today() -> dt.date:
    return local_now().date()
