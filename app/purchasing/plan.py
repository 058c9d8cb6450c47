"""The purchase plan of a delivery day: demand per SKU less stock, proposed as purchase orders.

    need = confirmed + subscriptions + late + replenishment + safety stock − on hand − on order
    (never below 0; each term in app/purchasing/demand.py, on hand from app.inventory.movements,
    on order = what open purchase orders due by that day still have to deliver)

After the day's cut-off the plan is final (late = 0); before it, a forecast. Each SKU to buy goes to
one supplier: the preferred one, else the cheapest, among those whose lead time reaches the day
(if none does, the same choice among all, flagged `late_delivery`). A line is raised to the
supplier's minimum units; an order below the supplier's minimum amount is flagged, and refused on
confirm until staff add to it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from app.catalog.models import Product, Sku
from app.clock import local_today
from app.db import utcnow
from app.extensions import db
from app.inventory import movements
from app.purchasing import demand
from app.purchasing.models import (
    OPEN_STATES,
    PurchaseOrder,
    PurchaseOrderLine,
    SafetyStock,
    Supplier,
    SupplierSku,
)

TERMS = ("confirmed", "subscriptions", "late", "replenishment", "safety_stock")


def on_order(day: dt.date) -> dict[int, int]:
    outstanding = (PurchaseOrderLine.quantity - PurchaseOrderLine.accepted - PurchaseOrderLine.rejected
                   - PurchaseOrderLine.short)
    rows = db.session.execute(
        sa.select(PurchaseOrderLine.sku_id, sa.func.sum(outstanding))
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(PurchaseOrder.status.in_(OPEN_STATES), PurchaseOrder.delivery_date <= day)
        .group_by(PurchaseOrderLine.sku_id))
    return {sku: int(total) for sku, total in rows if total}


def _safety() -> dict[int, int]:
    return dict(db.session.execute(sa.select(SafetyStock.sku_id, SafetyStock.units).where(SafetyStock.units > 0)).all())


def _terms(day: dt.date, now: dt.datetime) -> tuple[dict, dict]:
    cutoff = demand.day_cutoff(day)
    final = now >= cutoff
    confirmed = demand.confirmed(day)
    share = demand.late_share(day, cutoff - now) if not final else 0
    reorder = demand.reorder_share(day)
    terms = {"confirmed": confirmed, "subscriptions": demand.subscriptions_due(day),
             "late": demand.late_orders(confirmed, share) if not final else {},
             "replenishment": demand.replenishment(day, reorder), "safety_stock": _safety()}
    head = {"delivery_date": day, "cutoff_at": cutoff, "final": final, "late_share": float(share),
            "reorder_share": float(reorder), "computed_at": now}
    return head, terms


def _sku_rows(sku_ids: set[int]) -> dict[int, tuple]:
    return {row[0]: row for row in db.session.execute(
        sa.select(Sku.id, Sku.code, Product.name, Sku.name).join(Product, Product.id == Sku.product_id)
        .where(Sku.id.in_(sku_ids)))}


def compute(day: dt.date, now: dt.datetime | None = None) -> dict:
    """The plan for one delivery day, each term per SKU, and the purchase orders it proposes."""
    now = now or utcnow()
    head, terms = _terms(day, now)
    sku_ids = set().union(*terms.values())
    on_hand = movements.on_hand(sorted(sku_ids)) if sku_ids else {}
    ordered = on_order(day)
    names = _sku_rows(sku_ids)
    lines = []
    for sku_id in sorted(sku_ids, key=lambda s: names[s][1]):
        row = {term: terms[term].get(sku_id, 0) for term in TERMS}
        row.update(sku_id=sku_id, sku_code=names[sku_id][1], product_name=names[sku_id][2],
                   sku_name=names[sku_id][3], on_hand=on_hand.get(sku_id, 0), on_order=ordered.get(sku_id, 0))
        row["need"] = max(sum(row[t] for t in TERMS) - row["on_hand"] - row["on_order"], 0)
        lines.append(row)
    return {**head, "lines": lines, **propose(day, lines)}


@dataclass(frozen=True)
class Offer:
    supplier_id: int
    supplier_name: str
    min_order_cents: int
    cost_cents: int
    lead_days: int
    min_units: int
    preferred: bool


def _choose(offers: list[Offer], day: dt.date) -> tuple[Offer, bool]:
    """The preferred, else cheapest offer among suppliers in time; (offer, late_delivery)."""
    today = local_today()
    in_time = [o for o in offers if today + dt.timedelta(days=o.lead_days) <= day]
    pool = in_time or offers
    return min(pool, key=lambda o: (not o.preferred, o.cost_cents, o.lead_days, o.supplier_id)), not in_time


def _offers(sku_ids) -> dict[int, list[Offer]]:
    """Active suppliers' offers of these SKUs, as plain rows (one read, no ORM objects)."""
    offers: dict[int, list[Offer]] = defaultdict(list)
    for sku_id, *fields in db.session.execute(
            sa.select(SupplierSku.sku_id, SupplierSku.supplier_id, Supplier.name, Supplier.min_order_cents,
                      SupplierSku.cost_cents, SupplierSku.lead_days, SupplierSku.min_units, SupplierSku.preferred)
            .join(Supplier, Supplier.id == SupplierSku.supplier_id)
            .where(SupplierSku.sku_id.in_(sku_ids), Supplier.active.is_(True))):
        offers[sku_id].append(Offer(*fields))
    return offers


