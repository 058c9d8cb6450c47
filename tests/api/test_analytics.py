"""Merchant analytics: repurchase by month, 30/60/90-day repeat rates, cohorts, lifetime and
referral value, leader and campaign tables, each also as CSV — exact numbers on small datasets."""
from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest
import time_machine

from app.groups.services import add_link
from tests.assertions import assert_error
from tests.factories import (
    checkout,
    join,
    make_buyer,
    make_campaign,
    make_group,
    make_leader,
    make_product,
    make_shopper,
    make_staff,
)
from tests.flows import paid_order, pickup_order
from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook

ADMIN = "/api/v1/admin"
BASE = f"{ADMIN}/analytics"
NOW = dt.datetime(2031, 6, 15, 4, tzinfo=dt.UTC)  # 12:00 in the store's Asia/Shanghai


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def long_logins(app, monkeypatch):
    """Shoppers here buy over months; their tokens must outlive the default 30 days."""
    monkeypatch.setitem(app.config, "SHOPPER_TOKEN_TTL_HOURS", 24 * 365)


def sku_priced(price_cents: int, stock: int = 500):
    return make_product(skus=[{"code": f"AN-{uuid.uuid4().hex[:8]}", "name": "x", "price_cents": price_cents,
                               "stock_total": stock}]).skus[0]


def buy_at(client, when: dt.datetime, buyer, sku, quantity: int = 1) -> dict:
    with time_machine.travel(when):
        return paid_order(client, buyer, [(sku.id, quantity)])


