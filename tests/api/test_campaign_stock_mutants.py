"""Campaign stock edges that mutation testing (scripts/mutate campaign-stock) found unguarded: which
holds each change touches (only this order's, this bucket's, this item's, only in the right status),
the exact second a hold lapses, stock spread over buckets that are partly sold and partly held, and a
payment that arrives after its flash hold was released (the units and the allowance taken again)."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
import time_machine

from app.campaigns import stock
from app.campaigns.models import CampaignHold, CampaignPurchase, HoldStatus, StockBucket
from app.extensions import db
from app.inventory.stock import InsufficientStock
from tests.factories import make_buyer, make_campaign, make_product
from tests.flows import order_row
from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook


@pytest.fixture(autouse=True)
def database_path(app, monkeypatch):
    """These change holds and buckets directly, which the Redis gate would not know of: the
    database path only (tests/api/test_flash_sales.py runs both)."""
    monkeypatch.setitem(app.config, "REDIS_URL", "")


def now() -> dt.datetime:
    """This second (the flash items are live from a minute ago)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def flash_item(stock_total: int | None = None, limit: int = 5, buckets: list[tuple[int, int, int]] | None = None
               ) -> int:
    """A live flash item; buckets: (total, sold, reserved) per bucket, replacing the default split."""
    sku = make_product(skus=[{"code": f"CS-{uuid.uuid4().hex[:6]}", "name": "x", "price_cents": 1000,
                              "stock_total": 100}]).skus[0]
    if stock_total is None:
        stock_total = sum(b[0] for b in buckets) if buckets else 4
    item_id = make_campaign(items=[(sku.id, 500, stock_total)], per_person_limit=limit, hold_minutes=5).items[0].id
    if buckets is not None:
        db.session.execute(sa.delete(StockBucket).where(StockBucket.item_id == item_id))
        for no, (total, sold, reserved) in enumerate(buckets):
            db.session.add(StockBucket(item_id=item_id, bucket_no=no, total=total, sold=sold, reserved=reserved))
    db.session.commit()
    return item_id


