"""What each list operation may be sorted by (blueprints/sorting.py); names are the output fields."""
from __future__ import annotations

from app.aftersales.models import AfterSaleRequest
from app.campaigns.models import Campaign
from app.catalog.models import Product
from app.commissions.models import Payout
from app.orders.models import Order
from blueprints.sorting import SortKeys

ORDERS = SortKeys(Order.id, created_at=Order.created_at, total_cents=Order.total_cents, number=Order.number)
PRODUCTS = SortKeys(Product.id, position=Product.position, name=Product.name, created_at=Product.created_at,
                    updated_at=Product.updated_at)
CAMPAIGNS = SortKeys(Campaign.id, starts_at=Campaign.starts_at, ends_at=Campaign.ends_at, name=Campaign.name,
                     created_at=Campaign.created_at)
PAYOUTS = SortKeys(Payout.id, created_at=Payout.created_at, amount_cents=Payout.amount_cents)
AFTER_SALES = SortKeys(AfterSaleRequest.id, created_at=AfterSaleRequest.created_at,
                       review_due_at=AfterSaleRequest.review_due_at, claim_cents=AfterSaleRequest.claim_cents)
