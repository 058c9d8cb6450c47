"""What a route run carries, built from that day's delivery batches at the run's stops (the same
orders and units as the batches' pick lists: refunded-before-dispatch units are not packed, after-sale
replacements ride along under their original order). One query for the orders' lines and one for
replacements, so a night of 10,000 orders stays a fraction of a second (bench/route_sheets.py)."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.accounts.models import Account
from app.aftersales.models import AfterSaleRequest
from app.delivery.models import RouteRun
from app.extensions import db
from app.orders.models import Order, OrderLine
from app.pickup.batches import IN_BATCH
from app.pickup.models import DeliveryBatch
from app.pickup.schedule import is_open


@dataclass
class Bag:
    """One bag per order (and one per after-sale replacement), labelled for the stop."""

    order_number: str
    pickup_code: str
    shopper_name: str | None
    replacement_for: int | None = None
    lines: list[dict] = field(default_factory=list)

    @property
    def qr_text(self) -> str:  # the same text as the shopper's pickup QR (docs/pickup.md)
        return f"PICKUP/{self.order_number}/{self.pickup_code}"

    @property
    def units(self) -> int:
        return sum(ln["quantity"] for ln in self.lines)


@dataclass
class Stop:
    id: int
    position: int
    pickup_point: object
    closed: bool
    batch_id: int | None = None
    batch_status: str | None = None
    delivered_at: object = None
    bags: list[Bag] = field(default_factory=list)

    @property
    def skus(self) -> list[dict]:
        per_sku: dict[str, dict] = {}
        for bag in self.bags:
            for ln in bag.lines:
                row = per_sku.setdefault(ln["sku_code"], {k: ln[k] for k in ("sku_code", "product_name", "sku_name")}
                                         | {"quantity": 0})
                row["quantity"] += ln["quantity"]
        return sorted(per_sku.values(), key=lambda r: r["sku_code"])

    @property
    def units(self) -> int:
        return sum(bag.units for bag in self.bags)


def load(run: RouteRun) -> list[Stop]:
    """The run's stops in driving order, each with its bags (orders by number) and lines."""
    stops = {s.pickup_point_id: Stop(s.id, s.position, s.pickup_point, not is_open(s.pickup_point, run.delivery_date),
                                     delivered_at=s.delivered_at) for s in run.stops}
    batches = db.session.execute(sa.select(DeliveryBatch.id, DeliveryBatch.pickup_point_id, DeliveryBatch.status).where(
        DeliveryBatch.delivery_date == run.delivery_date, DeliveryBatch.pickup_point_id.in_(stops))).all()
    point_of = {}
    for batch_id, point_id, status in batches:
        stops[point_id].batch_id, stops[point_id].batch_status = batch_id, status.value
        point_of[batch_id] = point_id
    bags: dict[int, Bag] = {}
    for row in _order_lines(list(point_of)):
        bag = bags.get(row.order_id)
        if bag is None:
            bag = bags[row.order_id] = Bag(row.number, row.pickup_code, row.name)
            stops[point_of[row.batch_id]].bags.append(bag)
        bag.lines.append({"sku_code": row.sku_code, "product_name": row.product_name, "sku_name": row.sku_name,
                          "quantity": row.quantity})
    for batch_id, bag in _replacements(list(point_of)):
        stops[point_of[batch_id]].bags.append(bag)
    ordered = sorted(stops.values(), key=lambda s: s.position)
    for stop in ordered:
        stop.bags.sort(key=lambda b: (b.order_number, b.replacement_for or 0))
    return ordered


def _order_lines(batch_ids: list[int]):
    if not batch_ids:
        return []
    to_pack = OrderLine.quantity - OrderLine.refunded_quantity
    return db.session.execute(
        sa.select(Order.id.label("order_id"), Order.batch_id, Order.number, Order.pickup_code, Account.name,
                  OrderLine.sku_code, OrderLine.product_name, OrderLine.sku_name, to_pack.label("quantity"))
        .join(OrderLine, OrderLine.order_id == Order.id).join(Account, Account.id == Order.account_id)
        .where(Order.batch_id.in_(batch_ids), Order.status.in_(IN_BATCH), to_pack > 0)
        .order_by(Order.id, OrderLine.id)).all()


def _replacements(batch_ids: list[int]) -> list[tuple[int, Bag]]:
    if not batch_ids:
        return []
    rows = db.session.execute(
        sa.select(AfterSaleRequest.id, AfterSaleRequest.replacement_batch_id, AfterSaleRequest.replacement_quantity,
                  Order.number, Order.pickup_code, Account.name, OrderLine.sku_code, OrderLine.product_name,
                  OrderLine.sku_name)
        .join(Order, Order.id == AfterSaleRequest.order_id)
        .join(OrderLine, OrderLine.id == AfterSaleRequest.order_line_id)
        .join(Account, Account.id == Order.account_id)
        .where(AfterSaleRequest.replacement_batch_id.in_(batch_ids), AfterSaleRequest.replacement_quantity > 0)
        .order_by(AfterSaleRequest.id)).all()
    return [(r.replacement_batch_id, Bag(r.number, r.pickup_code, r.name, replacement_for=r.id, lines=[
        {"sku_code": r.sku_code, "product_name": r.product_name, "sku_name": r.sku_name,
         "quantity": r.replacement_quantity}])) for r in rows]


def loading_totals(stops: list[Stop]) -> list[dict]:
    """Everything loaded on the truck: each SKU's total over the run's stops."""
    per_sku: dict[str, dict] = {}
    for stop in stops:
        for row in stop.skus:
            total = per_sku.setdefault(row["sku_code"], row | {"quantity": 0})
            total["quantity"] += row["quantity"]
    return sorted(per_sku.values(), key=lambda r: r["sku_code"])