def propose(day: dt.date, lines: list[dict]) -> dict:
    wanted = {ln["sku_id"]: ln for ln in lines if ln["need"] > 0}
    offers = _offers(list(wanted))
    by_supplier: dict[int, list[dict]] = defaultdict(list)
    chosen: dict[int, Offer] = {}
    for sku_id, line in wanted.items():
        if not offers[sku_id]:
            continue
        offer, late = _choose(offers[sku_id], day)
        chosen[offer.supplier_id] = offer
        line.update(supplier_id=offer.supplier_id, unit_cost_cents=offer.cost_cents)
        by_supplier[offer.supplier_id].append({
            "sku_id": sku_id, "sku_code": line["sku_code"], "product_name": line["product_name"],
            "sku_name": line["sku_name"], "need": line["need"], "quantity": max(line["need"], offer.min_units),
            "min_units": offer.min_units, "unit_cost_cents": offer.cost_cents, "late_delivery": late})
    made = _orders_made(day, list(by_supplier))
    proposals = [_proposal(chosen[sid], day, rows, made.get(sid, 0)) for sid, rows in sorted(by_supplier.items())]
    return {"proposals": proposals, "unsourced": sorted(s for s in wanted if not offers[s])}


def _orders_made(day: dt.date, supplier_ids: list[int]) -> dict[int, int]:
    return dict(db.session.execute(
        sa.select(PurchaseOrder.supplier_id, sa.func.count()).where(
            PurchaseOrder.supplier_id.in_(supplier_ids), PurchaseOrder.delivery_date == day)
        .group_by(PurchaseOrder.supplier_id)).all())


def _proposal(offer: Offer, day: dt.date, rows: list[dict], made: int) -> dict:
    total = sum(r["quantity"] * r["unit_cost_cents"] for r in rows)
    return {"supplier_id": offer.supplier_id, "supplier_name": offer.supplier_name, "delivery_date": day,
            "lines": rows, "total_cents": total, "min_order_cents": offer.min_order_cents,
            "below_minimum": total < offer.min_order_cents,
            "confirm_key": confirm_key(offer.supplier_id, day, rows, made)}


def confirm_key(supplier_id: int, day: dt.date, rows: list[dict], made: int) -> str:
    """Same proposal, same key: a double click or a retried request confirms one order. The count of
    the supplier's orders for the day is part of it, so a proposal made again after a cancel is new."""
    content = ";".join(f"{r['sku_id']}x{r['quantity']}@{r['unit_cost_cents']}" for r in sorted(
        rows, key=lambda r: r["sku_id"]))
    digest = hashlib.sha256(f"{supplier_id}|{day}|{made}|{content}".encode()).hexdigest()[:24]
    return f"plan-{day:%Y%m%d}-{supplier_id}-{digest}"
