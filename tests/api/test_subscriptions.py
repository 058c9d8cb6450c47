"""Subscriptions: plans, subscribing with a saved card (SetupIntent, then off-session charges on
localstripe) or the wallet, renewals by the sweep under time travel, skips that survive an interval
change, pauses, out-of-stock cycles, declined charges retried after 1, 3 and 5 days, dunning and
recovery, and the views."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from app.clock import store_tz
from app.db import utcnow
from app.extensions import db
from app.notifications.models import OutboxEvent
from app.orders.models import Order, OrderStatus
from app.subscriptions.models import SubscriptionCycle
from app.subscriptions.sweep import run as sweep
from app.wallet import ledger as wallet
from app.wallet.models import WalletKind
from tests.assertions import assert_error, database_unchanged
from tests.factories import approve_change, make_buyer, make_product, make_staff, sku_counts
from tests.stripe_helpers import CARD_DECLINED, CARD_OK, stripe_client

STORE, ADMIN = "/api/v1/store", "/api/v1/admin"
WEEKLY = {"interval_unit": "week", "interval_count": 1}


def local_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=store_tz()).astimezone(dt.UTC)


def renewal_time(delivery: dt.date) -> dt.datetime:
    """Inside the renewal window of a delivery: after cut-off (23:00 the day before) minus the
    24-hour lead, before the cut-off."""
    return local_noon(delivery - dt.timedelta(days=1))


@pytest.fixture
def shop(client):
    """A staff member, a subscribable 10.00 SKU (10% off, weekly or every 2 weeks) and a buyer."""
    staff = make_staff()
    sku = make_product(repeat_use=True, usage_days_per_unit=7).skus[0]
    r = client.post(f"{ADMIN}/subscription-plans", headers=staff.headers, json={
        "sku_id": sku.id, "discount_bps": 1000,
        "intervals": [{"unit": "week", "count": 1}, {"unit": "week", "count": 2}]})
    assert r.status_code == 201, r.get_json()
    return staff, sku, make_buyer()


def fund(buyer, cents: int) -> None:
    wallet.post(buyer.id, WalletKind.ADJUST, cents, 0, ref=f"test-fund-{buyer.id}-{cents}-{utcnow().timestamp()}")
    db.session.commit()


def saved_card(client, buyer, card: str = CARD_OK) -> str:
    """What Stripe.js does with the SetupIntent's client secret: attach a card and confirm it."""
    r = client.post(f"{STORE}/subscriptions/card-setup", headers=buyer.headers)
    assert r.status_code == 201, r.get_json()
    stripe = stripe_client()
    pm = stripe.v1.payment_methods.create(params={
        "type": "card", "card": {"number": card, "exp_month": 12, "exp_year": 2030, "cvc": "123"}})
    stripe.v1.setup_intents.confirm(r.get_json()["setup_intent_id"], params={"payment_method": pm.id})
    return r.get_json()["setup_intent_id"]


def subscribe(client, buyer, sku, start: dt.date, **extra):
    body = {"sku_id": sku.id, "quantity": 2, "start_date": start.isoformat(), "pay_with": "wallet", **WEEKLY} | extra
    return client.post(f"{STORE}/subscriptions", headers=buyer.headers, json=body)


def orders_of(buyer) -> list[Order]:
    db.session.commit()
    return list(db.session.scalars(sa.select(Order).where(Order.account_id == buyer.id).order_by(Order.id)))


def events(kind: str) -> list[dict]:
    db.session.commit()
    return [e.payload for e in db.session.scalars(sa.select(OutboxEvent).where(OutboxEvent.event_type == kind)
                                                  .order_by(OutboxEvent.id))]


def start_day() -> dt.date:
    return (utcnow().astimezone(store_tz()) + dt.timedelta(days=5)).date()


