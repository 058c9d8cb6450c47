"""Building an order for pickup: validate the lines, price them, reserve or sell the stock."""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.campaigns import presale
from app.campaigns import stock as campaign_stock
from app.campaigns.models import Campaign, CampaignItem, CampaignKind
from app.campaigns.phases import require_eligible, require_live
from app.catalog.models import ProductStatus, Sku, product_groups
from app.codes import new_code
from app.coupons import services as coupons
from app.db import utcnow
from app.errors import Conflict, InvalidRequest
from app.extensions import db
from app.groups.bindings import current_binding
from app.groups.models import Group
from app.i18n import _
from app.inventory import stock
from app.loyalty import services as loyalty
from app.loyalty import zone
from app.orders import discounts
from app.orders.models import Fulfilment, Order, OrderLine, OrderStatus
from app.payments import methods
from app.payments.models import Payment
from app.pickup import batches
from app.pickup.schedule import slot_of_group
from app.pricing.engine import Candidate, Quote, live_member_days, quote

MAX_LINES = 50


@dataclass(frozen=True)
class LineRequest:
    sku_id: int
    quantity: int
    campaign_item_id: int | None = None


def merge_lines(lines: list[dict]) -> list[LineRequest]:
    """The same SKU twice is one line with the quantities added (a cart may send it either way)."""
    merged: OrderedDict[int, int] = OrderedDict()
    items: dict[int, int | None] = {}
    for line in lines:
        merged[line["sku_id"]] = merged.get(line["sku_id"], 0) + line["quantity"]
        if items.setdefault(line["sku_id"], line.get("campaign_item_id")) != line.get("campaign_item_id"):
            raise InvalidRequest(_("A SKU appears both with and without a campaign"), code="mixed_campaign_lines")
    if len(merged) > MAX_LINES:
        raise InvalidRequest(_('At most %(limit)s different items per order', limit=MAX_LINES),
                             code="too_many_lines")
    return [LineRequest(sku_id, qty, items[sku_id]) for sku_id, qty in merged.items()]


def campaign_of(requests: list[LineRequest], group_id: int, account_id: int,
                 member: bool) -> tuple[Campaign | None, dict[int, CampaignItem]]:
    """A campaign order (pre-sale or group buy) holds that campaign's items only; how it may be paid
    is the merchant's setting for its kind (app/payments/methods.py)."""
    item_ids = {r.campaign_item_id for r in requests}
    if item_ids == {None}:
        return None, {}
    items = {i.id: i for i in db.session.scalars(sa.select(CampaignItem).where(
        CampaignItem.id.in_([i for i in item_ids if i is not None])))}
    if None in item_ids or len({i.campaign_id for i in items.values()}) != 1 or len(items) != len(item_ids):
        raise InvalidRequest(_("An order holds the items of one campaign, or none"), code="mixed_campaign_lines")
    campaign = next(iter(items.values())).campaign
    if campaign.kind not in (CampaignKind.PRE_SALE, CampaignKind.GROUP_BUY):
        raise InvalidRequest(_("Flash-sale items are reserved through their own endpoint; member-day prices apply "
                             "by themselves"), code="wrong_campaign_checkout")
    if any(items[r.campaign_item_id].sku_id != r.sku_id for r in requests):
        raise InvalidRequest(_("campaign_item_id does not match sku_id"), code="mixed_campaign_lines")
    require_live(campaign, utcnow())
    require_eligible(campaign, group_id, member)
    return campaign, items


def sellable_skus(group_id: int, sku_ids: list[int]) -> dict[int, Sku]:
    skus = {s.id: s for s in db.session.scalars(
        sa.select(Sku).options(joinedload(Sku.product)).where(Sku.id.in_(sku_ids)))}
    unknown = sorted(set(sku_ids) - set(skus))
    if unknown:
        raise InvalidRequest(_("Unknown SKU ids"), code="unknown_sku", details={"sku_ids": unknown})
    restricted, allowed = set(), set()
    product_ids = {s.product_id for s in skus.values()}
    for product_id, group in db.session.execute(sa.select(product_groups.c.product_id, product_groups.c.group_id)
                                                .where(product_groups.c.product_id.in_(product_ids))):
        restricted.add(product_id)
        if group == group_id:
            allowed.add(product_id)
    unavailable = sorted(
        s.id for s in skus.values()
        if not s.is_active or s.product.status is not ProductStatus.ACTIVE
        or (s.product_id in restricted and s.product_id not in allowed)
    )
    if unavailable:
        raise InvalidRequest(_("Some items are not for sale to your group"), code="sku_not_available",
                             details={"sku_ids": unavailable})
    return skus


