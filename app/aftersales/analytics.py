"""After-sale numbers for the merchant: requests per line sold (the after-sale rate) and money
refunded through after-sales, by product, pickup point, leader, delivery batch or reason."""
from __future__ import annotations

import sqlalchemy as sa

from app.aftersales.models import AfterSaleRequest, Status
from app.campaigns.stats import EVER_PAID
from app.extensions import db
from app.orders.models import Order, OrderLine

DIMENSIONS = ("product", "pickup_point", "leader", "batch", "reason")


def _keys(dimension: str):
    """(key, name) columns for requests (joined to their order and line) and for lines sold."""
    return {
        "product": (OrderLine.product_id, sa.func.max(OrderLine.product_name)),
        "pickup_point": (Order.pickup_point_id, sa.func.max(Order.pickup_point_name)),
        "leader": (Order.leader_id, sa.func.max(Order.leader_name)),
        "batch": (Order.batch_id, sa.func.max(sa.cast(Order.pickup_date, sa.String))),
        "reason": (AfterSaleRequest.reason, sa.func.max(AfterSaleRequest.reason)),
    }[dimension]


def rates(dimension: str) -> list[dict]:
    """One row per key, most requests first: requests (withdrawn ones aside), lines sold, the rate,
    how many were refunded, replaced or rejected, and the money refunded."""
    key, name = _keys(dimension)
    refunded = AfterSaleRequest.status == Status.REFUNDED
    rows = db.session.execute(
        sa.select(key, name, sa.func.count(AfterSaleRequest.id),
                  sa.func.sum(sa.case((refunded, 1), else_=0)),
                  sa.func.sum(sa.case((AfterSaleRequest.status == Status.REPLACED, 1), else_=0)),
                  sa.func.sum(sa.case((AfterSaleRequest.status == Status.REJECTED, 1), else_=0)),
                  sa.func.coalesce(sa.func.sum(sa.case((refunded, AfterSaleRequest.refund_cents), else_=0)), 0))
        .select_from(AfterSaleRequest).join(Order, Order.id == AfterSaleRequest.order_id)
        .join(OrderLine, OrderLine.id == AfterSaleRequest.order_line_id)
        .where(AfterSaleRequest.status != Status.WITHDRAWN).group_by(key)).all()
    sold = {}
    if dimension != "reason":
        sold = dict(db.session.execute(
            sa.select(key, sa.func.count(OrderLine.id)).join(Order, Order.id == OrderLine.order_id)
            .where(Order.status.in_(EVER_PAID)).group_by(key)).all())
    out = []
    for k, label, asked, n_refunded, n_replaced, n_rejected, money in rows:
        k = k.value if hasattr(k, "value") else k
        lines = int(sold.get(k, 0)) if dimension != "reason" else None
        out.append({"key": str(k) if k is not None else None, "name": str(label) if label is not None else None,
                    "requests": int(asked), "lines_sold": lines,
                    "rate_pct": round(100 * int(asked) / lines, 2) if lines else None,
                    "refunded": int(n_refunded or 0), "replaced": int(n_replaced or 0),
                    "rejected": int(n_rejected or 0), "refunded_cents": int(money)})
    return sorted(out, key=lambda r: (-r["requests"], r["key"] or ""))