def test_wallet_subscription_renews_each_cycle_once_with_its_discount_into_the_right_batch(client, shop):
    _, sku, buyer = shop
    fund(buyer, 10_000)
    start = start_day()
    sub = subscribe(client, buyer, sku, start)
    assert sub.status_code == 201, sub.get_json()
    body = sub.get_json()
    assert (body["next_delivery_date"], body["next_charge_cents"], body["status"]) == (start.isoformat(), 1800,
                                                                                       "active")
    assert sweep()["renewed"] == 0  # days before its renewal time
    with time_machine.travel(renewal_time(start)):
        assert sweep()["renewed"] == 1
        assert sweep()["renewed"] == 0  # run again: nothing new
    [order] = orders_of(buyer)
    assert (order.status, order.pickup_date, order.total_cents) == (OrderStatus.PAID, start, 1800)
    assert order.batch_id is not None and order.lines[0].price_rule == "subscription"
    assert wallet.balance(buyer.id).total_cents == 8200
    assert events("subscription.renewed")[0]["cycle_date"] == start.isoformat()
    with time_machine.travel(renewal_time(start + dt.timedelta(days=7))):
        assert sweep()["renewed"] == 1
    assert [o.pickup_date for o in orders_of(buyer)] == [start, start + dt.timedelta(days=7)]
    mine = client.get(f"{STORE}/subscriptions", headers=buyer.headers).get_json()
    assert mine[0]["next_delivery_date"] == (start + dt.timedelta(days=14)).isoformat()
    assert [c["status"] for c in mine[0]["recent_cycles"]] == ["paid", "paid"]


def test_skips_are_kept_per_cycle_and_survive_an_interval_change(client, shop):
    _, sku, buyer = shop
    fund(buyer, 10_000)
    start = start_day()
    sub_id = subscribe(client, buyer, sku, start).get_json()["id"]
    url = f"{STORE}/subscriptions/{sub_id}"
    week3 = start + dt.timedelta(days=21)
    assert client.post(f"{url}/skip", headers=buyer.headers, json={}).get_json()["skips"] == [start.isoformat()]
    r = client.post(f"{url}/skip", headers=buyer.headers, json={"cycle_date": week3.isoformat()})
    assert r.get_json()["next_delivery_date"] == (start + dt.timedelta(days=7)).isoformat()
    with database_unchanged():
        assert_error(client.post(f"{url}/skip", headers=buyer.headers,
                                 json={"cycle_date": (start + dt.timedelta(days=1)).isoformat()}), 422,
                     "not_a_cycle_date")
    # Every 2 weeks from the next delivery (start, skipped): start, +14, +28 … week 3's skip moves to +28.
    changed = client.patch(url, headers=buyer.headers, json={"interval_unit": "week", "interval_count": 2})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["skips"] == [start.isoformat(), (start + dt.timedelta(days=28)).isoformat()]
    with time_machine.travel(renewal_time(start)):
        sweep()
    assert orders_of(buyer) == []  # the skipped first delivery: not ordered, not charged
    r = client.delete(f"{url}/skips/{(start + dt.timedelta(days=28)).isoformat()}", headers=buyer.headers)
    assert r.get_json()["skips"] == [start.isoformat()]
    with time_machine.travel(renewal_time(start + dt.timedelta(days=14))):
        sweep()
    assert [o.pickup_date for o in orders_of(buyer)] == [start + dt.timedelta(days=14)]


def test_paused_and_cancelled_subscriptions_are_never_charged(client, shop):
    _, sku, buyer = shop
    fund(buyer, 10_000)
    start = start_day()
    paused = subscribe(client, buyer, sku, start).get_json()["id"]
    cancelled = subscribe(client, buyer, sku, start).get_json()["id"]
    until = start + dt.timedelta(days=10)
    r = client.post(f"{STORE}/subscriptions/{paused}/pause", headers=buyer.headers, json={"until": until.isoformat()})
    assert r.get_json()["status"] == "paused"
    assert client.post(f"{STORE}/subscriptions/{cancelled}/cancel", headers=buyer.headers).get_json()["status"] == \
        "cancelled"
    with time_machine.travel(local_noon(start + dt.timedelta(days=6))):
        assert sweep()["renewed"] == 0
    assert orders_of(buyer) == []
    with time_machine.travel(local_noon(until)):  # the pause ends by itself: next delivery start + 14
        result = sweep()
        assert result["resumed"] == 1
    with time_machine.travel(renewal_time(start + dt.timedelta(days=14))):
        sweep()
    assert [o.pickup_date for o in orders_of(buyer)] == [start + dt.timedelta(days=14)]
    assert_error(client.post(f"{STORE}/subscriptions/{cancelled}/resume", headers=buyer.headers, json={}), 409,
                 "subscription_cancelled")