def _group_of(account_id: int) -> Group:
    binding = current_binding(account_id)
    if binding is None:
        raise Conflict(_("Join a group through its link before ordering"), code="not_in_a_group")
    return binding.group


def _check_method(group: Group, method: str, campaign: Campaign | None) -> tuple[str, str]:
    """(the method, its provider) if the merchant's settings let it pay this cart; else a 422
    naming the methods that can."""
    kind = campaign.kind.value if campaign is not None else None
    method = methods.require(method, methods.allowed(group=group, campaign_kind=kind))
    return method, methods.provider_of(method)


def _new_order(account_id: int, group: Group, method: str) -> Order:
    point = group.pickup_point
    ttl = dt.timedelta(minutes=current_app.config["RESERVATION_TTL_MINUTES"])
    return Order(
        account_id=account_id, group_id=group.id, leader_id=group.leader_id, pickup_point_id=point.id,
        group_name=group.name, leader_name=group.leader.display_name if group.leader else None,
        pickup_point_name=point.name, pickup_point_address=point.address,
        status=OrderStatus.PENDING_PAYMENT, payment_method=method, currency=current_app.config["STORE_CURRENCY"],
        subtotal_cents=0, total_cents=0, paid_cents=0, refunded_cents=0, expires_at=utcnow() + ttl,
        pickup_date=slot_of_group(group, utcnow()).date, fulfilment=Fulfilment.PENDING, code_failures=0,
    )


def _add_lines(order: Order, requests: list[LineRequest], skus: dict[int, Sku], quotes: dict[int, Quote]) -> None:
    for req in requests:
        sku, q = skus[req.sku_id], quotes[req.sku_id]
        order.lines.append(OrderLine(
            sku_id=sku.id, product_id=sku.product_id, product_name=sku.product.name, sku_name=sku.name,
            sku_code=sku.code, unit_price_cents=q.unit_price_cents, list_price_cents=q.list_price_cents,
            price_rule=q.rule, campaign_item_id=req.campaign_item_id, campaign_id=q.campaign_id,
            points_multiplier=q.points_multiplier, quantity=req.quantity,
            discount_cents=0, line_total_cents=q.unit_price_cents * req.quantity, refunded_quantity=0,
            refunded_cents=0,
            shorted_quantity=0, picked_up_quantity=0, restocked_quantity=0,
        ))
    order.subtotal_cents = sum(line.line_total_cents for line in order.lines)
    order.total_cents = order.subtotal_cents
    order.coupon_discount_cents = order.points_discount_cents = order.points_redeemed = 0
    _snapshot_commission(order, skus)


def _snapshot_commission(order: Order, skus: dict[int, Sku]) -> None:
    """The commission rates in force now go on each line; later rule changes do not touch it."""
    from app.commissions.rules import rates_for
    from app.loyalty.referrals import referrer_of

    keys = [(ln.product_id, skus[ln.sku_id].product.category_id, ln.campaign_id) for ln in order.lines]
    for line, rates in zip(order.lines, rates_for(keys, utcnow()), strict=True):
        line.commission_rule_id, line.leader_rate_bps, line.referrer_rate_bps = (
            rates.rule_id, rates.leader_bps, rates.referrer_bps)
    order.referrer_account_id = referrer_of(order.account_id)


def _insert_with_number(order: Order) -> None:
    # 31^8 numbers and codes: a collision is about one in 10^12 orders, so no savepoint on the hot
    # path; if it happens, the checkout rolls back and a retry (same Idempotency-Key) goes through.
    order.number, order.pickup_code = new_code(8), new_code(8)
    db.session.add(order)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("Could not allocate an order number; retry the request"), code="code_collision") from None


