"""Order-level discounts — a coupon, then points — spread over the lines they cover, so that
refunds by line give back exactly what each line cost (OrderLine.discount_cents)."""
from __future__ import annotations

from app.catalog.models import Sku
from app.coupons import services as coupons
from app.coupons.models import Coupon
from app.db import utcnow
from app.loyalty import services as loyalty
from app.money import split_cents
from app.orders.models import Order


def _take(order: Order, shares: dict[int, int]) -> None:
    for line in order.lines:
        off = shares.get(line.sku_id, 0)
        line.discount_cents = (line.discount_cents or 0) + off
        line.line_total_cents -= off


def apply_coupon(order: Order, account_id: int, coupon_id: int, skus: dict[int, Sku]) -> Coupon:
    """Price the coupon onto the lines (campaign-priced lines take none). The coupon itself is
    marked used once the order has its id (coupons.redeem), in the same transaction."""
    coupon = coupons.usable_coupon(coupon_id, account_id, utcnow())
    seen = [coupons.DiscountLine(line.sku_id, line.product_id, skus[line.sku_id].product.category_id,
                                 line.line_total_cents, line.campaign_id is not None) for line in order.lines]
    shares = coupons.discount(coupon.template, seen)
    _take(order, shares)
    order.coupon_id = coupon.id
    order.coupon_discount_cents = sum(shares.values())
    order.total_cents = order.subtotal_cents - order.coupon_discount_cents - (order.points_discount_cents or 0)
    return coupon


def apply_points(order: Order, points: int) -> None:
    """Points pay part of what is left after the coupon, within the programme's share."""
    # Like coupons, points pay only for lines not priced by a campaign (a member day's price).
    lines = [line for line in order.lines if line.campaign_id is None]
    value = loyalty.check_redeemable(points, sum(line.line_total_cents for line in lines))
    shares = split_cents(value, [line.line_total_cents for line in lines]) if lines else []
    _take(order, {line.sku_id: share for line, share in zip(lines, shares, strict=True)})
    order.points_redeemed, order.points_discount_cents = points, value
    order.total_cents = order.subtotal_cents - (order.coupon_discount_cents or 0) - value