def test_out_of_stock_skips_the_cycle_without_charging_and_tells_the_shopper(client, shop):
    staff, sku, buyer = shop
    fund(buyer, 10_000)
    start = start_day()
    subscribe(client, buyer, sku, start, quantity=60)  # more than the 50 in stock
    with time_machine.travel(renewal_time(start)):
        sweep()
    assert orders_of(buyer) == [] and wallet.balance(buyer.id).total_cents == 10_000
    assert sku_counts(sku.id) == (50, 0, 0)
    [told] = events("subscription.out_of_stock")
    assert told["next_date"] == (start + dt.timedelta(days=7)).isoformat()


def test_card_subscription_is_charged_off_session(client, shop):
    _, sku, buyer = shop
    start = start_day()
    r = subscribe(client, buyer, sku, start, pay_with="card", setup_intent_id=saved_card(client, buyer))
    assert r.status_code == 201, r.get_json()
    with time_machine.travel(renewal_time(start)):
        assert sweep()["renewed"] == 1
    [order] = orders_of(buyer)
    assert order.status is OrderStatus.PAID and order.payments[-1].provider_ref.startswith("pi_")
    intent = stripe_client().v1.payment_intents.retrieve(order.payments[-1].provider_ref)
    assert (intent.status, intent.amount) == ("succeeded", 1800)


def test_declined_card_is_retried_after_1_3_5_days_then_paused_and_recovers_with_a_new_card(client, shop):
    _, sku, buyer = shop
    start = start_day()
    sub_id = subscribe(client, buyer, sku, start, pay_with="card",
                       setup_intent_id=saved_card(client, buyer, CARD_DECLINED)).get_json()["id"]
    first = renewal_time(start)
    with time_machine.travel(first, tick=False):
        sweep()
    for day in (1, 3, 5):
        with time_machine.travel(first + dt.timedelta(days=day) - dt.timedelta(hours=1), tick=False):
            assert sweep()["retried"] == 0  # not yet
        with time_machine.travel(first + dt.timedelta(days=day), tick=False):
            assert sweep()["retried"] == 1
    failed = events("subscription.charge_failed")
    assert [p["attempt"] for p in failed] == [1, 2, 3]
    assert [p["next_retry_at"][:10] for p in failed] == [(first + dt.timedelta(days=d)).date().isoformat()
                                                         for d in (1, 3, 5)]
    assert len(events("subscription.paused_for_payment")) == 1
    orders = orders_of(buyer)
    assert len(orders) == 4 and {o.status for o in orders} == {OrderStatus.CANCELLED}  # stock released each time
    assert sku_counts(sku.id) == (50, 0, 0)
    mine = client.get(f"{STORE}/subscriptions/{sub_id}", headers=buyer.headers).get_json()
    assert (mine["status"], mine["pause_reason"], mine["recent_cycles"][0]["status"]) == ("paused",
                                                                                          "payment_failed", "failed")
    with time_machine.travel(first + dt.timedelta(days=8), tick=False):
        assert sweep() == {"resumed": 0, "renewed": 0, "retried": 0, "seen": 0}  # dunning: never charged
    # Recovery: a new card and resume; the next delivery whose cut-off is ahead is renewed.
    with time_machine.travel(first + dt.timedelta(days=9), tick=False):
        r = client.post(f"{STORE}/subscriptions/{sub_id}/resume", headers=buyer.headers,
                        json={"setup_intent_id": saved_card(client, buyer)})
        assert r.status_code == 200, r.get_json()
        resumed = r.get_json()
        assert resumed["status"] == "active" and resumed["next_delivery_date"] == (start + dt.timedelta(days=14)
                                                                                    ).isoformat()
    with time_machine.travel(renewal_time(start + dt.timedelta(days=14)), tick=False):
        assert sweep()["renewed"] == 1
    assert orders_of(buyer)[-1].status is OrderStatus.PAID


def test_wallet_too_low_is_a_failed_charge_like_a_declined_card(client, shop):
    _, sku, buyer = shop
    fund(buyer, 500)
    start = start_day()
    subscribe(client, buyer, sku, start)
    with time_machine.travel(renewal_time(start)):
        sweep()
    [cycle] = db.session.scalars(sa.select(SubscriptionCycle)).all()
    assert (cycle.status.value, cycle.attempts) == ("retrying", 1) and "wallet" in cycle.last_error
    assert orders_of(buyer) == []  # nothing written for the refused attempt