def price_lines(requests: list[LineRequest], skus: dict[int, Sku], items: dict[int, CampaignItem],
                group_id: int, member: bool, tier_discount_bps: int = 0,
                subscription_discount_bps: int = 0) -> dict[int, Quote]:
    """Every line's price from the one price engine (the member-day prices found in one query)."""
    plain = [r.sku_id for r in requests if r.campaign_item_id is None]
    member_day = live_member_days(plain, group_id, utcnow()) if member else {}
    quotes = {}
    for req in requests:
        item = items.get(req.campaign_item_id) if req.campaign_item_id else None
        q = quote(skus[req.sku_id], is_member=member, campaign_item=item, member_day=member_day.get(req.sku_id),
                  tier_discount_bps=tier_discount_bps, subscription_discount_bps=subscription_discount_bps)
        if item is not None and item.campaign.kind is CampaignKind.PRE_SALE:
            q = Quote(q.sku_id, q.list_price_cents, presale.unit_price(item), q.rule, q.campaign_id,
                      [*q.candidates[:-1], Candidate("pre_sale", presale.unit_price(item), True,
                                                     "deposit inflation: the deposit counts for more")])
        quotes[req.sku_id] = q
    return quotes


def build_order(account_id: int, lines: list[dict], method: str, *, coupon_id: int | None = None,
                points: int = 0, wallet_cents: int = 0, subscription_discount_bps: int = 0,
                pickup_date: dt.date | None = None) -> Order:
    """Create the order with its stock held (card) or committed (pay at pickup), its coupon used
    and its points spent. Does not commit: it is the first step of the idempotent checkout.
    A subscription renewal passes its discount and its cycle's delivery date (if still reachable)."""
    requests = merge_lines(lines)
    group = _group_of(account_id)
    stand = loyalty.standing(account_id)
    member = stand.member
    campaign, items = campaign_of(requests, group.id, account_id, member)
    pay_method, method = _check_method(group, method, campaign)  # method: the provider from here on
    skus = sellable_skus(group.id, [r.sku_id for r in requests])
    zone.check(skus, stand)
    if campaign is not None and (coupon_id is not None or points or wallet_cents):
        raise InvalidRequest(_("Coupons, points and the wallet are not used on campaign orders"),
                             code="discounts_not_allowed")
    if wallet_cents and method != "stripe":
        raise InvalidRequest(_("wallet_cents splits a card payment: use it with payment_method stripe"),
                             code="wallet_part_needs_card")
    order = _new_order(account_id, group, method)
    if pickup_date is not None:
        order.pickup_date = max(order.pickup_date, pickup_date)
    if campaign is not None:
        order.campaign_id = campaign.id
        order.expires_at = utcnow() + dt.timedelta(minutes=campaign.hold_minutes)
        if campaign.kind is CampaignKind.PRE_SALE and campaign.ship_date:
            order.pickup_date = max(order.pickup_date, campaign.ship_date)
    if method == "pay_at_pickup":
        order.status, order.expires_at = OrderStatus.CONFIRMED, None  # stock is sold, not held
    _add_lines(order, requests, skus, price_lines(requests, skus, items, group.id, member, stand.discount_bps,
                                                  subscription_discount_bps))
    coupon = discounts.apply_coupon(order, account_id, coupon_id, skus) if coupon_id is not None else None
    if points:
        discounts.apply_points(order, points)
    _insert_with_number(order)
    if coupon is not None:
        coupons.redeem(coupon.id, account_id, order.id, utcnow())
    if points:
        loyalty.redeem_for_order(account_id, order.id, points)
    if wallet_cents >= order.total_cents > 0 or (wallet_cents and order.total_cents == 0):
        raise InvalidRequest(_("The wallet part must be less than the total: pay it all with payment_method wallet"),
                             code="wallet_part_too_large", details={"total_cents": order.total_cents})
    for req in sorted(requests, key=lambda r: r.sku_id):
        if req.campaign_item_id is not None:
            campaign_stock.take_allowance(req.campaign_item_id, account_id, req.quantity, campaign.per_person_limit)
            campaign_stock.hold(order.id, req.campaign_item_id, account_id, req.quantity, order.expires_at)
        elif method == "pay_at_pickup":
            stock.sell_or_raise(req.sku_id, req.quantity, reference_id=order.id)
        else:
            stock.reserve(order.id, req.sku_id, req.quantity, order.expires_at)
    _settle_method(order, method, campaign, wallet_cents, pay_method)
    db.session.flush()
    return order


