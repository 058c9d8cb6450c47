"""Every approved campaign's numbers in one statement: stock, sold, sell-through, revenue, buyers.

The definitions are those of a single campaign's stats (app/campaigns/stats.py), summed over its
items: `sold` is what its stock buckets sold (for items with campaign stock) plus the units net of
refunds on counted orders (items selling from regular stock, such as a member day);
`sell_through_pct` is bucket-sold over bucket-total; revenue and unique buyers come from its order
lines on paid, partly refunded or deposit-paid orders, net of line refunds.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased, lazyload

from app.campaigns.models import Campaign, CampaignItem, Review, StockBucket
from app.campaigns.phases import phase
from app.campaigns.stats import COUNTED, EVER_PAID
from app.db import utcnow
from app.extensions import db
from app.orders.models import Order, OrderLine


def _stock():
    return (sa.select(CampaignItem.campaign_id, sa.func.sum(StockBucket.total).label("total"),
                      sa.func.sum(StockBucket.sold).label("sold"))
            .join(StockBucket, StockBucket.item_id == CampaignItem.id)
            .where(CampaignItem.stock_total.is_not(None)).group_by(CampaignItem.campaign_id).subquery())


def _sales():
    item = aliased(CampaignItem)
    unstocked = sa.case((item.stock_total.is_(None), OrderLine.quantity - OrderLine.refunded_quantity), else_=0)
    return (sa.select(OrderLine.campaign_id, sa.func.sum(unstocked).label("unstocked_units"),
                      sa.func.sum(OrderLine.line_total_cents - OrderLine.refunded_cents).label("revenue"),
                      sa.func.count(sa.distinct(Order.account_id)).label("buyers"))
            .join(Order, Order.id == OrderLine.order_id)
            .outerjoin(item, sa.and_(item.campaign_id == OrderLine.campaign_id, item.sku_id == OrderLine.sku_id))
            .where(OrderLine.campaign_id.is_not(None), Order.status.in_(COUNTED))
            .group_by(OrderLine.campaign_id).subquery())


def _sold_refunded():
    """Units and money on orders ever paid, and what of it was refunded (sold / refunded / net)."""
    return (sa.select(OrderLine.campaign_id, sa.func.sum(OrderLine.quantity).label("sold_units"),
                      sa.func.sum(OrderLine.refunded_quantity).label("refunded_units"),
                      sa.func.sum(OrderLine.line_total_cents).label("gross"),
                      sa.func.sum(OrderLine.refunded_cents).label("refunded"))
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.campaign_id.is_not(None), Order.status.in_(EVER_PAID))
            .group_by(OrderLine.campaign_id).subquery())


def campaign_table() -> list[dict]:
    """Every approved campaign, latest start first, with its phase now (scheduled, warming_up,
    live or ended)."""
    stock, sales, books, now = _stock(), _sales(), _sold_refunded(), utcnow()
    rows = db.session.execute(
        sa.select(Campaign, stock.c.total, stock.c.sold, sales.c.unstocked_units, sales.c.revenue, sales.c.buyers,
                  books.c.sold_units, books.c.refunded_units, books.c.gross, books.c.refunded)
        .outerjoin(stock, stock.c.campaign_id == Campaign.id).outerjoin(sales, sales.c.campaign_id == Campaign.id)
        .outerjoin(books, books.c.campaign_id == Campaign.id)
        .where(Campaign.review == Review.APPROVED).order_by(Campaign.starts_at.desc(), Campaign.id.desc())
        .options(lazyload(Campaign.items)))
    result = []
    for campaign, total, bucket_sold, unstocked, revenue, buyers, *money in rows:
        sold_units, refunded_units, gross, refunded = (int(v or 0) for v in money)
        total = int(total) if total is not None else None
        result.append({
            "campaign_id": campaign.id, "name": campaign.name, "kind": campaign.kind.value,
            "status": phase(campaign, now).value, "stock_total": total,
            "sold": int(bucket_sold or 0) + int(unstocked or 0),
            "sell_through_pct": round(100 * int(bucket_sold or 0) / total, 1) if total else None,
            "revenue_cents": int(revenue or 0), "unique_buyers": int(buyers or 0),
            "sold_units": sold_units, "refunded_units": refunded_units, "net_units": sold_units - refunded_units,
            "gross_revenue_cents": gross, "refunded_cents": refunded})
    return result