def test_bad_input_is_refused_and_changes_nothing(client, shop):
    staff, sku, buyer = shop
    other = make_buyer()
    start = start_day()
    plain = make_product().skus[0]
    with database_unchanged():
        assert_error(subscribe(client, buyer, plain, start), 422, "not_subscribable")
        assert_error(subscribe(client, buyer, sku, start, interval_unit="day", interval_count=3), 422,
                     "interval_not_offered")
        assert_error(subscribe(client, buyer, sku, utcnow().date()), 422, "start_date_too_soon")
        assert_error(subscribe(client, buyer, sku, start, pay_with="card"), 422, "card_not_saved")
        assert_error(subscribe(client, buyer, sku, start, pay_with="card", setup_intent_id="seti_nope"), 422,
                     "unknown_setup_intent")
        assert_error(subscribe(client, buyer, sku, start, quantity=0), 422, "validation_error")
        assert_error(client.post(f"{ADMIN}/subscription-plans", headers=staff.headers,
                                 json={"sku_id": sku.id, "intervals": [{"unit": "week", "count": 1}]}), 409)
        assert_error(client.post(f"{ADMIN}/subscription-plans", headers=staff.headers,
                                 json={"sku_id": plain.id, "intervals": []}), 422, "validation_error")
    sub_id = subscribe(client, buyer, sku, start).get_json()["id"]
    assert_error(client.get(f"{STORE}/subscriptions/{sub_id}", headers=other.headers), 404)  # not theirs
    assert_error(client.post(f"{STORE}/subscriptions/{sub_id}/cancel", headers=other.headers), 404)


def test_merchant_sees_subscriptions_failures_and_upcoming_volume(client, shop):
    staff, sku, buyer = shop
    fund(buyer, 10_000)
    start = start_day()
    subscribe(client, buyer, sku, start)
    subscribe(client, make_buyer(), sku, start, quantity=3, interval_count=2)
    listed = client.get(f"{ADMIN}/subscriptions?status=active", headers=staff.headers).get_json()
    assert len(listed) == 2 and {s["next_delivery_date"] for s in listed} == {start.isoformat()}
    volume = client.get(f"{ADMIN}/subscriptions/upcoming?days=14", headers=staff.headers).get_json()
    by_day = {(v["delivery_date"], v["quantity"], v["subscriptions"]) for v in volume}
    assert by_day == {(start.isoformat(), 5, 2), ((start + dt.timedelta(days=7)).isoformat(), 2, 1)}
    assert_error(client.get(f"{ADMIN}/subscriptions/upcoming?days=365", headers=staff.headers), 422)
    assert_error(client.get(f"{ADMIN}/subscriptions", headers=buyer.headers), 403)


def test_renewal_orders_earn_commission_and_points_like_any_order(client, shop):
    from app.commissions.models import JournalLine

    staff, sku, buyer = shop
    approve_change(client, client.post(f"{ADMIN}/commission-rules", headers=staff.headers, json={
        "scope": "default", "leader_rate_bps": 1000, "valid_from": "2020-01-01T00:00:00Z"}))
    fund(buyer, 10_000)
    start = start_day()
    subscribe(client, buyer, sku, start)
    with time_machine.travel(renewal_time(start)):
        sweep()
    [order] = orders_of(buyer)
    assert order.lines[0].leader_rate_bps == 1000
    accrued = db.session.scalar(sa.select(sa.func.sum(JournalLine.amount_cents)).where(
        JournalLine.bucket == "pending", JournalLine.role == "leader"))
    assert accrued == 180  # 10% of the 18.00 renewal


@pytest.mark.postgres
def test_two_sweeps_at_once_make_exactly_one_order_per_cycle(app, client, shop):
    import threading

    _, sku, buyer = shop
    fund(buyer, 100_000)
    start = start_day()
    for _ in range(5):
        subscribe(client, buyer, sku, start, quantity=1)
    barrier, results = threading.Barrier(2), []

    def run_sweep():
        with app.app_context():
            barrier.wait()
            results.append(sweep()["renewed"])
            db.session.remove()

    with time_machine.travel(renewal_time(start)):
        threads = [threading.Thread(target=run_sweep) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sum(results) == 5
    orders = orders_of(buyer)
    assert len(orders) == 5 and {o.status for o in orders} == {OrderStatus.PAID}
    assert wallet.balance(buyer.id).total_cents == 100_000 - 5 * 900
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SubscriptionCycle)) == 5