def refund(client, order: dict, lines: list[dict] | None = None) -> None:
    staff = make_staff()
    body = {"reason": "analytics test"} | ({"lines": lines} if lines else {})
    r = client.post(f"{ADMIN}/orders/{order['id']}/refunds", json=body,
                    headers={**staff.headers, "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.get_json()


def get(client, path: str, staff=None):
    r = client.get(f"{BASE}/{path}", headers=(staff or make_staff()).headers)
    assert r.status_code == 200, r.get_json()
    return r


def csv_rows(response) -> list[list[str]]:
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def history(client):
    """Five shoppers over half a year (store time, UTC+8), seen from NOW:
    A buys 10 and 20 March, 5 May; B on 1 April local (31 March UTC), 20 May, 1 June; C on 6 May
    (40 days before NOW); D on 5 January and 10 May; E's only order (2 June) is refunded in full;
    F's orders are never paid (by card, or at pickup)."""
    with time_machine.travel(utc("2031-01-01T00:00")):  # their logins must be valid then
        group = make_group(make_leader())
        sku = sku_priced(1000)
        a, b, c, d, e, f = (make_buyer(group) for _ in range(6))
    for buyer, when in [(a, "2031-03-10T04:00"), (a, "2031-03-20T04:00"), (a, "2031-05-05T04:00"),
                        (b, "2031-03-31T17:00"), (b, "2031-05-20T04:00"), (b, "2031-06-01T04:00"),
                        (c, "2031-05-06T04:00"), (d, "2031-01-05T04:00"), (d, "2031-05-10T04:00")]:
        buy_at(client, utc(when), buyer, sku)
    with time_machine.travel(utc("2031-06-02T04:00")):
        refund(client, buy_at(client, utc("2031-06-02T04:00"), e, sku))
        assert checkout(client, f, [(sku.id, 1)]).status_code == 201
        assert pickup_order(client, f, [(sku.id, 1)], group)["status"] == "confirmed"  # to be paid at pickup
    return {"a": a, "b": b, "c": c, "d": d}


def test_repurchase_by_store_local_month_counts_buyers_who_bought_in_an_earlier_month(client, history):
    with time_machine.travel(NOW):
        staff = make_staff()
        rows = get(client, "repurchase?months=4", staff).get_json()
        six = get(client, "repurchase?months=6", staff).get_json()
        default = get(client, "repurchase", staff).get_json()
        exported = csv_rows(get(client, "repurchase.csv?months=4", staff))
    assert rows == [
        {"month": "2031-03", "buyers": 1, "returning": 0, "repurchase_rate": 0.0},
        {"month": "2031-04", "buyers": 1, "returning": 0, "repurchase_rate": 0.0},  # B: 31 March UTC is April here
        {"month": "2031-05", "buyers": 4, "returning": 3, "repurchase_rate": 0.75},
        {"month": "2031-06", "buyers": 1, "returning": 1, "repurchase_rate": 1.0},  # E refunded, F unpaid
    ]
    assert six[:2] == [{"month": "2031-01", "buyers": 1, "returning": 0, "repurchase_rate": 0.0},
                       {"month": "2031-02", "buyers": 0, "returning": 0, "repurchase_rate": None}]
    assert six[2:] == rows
    assert len(default) == 12 and default[0]["month"] == "2030-07" and default[-1]["month"] == "2031-06"
    assert exported == [["month", "buyers", "returning", "repurchase_rate"], ["2031-03", "1", "0", "0.0"],
                        ["2031-04", "1", "0", "0.0"], ["2031-05", "4", "3", "0.75"], ["2031-06", "1", "1", "1.0"]]


def test_repeat_rates_count_only_customers_who_had_the_whole_window(client, history):
    with time_machine.travel(NOW):
        staff = make_staff()
        rows = get(client, "repeat-rates", staff).get_json()
        exported = csv_rows(get(client, "repeat-rates.csv", staff))
    # First purchases: A 10 Mar (again 10 days on), B 31 Mar (again 50 days on), C 6 May (40 days
    # before NOW: in the 30-day window only, never again), D 5 Jan (again 125 days on).
    assert rows == [
        {"days": 30, "customers": 4, "repeated": 1, "repeat_rate": 0.25},
        {"days": 60, "customers": 3, "repeated": 2, "repeat_rate": 0.6667},
        {"days": 90, "customers": 2, "repeated": 1, "repeat_rate": 0.5},
    ]
    assert exported == [["days", "customers", "repeated", "repeat_rate"], ["30", "4", "1", "0.25"],
                        ["60", "3", "2", "0.6667"], ["90", "2", "1", "0.5"]]


def test_cohorts_by_first_purchase_month_up_to_the_current_month(client, history):
    with time_machine.travel(NOW):
        staff = make_staff()
        rows = get(client, "cohorts?months=4", staff).get_json()
        six = get(client, "cohorts?months=6", staff).get_json()
        exported = csv_rows(get(client, "cohorts.csv?months=4", staff))
    assert rows == [
        {"cohort": "2031-03", "customers": 1, "active": [1, 0, 1, 0], "retention": [1.0, 0.0, 1.0, 0.0]},
        {"cohort": "2031-04", "customers": 1, "active": [1, 1, 1], "retention": [1.0, 1.0, 1.0]},
        {"cohort": "2031-05", "customers": 1, "active": [1, 0], "retention": [1.0, 0.0]},
    ]
    assert six[0] == {"cohort": "2031-01", "customers": 1, "active": [1, 0, 0, 0, 1, 0],
                      "retention": [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]} and six[1:] == rows
    assert exported == [["cohort", "customers", "month_0", "month_1", "month_2", "month_3"],
                        ["2031-03", "1", "1", "0", "1", "0"], ["2031-04", "1", "1", "1", "1", ""],
                        ["2031-05", "1", "1", "0", "", ""]]


def referred_by(referrer, group):
    shopper = make_shopper()
    join(shopper, group, add_link(group.id, referrer.account.id).code)
    return shopper


BUCKET_EDGES = [0, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, None]


def buckets(*counts: int) -> list[dict]:
    return [{"from_cents": BUCKET_EDGES[i], "to_cents": BUCKET_EDGES[i + 1], "customers": n}
            for i, n in enumerate(counts)]


def test_lifetime_and_referral_value_are_net_of_refunds(client):
    group = make_group(make_leader())
    alice, bob = make_buyer(group, name="Alice"), make_buyer(group, name="Bob")
    p, q = referred_by(alice, group), referred_by(alice, group)
    r, u = referred_by(bob, group), referred_by(bob, group)
    s, t, v = make_buyer(group), make_buyer(group), make_buyer(group)
    small, big, huge = sku_priced(1000), sku_priced(10_000), sku_priced(100_000)
    paid_order(client, p, [(small.id, 3)])                       # 3,000
    paid_order(client, q, [(small.id, 4)])
    paid_order(client, q, [(small.id, 2)])                       # 6,000
    paid_order(client, r, [(small.id, 12)])                      # 12,000
    paid_order(client, s, [(big.id, 6)])                         # 60,000
    partly = paid_order(client, t, [(small.id, 3)])
    refund(client, partly, [{"line_id": partly["lines"][0]["id"], "quantity": 1}])  # 3,000 − 1,000
    refund(client, paid_order(client, u, [(big.id, 1)]))        # all refunded: not a customer
    paid_order(client, v, [(huge.id, 6)])                        # 600,000
    staff = make_staff()
    ltv = get(client, "lifetime-value", staff).get_json()
    # Sorted: 2,000 3,000 6,000 12,000 60,000 600,000.
    assert ltv == {"customers": 6, "average_cents": 113_833, "median_cents": 9_000, "p90_cents": 600_000,
                   "buckets": buckets(2, 1, 1, 0, 1, 0, 0, 1)}
    referral = get(client, "referral-value", staff).get_json()
    assert referral == {
        "customers": 3, "referrers": 2, "average_cents": 10_500, "median_cents": 10_500, "p90_cents": 12_000,
        "buckets": buckets(0, 1, 1, 0, 0, 0, 0, 0),
        "top": [{"account_id": bob.id, "name": "Bob", "referred_customers": 1, "value_cents": 12_000},
                {"account_id": alice.id, "name": "Alice", "referred_customers": 2, "value_cents": 9_000}]}
    assert csv_rows(get(client, "lifetime-value.csv", staff)) == [
        ["from_cents", "to_cents", "customers"], ["0", "5000", "2"], ["5000", "10000", "1"], ["10000", "20000", "1"],
        ["20000", "50000", "0"], ["50000", "100000", "1"], ["100000", "200000", "0"], ["200000", "500000", "0"],
        ["500000", "", "1"]]
    assert csv_rows(get(client, "referral-value.csv", staff))[:3] == [
        ["from_cents", "to_cents", "referrers"], ["0", "5000", "0"], ["5000", "10000", "1"]]
    assert csv_rows(get(client, "referrers.csv", staff)) == [
        ["account_id", "name", "referred_customers", "value_cents"], [str(bob.id), "Bob", "1", "12000"],
        [str(alice.id), "Alice", "2", "9000"]]


def test_an_empty_store_answers_zeros_and_nulls(client):
    with time_machine.travel(NOW):
        staff = make_staff()
        assert get(client, "repurchase?months=2", staff).get_json() == [
            {"month": "2031-05", "buyers": 0, "returning": 0, "repurchase_rate": None},
            {"month": "2031-06", "buyers": 0, "returning": 0, "repurchase_rate": None}]
        assert [r["customers"] for r in get(client, "repeat-rates", staff).get_json()] == [0, 0, 0]
        assert get(client, "cohorts", staff).get_json() == []
        assert csv_rows(get(client, "cohorts.csv", staff)) == [["cohort", "customers", "month_0"]]
        ltv = get(client, "lifetime-value", staff).get_json()
        assert ltv == {"customers": 0, "average_cents": None, "median_cents": None, "p90_cents": None,
                       "buckets": buckets(0, 0, 0, 0, 0, 0, 0, 0)}
        referral = get(client, "referral-value", staff).get_json()
        assert (referral["referrers"], referral["customers"], referral["top"]) == (0, 0, [])
        assert get(client, "campaigns", staff).get_json() == []
        assert get(client, "leaders", staff).get_json() == []


def test_one_customer_median_and_p90_are_their_value(client):
    paid_order(client, make_buyer(), [(sku_priced(2_500).id, 1)])
    ltv = get(client, "lifetime-value").get_json()
    assert (ltv["customers"], ltv["average_cents"], ltv["median_cents"], ltv["p90_cents"]) == (1, 2500, 2500, 2500)


def test_leaders_table_is_leader_performance_and_exports_csv(client):
    ann = make_leader(name="Ann")
    sku = sku_priced(1000)
    buyer = make_buyer(make_group(ann))
    paid_order(client, buyer, [(sku.id, 2)])
    paid_order(client, buyer, [(sku.id, 1)])
    staff = make_staff()
    rows = get(client, "leaders", staff).get_json()
    assert rows == client.get(f"{ADMIN}/leaders/performance", headers=staff.headers).get_json()
    assert [(r["leader_name"], r["orders"], r["sales_cents"], r["unique_buyers"], r["repurchase_rate"])
            for r in rows] == [("Ann", 2, 3000, 1, 1.0)]
    exported = csv_rows(get(client, "leaders.csv", staff))
    assert exported[0] == ["leader_id", "leader_name", "orders", "sales_cents", "unique_buyers", "repurchase_rate",
                           "commission_cents", "pickup_rate", "uncollected_rate"]
    assert exported[1][:6] == [str(ann.leader.id), "Ann", "2", "3000", "1", "1.0"]
    assert exported[1][7:] == ["", ""]  # nothing arrived at the point yet: no pickup rates
    assert get(client, "leaders?month=2020-01", staff).get_json() == []
    assert csv_rows(get(client, "leaders.csv?month=2020-01", staff)) == [exported[0]]


def test_campaign_table_matches_each_campaigns_stats_in_one_query(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    staff = make_staff()
    group = make_group(make_leader(staff))
    sku = sku_priced(1000)
    ended = make_campaign(items=[(sku_priced(1000).id, 500, 20)], starts_in_minutes=-180, minutes=60, staff=staff)
    live = make_campaign(items=[(sku.id, 400, 10)], per_person_limit=3, staff=staff, name="Eggs")
    scheduled = make_campaign(starts_in_minutes=120, staff=staff)
    make_campaign(approve=False, staff=staff)  # a draft is not listed
    item = live.items[0].id

    def reserve_and_pay(buyer, quantity):
        body = client.post(f"/api/v1/store/flash-sales/{item}/reserve", json={"quantity": quantity},
                           headers={**buyer.headers, "Idempotency-Key": str(uuid.uuid4())}).get_json()
        paying = client.post(f"/api/v1/store/orders/{body['order_id']}/pay", headers=buyer.headers).get_json()
        pay_intent(intent_of(paying))
        post_webhook(client, intent_event("payment_intent.succeeded", intent_of(paying)))
        return body

    a, b, c = make_buyer(group), make_buyer(group), make_buyer(group)
    reserve_and_pay(a, 2)
    reserve_and_pay(b, 3)
    client.post(f"/api/v1/store/flash-sales/{item}/reserve", json={"quantity": 1},
                headers={**c.headers, "Idempotency-Key": str(uuid.uuid4())})  # held, unpaid: not sold
    rows = get(client, "campaigns", staff).get_json()
    assert [r["campaign_id"] for r in rows] == [scheduled.id, live.id, ended.id]  # latest start first
    assert rows[1] == {"campaign_id": live.id, "name": "Eggs", "kind": "flash_sale", "status": "live",
                       "stock_total": 10, "sold": 5, "sell_through_pct": 50.0, "revenue_cents": 2000,
                       "unique_buyers": 2, "sold_units": 5, "refunded_units": 0, "net_units": 5,
                       "gross_revenue_cents": 2000, "refunded_cents": 0}
    stats = client.get(f"{ADMIN}/campaigns/{live.id}/stats", headers=staff.headers).get_json()
    assert (stats["revenue_cents"], stats["unique_buyers"], stats["items"][0]["sold"]) == (2000, 2, 5)
    assert [(r["status"], r["stock_total"], r["sold"], r["sell_through_pct"], r["revenue_cents"])
            for r in (rows[0], rows[2])] == [("scheduled", 100, 0, 0.0, 0), ("ended", 20, 0, 0.0, 0)]
    exported = csv_rows(get(client, "campaigns.csv", staff))
    assert exported[0] == ["campaign_id", "name", "kind", "status", "stock_total", "sold", "sell_through_pct",
                           "revenue_cents", "unique_buyers", "sold_units", "refunded_units", "net_units",
                           "gross_revenue_cents", "refunded_cents"]
    assert exported[2] == [str(live.id), "Eggs", "flash_sale", "live", "10", "5", "50.0", "2000", "2",
                           "5", "0", "5", "2000", "0"]


PATHS = ["repurchase", "repurchase.csv", "repeat-rates", "repeat-rates.csv", "cohorts", "cohorts.csv",
         "lifetime-value", "lifetime-value.csv", "referral-value", "referral-value.csv", "referrers.csv",
         "leaders", "leaders.csv", "campaigns", "campaigns.csv"]


@pytest.mark.parametrize("path", PATHS)
def test_analytics_are_for_staff_only(client, path):
    assert_error(client.get(f"{BASE}/{path}"), 401)
    assert_error(client.get(f"{BASE}/{path}", headers=make_shopper().headers), 403)
    assert_error(client.get(f"{BASE}/{path}", headers=make_leader().headers), 403)


@pytest.mark.parametrize("path", ["repurchase?months=0", "repurchase?months=37", "repurchase.csv?months=x",
                                  "cohorts?months=-1", "cohorts.csv?months=37", "leaders?month=2031-13",
                                  "leaders.csv?month=june", "leaders?month=2031-6"])
def test_bad_parameters_are_422(client, path):
    error = assert_error(client.get(f"{BASE}/{path}", headers=make_staff().headers), 422)
    assert "month" in str(error["details"])
