"""Campaign numbers for the merchant: reserved, sold, sell-through, revenue, unique buyers, per group.

Sold, refunded and net are kept apart (issue 19): `sold_units`/`gross_revenue_cents` count every
unit on an order that was paid (also one refunded since: a failed group buy, a cancel), less
nothing; `refunded_units`/`refunded_cents` what went back; `net_units`/`revenue_cents` the rest.
A failed, fully refunded group buy shows its units sold and refunded, and 0 net."""
from __future__ import annotations

import sqlalchemy as sa

from app.campaigns import stock as campaign_stock
from app.campaigns.models import Campaign
from app.extensions import db
from app.orders.models import Order, OrderLine, OrderStatus

COUNTED = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.DEPOSIT_PAID)
EVER_PAID = (*COUNTED, OrderStatus.REFUNDED)  # REFUNDED: paid, then all of it given back


def _lines(campaign_id: int):
    return (sa.select(OrderLine).join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.campaign_id == campaign_id, Order.status.in_(COUNTED)))


def _money_rows(campaign_id: int) -> list[tuple]:
    return db.session.execute(
        sa.select(OrderLine.campaign_item_id, OrderLine.sku_id, OrderLine.quantity, OrderLine.refunded_quantity,
                  OrderLine.line_total_cents, OrderLine.refunded_cents)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.campaign_id == campaign_id, Order.status.in_(EVER_PAID))).all()


def _sold_refunded_net(rows: list[tuple]) -> dict:
    sold, refunded = sum(r[2] for r in rows), sum(r[3] for r in rows)
    gross, back = sum(r[4] for r in rows), sum(r[5] for r in rows)
    return {"sold_units": sold, "refunded_units": refunded, "net_units": sold - refunded,
            "gross_revenue_cents": gross, "refunded_cents": back}


def campaign_stats(campaign: Campaign) -> dict:
    rows = db.session.execute(
        sa.select(OrderLine.campaign_item_id, OrderLine.sku_id, Order.group_id, Order.account_id,
                  OrderLine.quantity - OrderLine.refunded_quantity,
                  OrderLine.line_total_cents - OrderLine.refunded_cents)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.campaign_id == campaign.id, Order.status.in_(COUNTED))).all()
    money = _money_rows(campaign.id)
    items = []
    for item in campaign.items:
        mine = [r for r in rows if (r[0] == item.id) or (r[0] is None and r[1] == item.sku_id)]
        total, reserved, sold = campaign_stock.counts(item.id) if item.stock_total is not None else (None, 0, None)
        units = sum(r[4] for r in mine)
        items.append({
            "item_id": item.id, "sku_id": item.sku_id, "stock_total": total, "reserved": reserved,
            "sold": sold if sold is not None else units,
            "sell_through_pct": round(100 * sold / total, 1) if total else None,
            "revenue_cents": sum(r[5] for r in mine), "unique_buyers": len({r[3] for r in mine}),
            **_sold_refunded_net([m for m in money if m[0] == item.id or (m[0] is None and m[1] == item.sku_id)]),
        })
    groups: dict[int, dict] = {}
    for r in rows:
        g = groups.setdefault(r[2], {"group_id": r[2], "units": 0, "revenue_cents": 0, "buyers": set()})
        g["units"] += r[4]
        g["revenue_cents"] += r[5]
        g["buyers"].add(r[3])
    names = dict(db.session.execute(sa.text("SELECT id, name FROM groups")).all()) if groups else {}
    per_group = [{"group_id": g["group_id"], "group_name": names.get(g["group_id"]), "units": g["units"],
                  "revenue_cents": g["revenue_cents"], "unique_buyers": len(g["buyers"])}
                 for g in sorted(groups.values(), key=lambda g: g["group_id"])]
    return {"campaign_id": campaign.id, "revenue_cents": sum(r[5] for r in rows),
            "unique_buyers": len({r[3] for r in rows}), "items": items, "groups": per_group,
            **_sold_refunded_net(money)}