def reserve(client, buyer, item_id: int, quantity: int = 1) -> dict:
    r = client.post(f"/api/v1/store/flash-sales/{item_id}/reserve", json={"quantity": quantity},
                    headers={**buyer.headers, "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def holds(order_id: int) -> list[tuple[HoldStatus, int]]:
    db.session.expire_all()
    return [tuple(r) for r in db.session.execute(sa.select(CampaignHold.status, CampaignHold.quantity)
                                                  .where(CampaignHold.order_id == order_id).order_by(CampaignHold.id))]


def lapse(order_id: int, at: dt.datetime) -> int:
    """Make the order's holds lapse at `at`; returns their bucket."""
    db.session.execute(sa.update(CampaignHold).where(CampaignHold.order_id == order_id).values(expires_at=at))
    db.session.commit()
    return db.session.scalar(sa.select(CampaignHold.bucket_id).where(CampaignHold.order_id == order_id))


def bucket_counts(item_id: int) -> list[tuple[int, int, int]]:
    db.session.expire_all()
    query = sa.select(StockBucket.total, StockBucket.sold, StockBucket.reserved).where(StockBucket.item_id == item_id)
    return [tuple(r) for r in db.session.execute(query.order_by(StockBucket.bucket_no))]


def test_stock_spread_over_partly_sold_and_partly_held_buckets_is_taken_by_what_each_has_free(client):
    # No bucket has 2 free, so the second pass takes 1 from each: the free count is total - sold - reserved.
    item = flash_item(stock_total=5, buckets=[(3, 1, 1), (2, 0, 1)])
    order = reserve(client, make_buyer(), item, 2)["order_id"]
    assert bucket_counts(item) == [(3, 1, 2), (2, 0, 2)]
    assert holds(order) == [(HoldStatus.ACTIVE, 1), (HoldStatus.ACTIVE, 1)]


def test_two_holds_of_one_order_in_one_bucket_are_released_together(client):
    item = flash_item(buckets=[(10, 0, 0)])
    buyer = make_buyer()
    order = reserve(client, buyer, item, 2)["order_id"]
    stock.hold(order, item, buyer.id, 3, None)  # a second hold of the same order, in the same bucket
    db.session.commit()
    assert stock.release(order) == 5
    db.session.commit()
    assert bucket_counts(item) == [(10, 0, 0)]


def test_releasing_or_consuming_one_order_leaves_the_other_orders_and_other_statuses_alone(client):
    item = flash_item(buckets=[(10, 0, 0)])
    first, second, third = (reserve(client, make_buyer(), item, n)["order_id"] for n in (1, 2, 3))
    assert stock.consume(second) == {item: 2}
    db.session.commit()
    assert stock.release(second) == 0  # its hold is consumed: nothing active to release
    assert stock.consume(second) == {}
    assert stock.release(first) == 1
    db.session.commit()
    assert stock.consume(first) == {}  # released: not sold after all
    db.session.commit()
    assert holds(first) == [(HoldStatus.RELEASED, 1)] and holds(second) == [(HoldStatus.CONSUMED, 2)]
    assert holds(third) == [(HoldStatus.ACTIVE, 3)]
    assert bucket_counts(item) == [(10, 2, 3)]


def test_unselling_one_order_leaves_the_others_and_never_takes_sold_below_zero(client):
    item, other = flash_item(buckets=[(10, 0, 0)]), flash_item(buckets=[(10, 0, 0)])
    sold, also_sold, active = (reserve(client, make_buyer(), i, 2)["order_id"] for i in (item, other, item))
    for order in (sold, also_sold):
        stock.consume(order)
    db.session.commit()
    assert stock.unsell(active) == 0  # not sold: nothing to put back
    assert stock.unsell(sold) == 2
    db.session.commit()
    assert bucket_counts(item) == [(10, 0, 2)] and bucket_counts(other) == [(10, 2, 0)]
    assert holds(sold) == [(HoldStatus.RELEASED, 2)] and holds(also_sold) == [(HoldStatus.CONSUMED, 2)]
    # A bucket already put back by other means (sold 0) is not taken below zero by a late unsell.
    db.session.execute(sa.update(StockBucket).where(StockBucket.item_id == other).values(sold=1))
    db.session.commit()
    assert stock.unsell(also_sold) == 2
    db.session.commit()
    assert bucket_counts(other) == [(10, 1, 0)]


def test_only_this_buckets_active_holds_lapse_and_from_the_very_second(client):
    item = flash_item(buckets=[(10, 0, 0)])
    elsewhere = flash_item(buckets=[(10, 0, 0)])
    NOW = now()  # noqa: N806
    with time_machine.travel(NOW, tick=False):
        due = reserve(client, make_buyer(), item, 2)["order_id"]
        bucket = lapse(due, NOW)  # lapses this very second
        paid = reserve(client, make_buyer(), item, 1)["order_id"]
        stock.consume(paid)
        lapse(paid, NOW - dt.timedelta(minutes=1))  # consumed: its old expiry no longer matters
        other = reserve(client, make_buyer(), elsewhere, 3)["order_id"]
        lapse(other, NOW - dt.timedelta(minutes=1))  # lapsed, but in another item's bucket
        assert stock.counts(item) == (10, 0, 1) and stock.counts(elsewhere) == (10, 0, 0)
        assert stock.release_overdue(bucket) == 2
        db.session.commit()
    assert holds(due) == [(HoldStatus.EXPIRED, 2)] and holds(paid) == [(HoldStatus.CONSUMED, 1)]
    assert holds(other) == [(HoldStatus.ACTIVE, 3)]
    assert bucket_counts(item) == [(10, 1, 0)] and bucket_counts(elsewhere) == [(10, 0, 3)]


def test_a_hold_a_second_before_its_expiry_still_counts(client):
    item = flash_item(buckets=[(10, 0, 0)])
    NOW = now()  # noqa: N806
    with time_machine.travel(NOW, tick=False):
        order = reserve(client, make_buyer(), item, 2)["order_id"]
        lapse(order, NOW + dt.timedelta(seconds=1))
        assert stock.counts(item) == (10, 2, 0)


def test_counts_of_an_item_without_buckets_are_zero(app_ctx):
    assert stock.counts(10**9) == (0, 0, 0)


def pay_late(client, buyer, order_id: int, meanwhile=lambda: None) -> None:
    """Start the payment, let the hold lapse and be released (no sweep: the order stays pending),
    run `meanwhile`, then let the money arrive."""
    paying = client.post(f"/api/v1/store/orders/{order_id}/pay", headers=buyer.headers).get_json()
    bucket = lapse(order_id, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    assert stock.release_overdue(bucket) > 0
    db.session.commit()
    meanwhile()
    pay_intent(intent_of(paying))
    assert post_webhook(client, intent_event("payment_intent.succeeded", intent_of(paying))).status_code == 200


def test_money_after_the_hold_was_released_takes_the_units_and_the_allowance_again(client):
    item = flash_item(stock_total=5, limit=2, buckets=[(5, 0, 0)])
    buyer = make_buyer()
    order = reserve(client, buyer, item, 2)["order_id"]

    def released():
        assert stock.counts(item) == (5, 0, 0)

    pay_late(client, buyer, order, released)
    assert order_row(order).status.value == "paid"
    assert holds(order) == [(HoldStatus.EXPIRED, 2), (HoldStatus.CONSUMED, 2)]
    assert stock.counts(item) == (5, 0, 2)
    assert dict(db.session.execute(stock.counted_units(item)).all()) == {buyer.id: 2}


@pytest.mark.parametrize("gone", ["allowance", "stock"])
def test_money_after_the_hold_was_released_goes_back_if_the_allowance_or_the_stock_is_gone(client, gone):
    item = flash_item(stock_total=3, limit=2, buckets=[(3, 0, 0)])
    buyer = make_buyer()
    order = reserve(client, buyer, item, 2)["order_id"]
    if gone == "allowance":
        pay_late(client, buyer, order, lambda: reserve(client, buyer, item, 1))  # 1 + the 2 paid for > 2
    else:
        pay_late(client, buyer, order, lambda: reserve(client, make_buyer(), item, 2))  # 1 left: not enough
    assert order_row(order).status.value == "refunded"  # cancelled, and the money sent back
    assert holds(order) == [(HoldStatus.EXPIRED, 2)]
    assert stock.counts(item) == (3, 1 if gone == "allowance" else 2, 0)



def test_the_fast_path_takes_a_free_bucket_of_this_item_and_sweeps_nothing(client):
    # Bucket 0 gets a hold that lapses; bucket 1 then has 2 free. The fast path locks a bucket that
    # can serve the whole quantity — bucket 1 — so the lapsed hold is left for the sweep; only the
    # second pass (no bucket could serve it) releases lapsed holds on its way.
    item = flash_item(buckets=[(2, 0, 0), (2, 2, 0)])
    other = flash_item(buckets=[(10, 0, 0)])  # free stock of another item is never taken
    first = reserve(client, make_buyer(), item, 2)["order_id"]
    lapse(first, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    db.session.execute(sa.update(StockBucket).where(StockBucket.item_id == item, StockBucket.bucket_no == 1)
                       .values(sold=0))
    db.session.commit()
    second = reserve(client, make_buyer(), item, 2)["order_id"]
    assert holds(first) == [(HoldStatus.ACTIVE, 2)] and holds(second) == [(HoldStatus.ACTIVE, 2)]
    assert bucket_counts(item) == [(2, 0, 2), (2, 0, 2)] and bucket_counts(other) == [(10, 0, 0)]


def test_no_bucket_of_this_item_can_serve_it_whole_so_it_is_split_and_other_items_are_untouched(client):
    item, other = flash_item(buckets=[(1, 0, 0), (1, 0, 0)]), flash_item(buckets=[(10, 0, 0)])
    order = reserve(client, make_buyer(), item, 2)["order_id"]
    assert bucket_counts(item) == [(1, 0, 1), (1, 0, 1)] and bucket_counts(other) == [(10, 0, 0)]
    assert holds(order) == [(HoldStatus.ACTIVE, 1), (HoldStatus.ACTIVE, 1)]


def test_a_guarded_take_refuses_more_than_a_bucket_has_free(client):
    item = flash_item(buckets=[(2, 1, 1)])
    bucket = db.session.scalar(sa.select(StockBucket.id).where(StockBucket.item_id == item))
    assert stock._take_from(bucket, 1) is False  # the guard answers before the CHECK would
    db.session.commit()
    assert bucket_counts(item) == [(2, 1, 1)]


def test_the_allowance_counts_this_items_paid_and_live_holds_only(client):
    item, other = flash_item(limit=2), flash_item(limit=2)
    buyer = make_buyer()
    reserve(client, buyer, other, 2)  # another item's units never count here
    paid = reserve(client, buyer, item, 1)["order_id"]
    stock.consume(paid)
    db.session.commit()
    assert stock.take_allowance(item, buyer.id, 1, 2) == 2  # 1 paid for + 1
    with pytest.raises(stock.OverLimit):
        stock.take_allowance(item, buyer.id, 2, 2)


def test_a_hold_without_an_expiry_counts_and_a_lapsed_one_from_its_very_second_does_not(client):
    item = flash_item(limit=3, buckets=[(10, 0, 0)])
    buyer = make_buyer()
    NOW = now()  # noqa: N806
    with time_machine.travel(NOW, tick=False):
        open_ended = reserve(client, buyer, item, 1)["order_id"]
        lapse(open_ended, None)  # e.g. a hold taken again for a late payment
        lapsing = reserve(client, buyer, item, 2)["order_id"]
        lapse(lapsing, NOW)  # lapses this very second: no longer counts, no sweep needed
        assert stock.take_allowance(item, buyer.id, 2, 3) == 3
        with pytest.raises(stock.OverLimit):
            stock.take_allowance(item, buyer.id, 3, 3)


@pytest.mark.parametrize(("units", "totals"), [(3, [1, 1, 1]), (20, [3, 3, 3, 3, 2, 2, 2, 2]), (0, [0])])
def test_stock_is_split_over_at_most_eight_buckets_and_never_more_buckets_than_units(app_ctx, units, totals):
    item = flash_item(stock_total=units)
    assert bucket_counts(item) == [(total, 0, 0) for total in totals]
    assert db.session.scalars(sa.select(StockBucket.bucket_no).where(StockBucket.item_id == item)
                              .order_by(StockBucket.bucket_no)).all() == list(range(len(totals)))


def test_asking_more_than_the_limit_is_refused_before_anything_is_written(app_ctx):
    item, buyer = flash_item(limit=2), make_buyer()
    with pytest.raises(stock.OverLimit) as refused:
        stock.take_allowance(item, buyer.id, 3, 2)
    assert refused.value.details == {"limit": 2}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CampaignPurchase)) == 0
    assert stock.take_allowance(item, buyer.id, 50, None) == 50  # no limit: any quantity
    assert stock.take_allowance(item, buyer.id, 2, 2) == 2  # exactly the limit


def test_over_the_limit_with_what_is_held_names_the_limit(client):
    item, buyer = flash_item(limit=2), make_buyer()
    reserve(client, buyer, item, 1)
    with pytest.raises(stock.OverLimit) as refused:
        stock.take_allowance(item, buyer.id, 2, 2)
    assert refused.value.details == {"limit": 2}


def test_a_hold_records_the_order_shopper_units_bucket_and_expiry(client):
    item, buyer = flash_item(buckets=[(5, 0, 0)]), make_buyer()
    order = reserve(client, buyer, item, 1)["order_id"]
    at = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC)
    stock.hold(order, item, buyer.id, 2, at)
    db.session.commit()
    bucket = db.session.scalar(sa.select(StockBucket.id).where(StockBucket.item_id == item))
    row = db.session.execute(sa.select(CampaignHold).order_by(CampaignHold.id.desc()).limit(1)).scalar_one()
    assert (row.order_id, row.item_id, row.account_id, row.bucket_id, row.quantity, row.status) == (
        order, item, buyer.id, bucket, 2, HoldStatus.ACTIVE)
    assert row.expires_at == at


@pytest.mark.parametrize("taken", [0, 1])
def test_a_hold_that_cannot_be_filled_names_the_item_and_the_units_asked(app_ctx, taken):
    item = flash_item(buckets=[(1, taken, 0), (1, 0, 0)])
    with pytest.raises(InsufficientStock) as refused:
        stock.hold(1, item, 1, 3, None)
    assert refused.value.details == {"campaign_item_id": item, "requested": 3}