def _settle_method(order: Order, method: str, campaign: Campaign | None = None, wallet_cents: int = 0,
                   pay_method: str | None = None) -> None:
    online = pay_method if method == "stripe" else None   # card, wechat_pay or alipay
    if campaign is not None and campaign.kind is CampaignKind.PRE_SALE:
        if method == "wallet":
            pay_part_from_wallet(order, presale.deposit_for(order), "deposit")
            return
        order.payments.append(Payment(provider=method, purpose="deposit", amount_cents=presale.deposit_for(order),
                                      method=online))
        return
    if method == "pay_at_pickup":
        order.payments.append(Payment(provider=method, amount_cents=order.total_cents))
        batches.assign(order)
    elif order.total_cents == 0:
        # Nothing to charge (free samples): paid at once, no provider involved.
        stock.consume(order.id)
        order.status, order.paid_at, order.expires_at = OrderStatus.PAID, utcnow(), None
        batches.assign(order)
    elif method == "wallet":
        _pay_from_wallet(order)
    elif wallet_cents:
        _take_from_wallet(order, wallet_cents)  # this part now; the card the rest (mark_paid adds it)
        order.payments.append(Payment(provider=method, amount_cents=order.total_cents - wallet_cents, method=online))
    else:
        order.payments.append(Payment(provider=method, amount_cents=order.total_cents, method=online))


def _take_from_wallet(order: Order, amount: int) -> Payment:
    """A succeeded wallet payment of `amount` on this order, the wallet debited (refused if short)."""
    from app.accounts.models import Account
    from app.payments.models import PaymentStatus
    from app.wallet import ledger as wallet

    payment = Payment(provider="wallet", amount_cents=amount, status=PaymentStatus.SUCCEEDED,
                      succeeded_at=utcnow(), provider_ref=f"wallet:order:{order.id}")
    order.payments.append(payment)
    db.session.flush()
    wallet.spend(order.account_id, amount, ref=f"pay:order:{order.id}", order_id=order.id, payment_id=payment.id)
    if amount < order.total_cents:  # a part: counted as paid now (the whole goes through mark_paid)
        order.paid_cents = amount
        db.session.execute(sa.update(Account).where(Account.id == order.account_id).values(
            lifetime_spend_cents=Account.lifetime_spend_cents + amount).execution_options(synchronize_session=False))
    return payment


def pay_part_from_wallet(order: Order, amount: int, purpose: str) -> None:
    """A pre-sale's deposit or balance paid from the wallet: debited (refused if short) and applied
    as any provider's payment would be, in the caller's transaction."""
    from app.orders import lifecycle
    from app.payments.models import PaymentStatus
    from app.wallet import ledger as wallet

    payment = Payment(provider="wallet", purpose=purpose, amount_cents=amount, status=PaymentStatus.SUCCEEDED,
                      succeeded_at=utcnow(), provider_ref=f"wallet:order:{order.id}:{purpose}", refunded_cents=0)
    order.payments.append(payment)
    db.session.flush()
    wallet.spend(order.account_id, amount, ref=f"pay:order:{order.id}:{purpose}", order_id=order.id,
                 payment_id=payment.id)
    follow = lifecycle.FollowUps()
    lifecycle.mark_paid(order, payment, follow)
    if follow.jobs:  # the stock it just held was gone: nothing is written
        raise Conflict(_("The items sold out while paying"), code="insufficient_stock")
    db.session.flush()
    db.session.expire(order)


def _pay_from_wallet(order: Order) -> None:
    """Debit the wallet now (refused if short) and pay the order in the same transaction."""
    from app.orders import lifecycle

    payment = _take_from_wallet(order, order.total_cents)
    follow = lifecycle.FollowUps()
    lifecycle.mark_paid(order, payment, follow)
    if follow.jobs:  # the stock it just reserved was gone: nothing is written
        raise Conflict(_("The items sold out while paying"), code="insufficient_stock")
    db.session.flush()
    db.session.expire(order)  # mark_paid moved it with UPDATEs: read it back as it now is


