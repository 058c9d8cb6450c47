"""Stock edges that mutation testing (scripts/mutate inventory) found unguarded: what a refusal says
(code, units free, units asked; never a negative count), and which holds count as lapsed — only
this SKU's, only active ones, expired at the very second."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from app.catalog.models import Sku
from app.extensions import db
from app.inventory import stock
from app.inventory.models import ReservationStatus, StockReservation
from tests.factories import checkout, make_buyer, make_product, sku_counts

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def sku_with(code: str, total: int, sold: int = 0, reserved: int = 0) -> int:
    sku = make_product(skus=[{"code": code, "name": code, "price_cents": 100, "stock_total": total}]).skus[0]
    db.session.execute(sa.update(Sku).where(Sku.id == sku.id).values(stock_sold=sold, stock_reserved=reserved))
    db.session.commit()
    return sku.id


@pytest.mark.parametrize("take", ["reserve", "sell"])
def test_a_refusal_names_the_sku_the_units_free_and_the_units_asked(app_ctx, take):
    sku_id = sku_with("RICE", total=10, sold=3, reserved=2)
    with pytest.raises(stock.InsufficientStock) as refused:
        if take == "reserve":
            stock.reserve(1, sku_id, 6, NOW)
        else:
            stock.sell_or_raise(sku_id, 6)
    assert refused.value.details == {"sku_id": sku_id, "sku": "RICE", "available": 5, "requested": 6}


def test_a_refusal_never_shows_fewer_than_zero_or_more_than_zero_when_sold_out(app_ctx):
    sold_out = sku_with("EGGS", total=4, sold=4)
    with pytest.raises(stock.InsufficientStock) as refused:
        stock.sell_or_raise(sold_out, 1)
    assert refused.value.details["available"] == 0
    db.session.rollback()
    cut = sku_with("MILK", total=5, sold=3)  # the merchant then cut the total below what is sold
    db.session.execute(sa.update(Sku).where(Sku.id == cut).values(stock_total=3))
    with pytest.raises(stock.InsufficientStock) as refused:
        stock.sell_or_raise(cut, 1)
    assert refused.value.details["available"] == 0


def held_order(client, sku_id: int, quantity: int, expires_at: dt.datetime) -> int:
    """An unpaid card order holding `quantity`, its hold made to lapse at `expires_at`."""
    r = checkout(client, make_buyer(), [(sku_id, quantity)])
    assert r.status_code == 201, r.get_json()
    db.session.execute(sa.update(StockReservation).where(StockReservation.order_id == r.get_json()["id"])
                       .values(expires_at=expires_at))
    db.session.commit()
    return r.get_json()["id"]


def test_releasing_lapsed_holds_touches_only_that_skus_active_holds(client):
    first, second = sku_with("A1", total=10), sku_with("B1", total=10)
    with time_machine.travel(NOW, tick=False):
        held_order(client, first, 2, NOW)  # lapses this very second
        held_order(client, second, 3, NOW - dt.timedelta(minutes=1))
        paid = held_order(client, first, 1, NOW - dt.timedelta(minutes=1))
        db.session.execute(sa.update(StockReservation).where(StockReservation.order_id == paid)
                           .values(status=ReservationStatus.CONSUMED))  # its hold became a sale
        db.session.execute(sa.update(Sku).where(Sku.id == first).values(stock_reserved=Sku.stock_reserved - 1,
                                                                         stock_sold=1))
        db.session.commit()
        assert stock.release_overdue(first) == 2
        db.session.commit()
    assert sku_counts(first) == (10, 0, 1) and sku_counts(second) == (10, 3, 0)
    statuses = db.session.scalars(sa.select(StockReservation.status).order_by(StockReservation.id)).all()
    assert statuses == [ReservationStatus.EXPIRED, ReservationStatus.ACTIVE, ReservationStatus.CONSUMED]


def test_lapsed_holds_are_counted_per_listed_sku_from_the_second_they_expire(client):
    first, second, other = sku_with("A2", total=10), sku_with("B2", total=10), sku_with("C2", total=10)
    with time_machine.travel(NOW, tick=False):
        held_order(client, first, 2, NOW)  # expires this very second: lapsed
        held_order(client, first, 1, NOW + dt.timedelta(seconds=1))  # still held
        consumed = held_order(client, second, 4, NOW - dt.timedelta(minutes=1))
        db.session.execute(sa.update(StockReservation).where(StockReservation.order_id == consumed)
                           .values(status=ReservationStatus.CONSUMED))
        held_order(client, other, 5, NOW - dt.timedelta(minutes=1))  # lapsed, but not asked about
        db.session.commit()
        assert stock.overdue_held([first, second]) == {first: 2}
        assert stock.overdue_held([]) == {}


def test_paying_one_order_turns_only_its_own_active_holds_into_sales(client):
    sku_id = sku_with("D1", total=10)
    mine = held_order(client, sku_id, 2, NOW + dt.timedelta(days=3650))
    theirs = held_order(client, sku_id, 3, NOW + dt.timedelta(days=3650))
    assert stock.consume(mine) == {sku_id: 2}
    assert stock.consume(mine) == {}  # paid twice (a replayed webhook): nothing more is sold
    db.session.commit()
    assert sku_counts(sku_id) == (10, 3, 2)
    stock.release(theirs)
    assert stock.consume(theirs) == {}  # a released hold is not sold by a late payment
    db.session.commit()
    assert sku_counts(sku_id) == (10, 0, 2)


def test_two_holds_of_one_sku_in_one_order_are_consumed_together(client):
    sku_id = sku_with("E1", total=10)
    order_id = held_order(client, sku_id, 2, NOW + dt.timedelta(days=3650))
    stock.reserve(order_id, sku_id, 3, NOW + dt.timedelta(days=3650))
    assert stock.consume(order_id) == {sku_id: 5}
    db.session.commit()
    assert sku_counts(sku_id) == (10, 0, 5)


def test_returning_more_units_than_were_sold_changes_nothing(app_ctx):
    sku_id = sku_with("F1", total=10, sold=2)
    stock.unsell(sku_id, 3)
    db.session.commit()
    assert sku_counts(sku_id) == (10, 0, 2)
    stock.unsell(sku_id, 2)
    db.session.commit()
    assert sku_counts(sku_id) == (10, 0, 0)
