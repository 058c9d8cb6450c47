"""Margin: what sales brought in less what the goods cost, per SKU, campaign or leader, for a
store-local month of purchases (app/analytics/purchases.py: paid orders not fully refunded).

Per order line: units = quantity − refunded units; revenue = line total − refunded amount; cost =
units × the SKU's cost price in effect when the order was placed (the latest cost_prices row at or
before the order's creation, whichever supplier it came from). Lines of a SKU with no cost recorded
yet add to revenue and to `uncosted_units`, not to cost or margin, so a missing cost shows instead
of passing for a 100 % margin: margin = revenue of costed lines − cost.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.analytics.purchases import is_purchase
from app.catalog.models import Sku
from app.extensions import db
from app.leaders.models import Leader
from app.orders.models import Order, OrderLine
from app.purchasing.models import CostPrice

DIMENSIONS = ("sku", "campaign", "leader")


def _unit_cost() -> sa.ScalarSelect:
    return (sa.select(CostPrice.cost_cents)
            .where(CostPrice.sku_id == OrderLine.sku_id, CostPrice.effective_at <= Order.created_at)
            .order_by(CostPrice.effective_at.desc(), CostPrice.id.desc()).limit(1).correlate(OrderLine, Order)
            .scalar_subquery())


def _key(by: str):
    return {"sku": OrderLine.sku_id, "campaign": OrderLine.campaign_id, "leader": Order.leader_id}[by]


def margin(by: str, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """One row per SKU / campaign / leader with sales in [start, end), highest margin first."""
    lines = (sa.select(_key(by).label("key"), (OrderLine.quantity - OrderLine.refunded_quantity).label("units"),
                       (OrderLine.line_total_cents - OrderLine.refunded_cents).label("revenue"),
                       _unit_cost().label("cost"))
             .join(Order, Order.id == OrderLine.order_id)
             .where(is_purchase(), Order.paid_at >= start, Order.paid_at < end)).subquery()
    costed = lines.c.cost.is_not(None)
    rows = db.session.execute(sa.select(
        lines.c.key, sa.func.sum(lines.c.units), sa.func.sum(lines.c.revenue),
        sa.func.sum(sa.case((costed, lines.c.units * lines.c.cost), else_=0)),
        sa.func.sum(sa.case((costed, lines.c.revenue), else_=0)),
        sa.func.sum(sa.case((costed, 0), else_=lines.c.units)),
    ).group_by(lines.c.key)).all()
    names = _names(by, {r[0] for r in rows if r[0] is not None})
    table = []
    for key, units, revenue, cost, costed_revenue, uncosted in rows:
        margin_cents = int(costed_revenue) - int(cost)
        table.append({"key": key, "name": names.get(key), "units": int(units), "revenue_cents": int(revenue),
                      "cost_cents": int(cost), "margin_cents": margin_cents,
                      "margin_pct": round(100 * margin_cents / int(costed_revenue), 2) if costed_revenue else None,
                      "uncosted_units": int(uncosted)})
    return sorted(table, key=lambda r: (-r["margin_cents"], r["key"] is None, r["key"] or 0))


def _names(by: str, keys: set[int]) -> dict[int, str]:
    if not keys:
        return {}
    if by == "sku":
        return dict(db.session.execute(sa.select(Sku.id, Sku.code).where(Sku.id.in_(keys))).all())
    if by == "leader":
        return dict(db.session.execute(sa.select(Leader.id, Leader.display_name).where(Leader.id.in_(keys))).all())
    from app.campaigns.models import Campaign

    return dict(db.session.execute(sa.select(Campaign.id, Campaign.name).where(Campaign.id.in_(keys))).all())
