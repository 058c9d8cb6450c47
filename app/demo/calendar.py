"""The rhythm of a neighbourhood's shopping: busier before the Spring Festival, on 618, Double 11 and
the Mid-Autumn weeks, quieter in the Golden Week and over the festival itself; more at weekends;
members come out on the 18th (member day). Produce follows the seasons."""
from __future__ import annotations

import datetime as dt

from app.demo.catalogue import ProductData

# Store-local month → how busy (1.0 = an ordinary month)
MONTHS = {1: 1.25, 2: 0.85, 3: 0.95, 4: 1.0, 5: 1.0, 6: 1.15, 7: 1.1, 8: 1.05, 9: 1.15, 10: 0.9, 11: 1.2, 12: 1.15}
# Monday … Sunday
WEEKDAYS = (0.85, 0.9, 0.95, 1.0, 1.15, 1.25, 1.1)
SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring", 6: "summer", 7: "summer",
           8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}
MEMBER_DAY = 18


def busyness(day: dt.date) -> float:
    rush = 1.3 if (day.month, day.day) in ((6, 18), (11, 11), (12, 12)) else 1.0
    return MONTHS[day.month] * WEEKDAYS[day.weekday()] * rush


def in_season(product: ProductData, day: dt.date) -> float:
    """How likely a seasonal product is in a basket today: tagged products sell in their season only
    (mooncakes in the weeks before the Mid-Autumn Festival, here September)."""
    if not product.tags:
        return 1.0
    if "midautumn" in product.tags:
        return 3.0 if day.month == 9 else 0.0
    return 2.5 if SEASONS[day.month] in product.tags else 0.08


def moment(day: dt.date, hour: int, minute: int, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
