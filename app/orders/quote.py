"""What the checkout screen shows before paying: the coupon's discount on this cart, the amount due
and the pickup date — computed by the same rules checkout uses, changing nothing (no coupon used,
no stock held), so the shopper sees the number they will pay."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.campaigns.models import Campaign, CampaignKind
from app.catalog.models import Sku
from app.coupons import services as coupons
from app.db import utcnow
from app.errors import InvalidRequest
from app.groups.models import Group
from app.i18n import _
from app.pickup.schedule import slot_of_group
from app.pricing.engine import Quote


@dataclass(frozen=True)
class Due:
    subtotal_cents: int
    coupon_id: int | None
    coupon_discount_cents: int
    total_cents: int
    pickup_date: dt.date


def pickup_date_of(group: Group, campaign: Campaign | None) -> dt.date:
    """The day checkout would give the order now (a pre-sale ships no earlier than its ship date)."""
    day = slot_of_group(group, utcnow()).date
    if campaign is not None and campaign.kind is CampaignKind.PRE_SALE and campaign.ship_date:
        day = max(day, campaign.ship_date)
    return day


def amount_due(account_id: int, group: Group, quotes: dict[int, Quote], quantities: dict[int, int],
               skus: dict[int, Sku], campaign: Campaign | None, coupon_id: int | None) -> Due:
    totals = {sku_id: quotes[sku_id].unit_price_cents * qty for sku_id, qty in quantities.items()}
    subtotal = sum(totals.values())
    off = 0
    if coupon_id is not None:
        if campaign is not None:
            raise InvalidRequest(_("Coupons, points and the wallet are not used on campaign orders"),
                                 code="discounts_not_allowed")
        coupon = coupons.usable_coupon(coupon_id, account_id, utcnow())
        seen = [coupons.DiscountLine(sku_id, skus[sku_id].product_id, skus[sku_id].product.category_id, amount,
                                     quotes[sku_id].campaign_id is not None) for sku_id, amount in totals.items()]
        off = sum(coupons.discount(coupon.template, seen).values())
    return Due(subtotal, coupon_id, off, subtotal - off, pickup_date_of(group, campaign))
