"""The cut-off to the second, on ordinary days and on both daylight-saving nights, through the HTTP
API with a frozen clock and no job run: ordinary checkout and flash sales (database and Redis paths).

The quoted cut-off (GET /store/pickup-schedule) and the one applied to an order are the same instant;
a cut-off the clock skips falls at the jump, one the clock shows twice at its first showing
(docs/pickup.md).
"""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine

from app.extensions import db
from app.groups.services import update_group
from app.pickup.models import DeliveryBatch
from app.pickup.schedule import local_moment
from tests.conftest import TEST_REDIS_URL
from tests.factories import make_buyer, make_campaign, make_group, make_leader, make_product
from tests.flows import order_row
from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook

UTC = dt.UTC
SECOND = dt.timedelta(seconds=1)

# (zone, local order day, cut-off, the cut-off's instant in UTC)
CASES = {
    "shanghai": ("Asia/Shanghai", dt.date(2026, 5, 12), dt.time(23, 0), dt.datetime(2026, 5, 12, 15, 0, tzinfo=UTC)),
    "new-york-summer": ("America/New_York", dt.date(2026, 6, 10), dt.time(23, 0),
                        dt.datetime(2026, 6, 11, 3, 0, tzinfo=UTC)),
    # 8 March 2026: 02:00 EST jumps to 03:00 EDT (07:00Z); 02:30 never shows, the cut-off is the jump.
    "new-york-spring-gap": ("America/New_York", dt.date(2026, 3, 8), dt.time(2, 30),
                            dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
    # 1 November 2026: 01:30 shows at 05:30Z (EDT) and again at 06:30Z (EST); the first counts.
    "new-york-fall-repeat": ("America/New_York", dt.date(2026, 11, 1), dt.time(1, 30),
                             dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    # 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00Z).
    "berlin-spring-gap": ("Europe/Berlin", dt.date(2026, 3, 29), dt.time(2, 30),
                          dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
    # 25 October 2026: 02:30 shows at 00:30Z (CEST) and again at 01:30Z (CET).
    "berlin-fall-repeat": ("Europe/Berlin", dt.date(2026, 10, 25), dt.time(2, 30),
                           dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    # Shanghai on the New York DST night: nothing special happens there.
    "shanghai-on-us-dst-night": ("Asia/Shanghai", dt.date(2026, 3, 8), dt.time(2, 30),
                                 dt.datetime(2026, 3, 7, 18, 30, tzinfo=UTC)),
}


@pytest.fixture(params=sorted(CASES))
def case(request, app, monkeypatch):
    zone, day, cutoff, instant = CASES[request.param]
    monkeypatch.setitem(app.config, "STORE_TIMEZONE", zone)
    return day, cutoff, instant


@pytest.fixture(params=["db", "redis"])
def flash_path(request, app, monkeypatch):
    if request.param == "redis" and not TEST_REDIS_URL:
        pytest.skip("needs Redis: set TEST_REDIS_URL")
    if request.param == "db":
        monkeypatch.setitem(app.config, "REDIS_URL", "")
    return request.param


def group_with_cutoff(cutoff: dt.time):
    group = make_group(make_leader())
    update_group(group, {"pay_at_pickup_allowed": True, "cutoff_time": cutoff, "lead_days": 1}, as_staff=True)
    return group


def quoted_cutoff(client, buyer) -> dt.datetime:
    slot = client.get("/api/v1/store/pickup-schedule", headers=buyer.headers).get_json()
    return dt.datetime.fromisoformat(slot["order_cutoff"].replace("Z", "+00:00"))


def pickup_order(client, buyer, sku_id: int) -> dict:
    r = client.post("/api/v1/store/orders", json={"lines": [{"sku_id": sku_id, "quantity": 1}],
                                                  "payment_method": "pay_at_pickup"},
                    headers={**buyer.headers, "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def reserve(client, buyer, item_id: int) -> dict:
    r = client.post(f"/api/v1/store/flash-sales/{item_id}/reserve", json={"quantity": 1},
                    headers={**buyer.headers, "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def batch_day(order_id: int) -> dt.date:
    return db.session.get(DeliveryBatch, order_row(order_id).batch_id).delivery_date


def test_local_moment_is_the_first_instant_the_wall_clock_reads_the_time(case):
    day, cutoff, instant = case
    assert local_moment(day, cutoff) == instant


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_ordinary_checkout_takes_the_day_the_quote_promises(client, case, offset):
    day, cutoff, instant = case
    expected = day + dt.timedelta(days=1 if offset < 0 else 2)
    with time_machine.travel(instant + offset * SECOND, tick=False):
        group = group_with_cutoff(cutoff)
        sku = make_product().skus[0]
        buyer = make_buyer(group)
        if offset < 0:
            assert quoted_cutoff(client, buyer) == instant
        order = pickup_order(client, buyer, sku.id)
    assert dt.date.fromisoformat(order["pickup_date"]) == expected
    assert batch_day(order["id"]) == expected


def test_flash_reservations_two_seconds_apart_straddle_the_cutoff(client, case, flash_path):
    """Same group, so a cached pickup date would be shared: the second shopper still gets the later day,
    and keeps it once paid."""
    day, cutoff, instant = case
    with time_machine.travel(instant - 3 * SECOND, tick=False):
        group = group_with_cutoff(cutoff)
        sku = make_product(skus=[{"code": f"CUT-{uuid.uuid4().hex[:6]}", "name": "x", "price_cents": 1000,
                                  "stock_total": 50}]).skus[0]
        item = make_campaign(items=[(sku.id, 500, 10)], per_person_limit=2, minutes=60).items[0].id
        early_buyer, late_buyer = make_buyer(group), make_buyer(group)
        assert quoted_cutoff(client, early_buyer) == instant
    with time_machine.travel(instant - SECOND, tick=False):
        early = reserve(client, early_buyer, item)
    with time_machine.travel(instant + SECOND, tick=False):
        late = reserve(client, late_buyer, item)
        assert quoted_cutoff(client, late_buyer) == local_moment(day + dt.timedelta(days=1), cutoff)
        paying = client.post(f"/api/v1/store/orders/{late['order_id']}/pay", headers=late_buyer.headers).get_json()
        pay_intent(intent_of(paying))
        post_webhook(client, intent_event("payment_intent.succeeded", intent_of(paying)))
    assert dt.date.fromisoformat(early["pickup_date"]) == day + dt.timedelta(days=1)
    assert dt.date.fromisoformat(late["pickup_date"]) == day + dt.timedelta(days=2)
    assert order_row(late["order_id"]).status.value == "paid"
    assert batch_day(late["order_id"]) == day + dt.timedelta(days=2)


@pytest.mark.parametrize("name", ["new-york-fall-repeat", "berlin-fall-repeat"])
def test_in_the_repeated_hour_the_clock_reading_earlier_again_does_not_reopen_the_day(client, app, monkeypatch,
                                                                                       name):
    """45 minutes after the first showing of the cut-off, the clock (turned back) reads 15 minutes
    before it: the day is closed all the same, and the quote shows the next cut-off, not a past one."""
    zone, day, cutoff, instant = CASES[name]
    monkeypatch.setitem(app.config, "STORE_TIMEZONE", zone)
    with time_machine.travel(instant + dt.timedelta(minutes=45), tick=False):
        group = group_with_cutoff(cutoff)
        buyer = make_buyer(group)
        quoted = quoted_cutoff(client, buyer)
        order = pickup_order(client, buyer, make_product().skus[0].id)
    assert quoted == local_moment(day + dt.timedelta(days=1), cutoff) and quoted > instant
    assert dt.date.fromisoformat(order["pickup_date"]) == day + dt.timedelta(days=2)