@pytest.mark.redis
def test_a_real_rq_worker_with_its_scheduler_runs_a_scheduled_renewal(app, client, shop, monkeypatch):
    from app.jobs.queue import get_queue
    from app.jobs.schedule import subscriptions_renew_job
    from app.jobs.worker import make_worker

    _, sku, buyer = shop
    fund(buyer, 10_000)
    start = start_day()
    subscribe(client, buyer, sku, start)
    monkeypatch.setitem(app.config, "JOBS_RUN_INLINE", False)
    queue = get_queue()
    queue.empty()
    with time_machine.travel(renewal_time(start), tick=False):
        job = queue.enqueue_at(utcnow() - dt.timedelta(seconds=1), subscriptions_renew_job)
        assert queue.count == 0 and job.get_status() == "scheduled"  # waits for the scheduler
        make_worker(app).work(burst=True, with_scheduler=True)
    job.refresh()
    assert job.get_status() == "finished" and job.return_value()["renewed"] == 1
    [order] = orders_of(buyer)
    assert order.status is OrderStatus.PAID and order.pickup_date == start


def test_a_monthly_subscription_over_several_months_with_a_failure_dunning_and_recovery(client, shop):
    """Four months of a monthly wallet subscription: paid, then the wallet runs dry (retries, then
    dunning: the months while paused are neither delivered nor charged), topped up and resumed."""
    staff, sku, buyer = shop
    plan_id = client.get(f"{ADMIN}/subscription-plans", headers=staff.headers).get_json()[0]["id"]
    client.patch(f"{ADMIN}/subscription-plans/{plan_id}", headers=staff.headers,
                 json={"intervals": [{"unit": "month", "count": 1}]})
    fund(buyer, 1800)  # one delivery's worth
    from app.subscriptions.models import IntervalUnit
    from app.subscriptions.schedule import shift

    start = (start_day() + dt.timedelta(days=40)).replace(day=1)  # a 1st of the month, weeks ahead
    sub_id = subscribe(client, buyer, sku, start, interval_unit="month", interval_count=1).get_json()["id"]
    month = [shift(start, IntervalUnit.MONTH, 1, k) for k in range(5)]
    assert [m.day for m in month] == [1] * 5 and month[4] > start + dt.timedelta(days=110)
    with time_machine.travel(renewal_time(month[0]), tick=False):
        assert sweep()["renewed"] == 1
    second = renewal_time(month[1])
    with time_machine.travel(second, tick=False):
        sweep()  # the wallet is empty: a failed attempt
    for day in (1, 3, 5):
        with time_machine.travel(second + dt.timedelta(days=day), tick=False):
            sweep()
    with time_machine.travel(renewal_time(month[2]), tick=False):
        assert sweep()["renewed"] == 0  # paused by dunning: month 3 is not charged
    assert [c["status"] for c in client.get(f"{STORE}/subscriptions/{sub_id}", headers=buyer.headers)
            .get_json()["recent_cycles"]] == ["failed", "paid"]
    fund(buyer, 5000)
    with time_machine.travel(renewal_time(month[2]) + dt.timedelta(days=2), tick=False):
        # (the service, not the route: a shopper token from three months ago has expired)
        from app.subscriptions.services import resume_own

        assert resume_own(buyer.id, sub_id, None).next_date == month[3]
    with time_machine.travel(renewal_time(month[3]), tick=False):
        assert sweep()["renewed"] == 1
    paid = [o for o in orders_of(buyer) if o.status is OrderStatus.PAID]
    assert [o.pickup_date for o in paid] == [month[0], month[3]]
    assert wallet.balance(buyer.id).total_cents == 5000 - 1800


def test_a_subscriber_who_left_their_group_is_told_and_does_not_stop_other_renewals(client, shop):
    from app.groups.models import Binding

    _, sku, leaver = shop
    stayer = make_buyer()
    for buyer in (leaver, stayer):
        fund(buyer, 10_000)
        subscribe(client, buyer, sku, start_day())
    db.session.execute(sa.update(Binding).where(Binding.account_id == leaver.id).values(ended_at=utcnow()))
    db.session.commit()
    assert client.get(f"{STORE}/subscriptions", headers=leaver.headers).status_code == 200
    with time_machine.travel(renewal_time(start_day())):
        assert sweep()["renewed"] == 2
    assert [o.status for o in orders_of(stayer)] == [OrderStatus.PAID] and orders_of(leaver) == []
    [failed] = events("subscription.charge_failed")
    assert failed["subscription_id"] and "group" in failed["error"]
