"""Recompute stock counters from the movements ledger and list every difference.

SKU counters must equal the sum of the SKU's movements that touched regular stock; a campaign
item's buckets must equal the sum of the movements recorded against that item. Works over
ranges of ids so a store with millions of movements shows progress and never holds one huge
result set; each range is one GROUP BY over the (sku_id, id) index.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from app.campaigns.models import StockBucket
from app.catalog.models import Sku
from app.extensions import db
from app.inventory.models import StockMovement

CHUNK = 5000  # SKUs (or campaign items) per query


@dataclass(frozen=True)
class Difference:
    what: str            # "sku" or "campaign_item"
    id: int
    counter: str         # total, reserved or sold
    counter_value: int
    movements_value: int


def _sums(key, where, lo: int, hi: int):
    m = StockMovement
    return (sa.select(key.label("id"), sa.func.sum(m.total_change).label("total"),
                      sa.func.sum(m.reserved_change).label("reserved"), sa.func.sum(m.sold_change).label("sold"))
            .where(where, key >= lo, key < hi).group_by(key).subquery())


def _compare(what: str, counters, sums) -> list[Difference]:
    query = sa.select(sa.func.coalesce(counters.c.id, sums.c.id), counters.c.total, counters.c.reserved,
                      counters.c.sold, sa.func.coalesce(sums.c.total, 0), sa.func.coalesce(sums.c.reserved, 0),
                      sa.func.coalesce(sums.c.sold, 0)).select_from(
        counters.outerjoin(sums, sums.c.id == counters.c.id, full=True))
    found = []
    for row in db.session.execute(query):
        for i, counter in enumerate(("total", "reserved", "sold")):
            if (row[1 + i] or 0) != row[4 + i]:
                found.append(Difference(what, row[0], counter, int(row[1 + i] or 0), int(row[4 + i])))
    return found


def _skus(lo: int, hi: int) -> list[Difference]:
    counters = (sa.select(Sku.id, Sku.stock_total.label("total"), Sku.stock_reserved.label("reserved"),
                          Sku.stock_sold.label("sold")).where(Sku.id >= lo, Sku.id < hi).subquery())
    return _compare("sku", counters, _sums(StockMovement.sku_id, StockMovement.campaign_item_id.is_(None), lo, hi))


def _items(lo: int, hi: int) -> list[Difference]:
    b = StockBucket
    counters = (sa.select(b.item_id.label("id"), sa.func.sum(b.total).label("total"),
                          sa.func.sum(b.reserved).label("reserved"), sa.func.sum(b.sold).label("sold"))
                .where(b.item_id >= lo, b.item_id < hi).group_by(b.item_id).subquery())
    return _compare("campaign_item", counters, _sums(StockMovement.campaign_item_id,
                                                     StockMovement.campaign_item_id.isnot(None), lo, hi))


def run(progress: Callable[[str, int, int], None] | None = None) -> list[Difference]:
    """Every counter that differs from its movements (empty: the books add up)."""
    found: list[Difference] = []
    for what, check, top in (
            ("SKUs", _skus, sa.select(sa.func.max(Sku.id))
             .union_all(sa.select(sa.func.max(StockMovement.sku_id)))),
            ("campaign items", _items, sa.select(sa.func.max(StockBucket.item_id))
             .union_all(sa.select(sa.func.max(StockMovement.campaign_item_id))))):
        last = max((v or 0) for v in db.session.scalars(top))
        for lo in range(0, last + 1, CHUNK):
            found += check(lo, lo + CHUNK)
            if progress:
                progress(what, min(lo + CHUNK, last + 1), last + 1)
    return found
