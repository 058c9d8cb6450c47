"""The queries behind predictions: purchase histories, and what stops a reminder (a subscription,
an order already on its way). Each takes a batch of shoppers and products: a few queries per batch,
not per shopper."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa

from app.accounts.models import Account
from app.catalog.models import Product, ProductStatus, Sku
from app.clock import store_tz
from app.db import utcnow
from app.extensions import db
from app.orders.models import PAID_STATES, Fulfilment, Order, OrderLine, OrderStatus
from app.replenishment.predict import LATE_DAYS, MAX_CYCLE_DAYS, Purchase, by_day
from app.subscriptions.models import Subscription, SubscriptionPlan, SubscriptionStatus

Pair = tuple[int, int]  # (account_id, product_id)

# A purchase older than this cannot still be running (MAX_CYCLE_DAYS) nor be worth a late reminder.
LOOKBACK = dt.timedelta(days=MAX_CYCLE_DAYS + LATE_DAYS + 1)
# Goods paid for but never received were not consumed: not a purchase.
NOT_RECEIVED = (Fulfilment.UNCOLLECTED, Fulfilment.NOT_DELIVERED)
# An order still to be paid or collected already covers the next cycle.
OPEN_STATES = (OrderStatus.PENDING_PAYMENT, OrderStatus.CONFIRMED, OrderStatus.DEPOSIT_PAID)


def _bought() -> sa.Select:
    """Order lines of repeat-use products on sale, in paid, received orders, within LOOKBACK."""
    return (sa.select(Order.id, Order.account_id, OrderLine.product_id, Order.paid_at, OrderLine.sku_id,
                      OrderLine.quantity - OrderLine.refunded_quantity)
            .join(Order, Order.id == OrderLine.order_id).join(Product, Product.id == OrderLine.product_id)
            .where(Product.repeat_use.is_(True), Product.status == ProductStatus.ACTIVE,
                   Order.status.in_(PAID_STATES), Order.fulfilment.not_in(NOT_RECEIVED),
                   Order.paid_at >= utcnow() - LOOKBACK, OrderLine.quantity > OrderLine.refunded_quantity))


def candidate_pairs(after: Pair, limit: int) -> list[Pair]:
    """Active shoppers and the repeat-use products they bought within LOOKBACK, in key order after `after`."""
    bought = _bought().join(Account, Account.id == Order.account_id).where(Account.is_active.is_(True)).subquery()
    pair = sa.tuple_(bought.c.account_id, bought.c.product_id)
    return [tuple(row) for row in db.session.execute(
        sa.select(bought.c.account_id, bought.c.product_id).where(pair > sa.tuple_(*after)).distinct()
        .order_by(bought.c.account_id, bought.c.product_id).limit(limit))]


def histories(account_ids: Iterable[int], product_ids: Iterable[int] | None = None) -> dict[Pair, list[Purchase]]:
    """Each (shopper, product)'s purchases by store-local day, oldest first."""
    query = _bought().where(Order.account_id.in_(set(account_ids)))
    if product_ids is not None:
        query = query.where(OrderLine.product_id.in_(set(product_ids)))
    rows: dict[Pair, list] = defaultdict(list)
    tz = store_tz()
    for order_id, account_id, product_id, paid_at, sku_id, units in db.session.execute(query):
        rows[(account_id, product_id)].append((order_id, paid_at.astimezone(tz).date(), sku_id, units))
    return {pair: by_day(found) for pair, found in rows.items()}


def _pairs_filter(account_col, product_col, pairs: Iterable[Pair]) -> sa.ColumnElement[bool]:
    pairs = set(pairs)
    return sa.and_(account_col.in_({a for a, _ in pairs}), product_col.in_({p for _, p in pairs}))


def subscribed(pairs: Iterable[Pair]) -> set[Pair]:
    """Pairs where the shopper has an active or paused subscription to one of the product's SKUs."""
    pairs = set(pairs)
    found = db.session.execute(
        sa.select(Subscription.account_id, Sku.product_id).join(Sku, Sku.id == Subscription.sku_id)
        .where(_pairs_filter(Subscription.account_id, Sku.product_id, pairs),
               Subscription.status.in_((SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED))))
    return {tuple(row) for row in found} & pairs


def covered(pairs: Iterable[Pair]) -> set[Pair]:
    """Pairs with an order of the product still to be paid or collected: more is already coming."""
    pairs = set(pairs)
    found = db.session.execute(
        sa.select(Order.account_id, OrderLine.product_id).join(Order, Order.id == OrderLine.order_id)
        .where(_pairs_filter(Order.account_id, OrderLine.product_id, pairs), Order.status.in_(OPEN_STATES),
               Order.effective_status != OrderStatus.EXPIRED.value))
    return {tuple(row) for row in found} & pairs


def products(product_ids: Iterable[int]) -> dict[int, Product]:
    return {p.id: p for p in db.session.scalars(sa.select(Product).where(Product.id.in_(set(product_ids))))}


def active_plans(product_ids: Iterable[int]) -> dict[int, list[SubscriptionPlan]]:
    """Each product's active subscription plans on SKUs still on sale."""
    plans: dict[int, list[SubscriptionPlan]] = defaultdict(list)
    for plan, product_id in db.session.execute(
            sa.select(SubscriptionPlan, Sku.product_id).join(Sku, Sku.id == SubscriptionPlan.sku_id)
            .where(Sku.product_id.in_(set(product_ids)), SubscriptionPlan.active.is_(True), Sku.is_active.is_(True))
            .order_by(SubscriptionPlan.id)):
        plans[product_id].append(plan)
    return plans
