"""Flash-sale reservations: the hot path, kept lean on purpose (Core statements, no ORM flush).

An attempt either reserves units — an unpaid order holding campaign stock for the campaign's
hold_minutes — or is turned away (sold out, over the per-person limit, not live, not eligible).
With Redis, the gate turns most of a crowd away without touching PostgreSQL; without it, the
guarded statements below do it. Either way the database statements are the source of truth.

Idempotent per (shopper, Idempotency-Key): the order INSERT … ON CONFLICT DO NOTHING on that pair
is the first write, so a concurrent duplicate waits on it and then finds the original.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from app.accounts.services import authenticate_and_cache, digest
from app.campaigns import redis_gate
from app.campaigns import stock as campaign_stock
from app.campaigns.models import Campaign, CampaignItem, CampaignKind, Review
from app.campaigns.phases import require_eligible, require_live
from app.codes import new_code
from app.db import utcnow
from app.errors import AuthenticationFailed, Conflict, not_found
from app.extensions import db
from app.groups.models import Binding, Group
from app.inventory.stock import InsufficientStock
from app.leaders.models import Leader
from app.members.services import is_member
from app.orders.models import Fulfilment, Order, OrderLine, OrderStatus
from app.pickup.schedule import slot_of_group
from app.pickup_points.models import PickupPoint

CACHE_SECONDS = 60  # approved campaigns are immutable, so their items can be cached
_items: dict[int, tuple[float, FlashItem]] = {}
_pickup_dates: dict[int, tuple[float, dt.date]] = {}


@dataclass(frozen=True)
class GroupRef:
    id: int


@dataclass(frozen=True)
class CampaignView:
    """What the hot path needs of an approved (hence immutable) campaign, detached from any session."""

    id: int
    kind: CampaignKind
    review: Review
    starts_at: dt.datetime
    ends_at: dt.datetime
    warmup_minutes: int
    day_of_month: int | None
    all_groups: bool
    groups: tuple[GroupRef, ...]
    members_only: bool
    stackable: bool
    per_person_limit: int | None
    hold_minutes: int


@dataclass(frozen=True)
class FlashItem:
    item_id: int
    campaign: CampaignView
    sku_id: int
    product_id: int
    product_name: str
    sku_name: str
    sku_code: str
    list_price: int
    member_price: int | None
    price: int


@dataclass(frozen=True)
class Reservation:
    order_id: int
    number: str
    status: str
    quantity: int
    unit_price_cents: int
    total_cents: int
    currency: str
    expires_at: dt.datetime | None
    pickup_date: dt.date | None
    replayed: bool


def flash_item(item_id: int) -> FlashItem:
    cached = _items.get(item_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    item = db.session.get(CampaignItem, item_id)
    if item is None or item.campaign.kind is not CampaignKind.FLASH_SALE or item.campaign.review is not Review.APPROVED:
        raise not_found("flash_sale_item", id=item_id)
    c = item.campaign
    campaign = CampaignView(c.id, c.kind, c.review, c.starts_at, c.ends_at, c.warmup_minutes, c.day_of_month,
                            c.all_groups, tuple(GroupRef(g.id) for g in c.groups), c.members_only, c.stackable,
                            c.per_person_limit, c.hold_minutes)
    sku = item.sku
    meta = FlashItem(item.id, campaign, sku.id, sku.product_id, sku.product.name, sku.name, sku.code,
                     sku.price_cents, sku.member_price_cents, item.campaign_price_cents)
    _items[item_id] = (time.monotonic() + CACHE_SECONDS, meta)
    return meta


def clear_caches() -> None:
    """Forget cached items and pickup dates (tests, whose databases reuse ids)."""
    _items.clear()
    _pickup_dates.clear()


def _pickup_date(group_id: int, now: dt.datetime) -> dt.date:
    # Recomputed at most every 30 s per group: it is the expected date; batches decide at payment.
    cached = _pickup_dates.get(group_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    day = slot_of_group(db.session.get(Group, group_id), now).date
    _pickup_dates[group_id] = (time.monotonic() + 30, day)
    return day


def reserve(*, token: str, item_id: int, quantity: int, client_key: str) -> Reservation:
    """Reserve flash-sale units for the holder of `token`."""
    now = utcnow()
    if redis_gate.enabled():
        admission = redis_gate.admit(digest(token), item_id, quantity, client_key, now)
        if admission is None:  # token not cached yet: check it once in the database
            _account_or_401(token)
            admission = redis_gate.admit(digest(token), item_id, quantity, client_key, now)
        if admission.replay:
            return _replay(admission.account_id, client_key)
        if admission.unpublished:
            admission = _publish_and_retry(token, item_id, quantity, client_key, now)
        try:
            return persist(admission.account_id, item_id, quantity, client_key, now, admitted=True)
        except BaseException:
            db.session.rollback()
            redis_gate.give_back(item_id, admission.account_id, quantity, client_key)
            raise
    return persist(_account_or_401(token), item_id, quantity, client_key, now)


def _publish_and_retry(token: str, item_id: int, quantity: int, client_key: str, now: dt.datetime):
    """The gate does not know this item: unknown (404), or approved while Redis was away (publish it)."""
    flash_item(item_id)  # raises 404 unless it is an approved flash-sale item
    redis_gate.publish(db.session.get(CampaignItem, item_id), free_units(item_id))
    admission = redis_gate.admit(digest(token), item_id, quantity, client_key, now)
    if admission.unpublished:
        raise Conflict("This flash sale is not open", code="campaign_not_live")
    return admission


def _account_or_401(token: str) -> int:
    account = authenticate_and_cache(token)
    if account is None:
        raise AuthenticationFailed("Your session has expired or was logged out; log in again", code="invalid_token")
    return account.id


def _shopper_context(account_id: int):
    row = db.session.execute(
        sa.select(Group.id, Group.name, Group.leader_id, Leader.display_name, PickupPoint.id, PickupPoint.name,
                  PickupPoint.address)
        .select_from(Binding).join(Group, Group.id == Binding.group_id)
        .join(PickupPoint, PickupPoint.id == Group.pickup_point_id).outerjoin(Leader, Leader.id == Group.leader_id)
        .where(Binding.account_id == account_id, Binding.ended_at.is_(None))).first()
    if row is None:
        raise Conflict("Join a group through its link before ordering", code="not_in_a_group")
    return row


def persist(account_id: int, item_id: int, quantity: int, client_key: str, now: dt.datetime, *,
            admitted: bool = False) -> Reservation:
    """The database write of a reservation: guarded, all or nothing, one commit.

    Without the Redis gate (`admitted` False), a plain read turns the crowd away once the item is
    sold out, before any write or lock: most attempts on a hot flash sale come after that moment."""
    item = flash_item(item_id)
    campaign = item.campaign
    require_live(campaign, now)
    ctx = _shopper_context(account_id)
    member = is_member(account_id) if (campaign.members_only or campaign.stackable) else False
    require_eligible(campaign, ctx[0], member)
    if not admitted and (free := free_units(item_id)) < quantity:
        db.session.rollback()
        raise InsufficientStock(f"Only {free} left" if free > 0 else "This campaign item is sold out",
                                details={"campaign_item_id": item_id, "requested": quantity})
    unit = item.price
    if campaign.stackable and member and item.member_price is not None:
        unit = max(unit - (item.list_price - item.member_price), 0)
    expires_at = now + dt.timedelta(minutes=campaign.hold_minutes)
    number, total = new_code(8), unit * quantity
    pickup_date = _pickup_date(ctx[0], now)
    order_id = db.session.execute(
        campaign_stock._insert(Order.__table__).values(
            number=number, pickup_code=new_code(8), account_id=account_id, group_id=ctx[0], group_name=ctx[1],
            leader_id=ctx[2], leader_name=ctx[3], pickup_point_id=ctx[4], pickup_point_name=ctx[5],
            pickup_point_address=ctx[6], status=OrderStatus.PENDING_PAYMENT.value, payment_method="stripe",
            currency=current_app.config["STORE_CURRENCY"], subtotal_cents=total, total_cents=total, paid_cents=0,
            refunded_cents=0, expires_at=expires_at, pickup_date=pickup_date, fulfilment=Fulfilment.PENDING.value,
            code_failures=0, campaign_id=campaign.id, client_key=client_key, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["account_id", "client_key"]).returning(Order.__table__.c.id)
    ).scalar()
    if order_id is None:
        db.session.rollback()
        return _replay(account_id, client_key)
    campaign_stock.take_allowance(item_id, account_id, quantity, campaign.per_person_limit)
    campaign_stock.hold(order_id, item_id, account_id, quantity, expires_at)
    db.session.execute(sa.insert(OrderLine.__table__).values(
        order_id=order_id, sku_id=item.sku_id, product_id=item.product_id, product_name=item.product_name,
        sku_name=item.sku_name, sku_code=item.sku_code, unit_price_cents=unit, list_price_cents=item.list_price,
        price_rule=CampaignKind.FLASH_SALE.value, campaign_item_id=item_id, campaign_id=campaign.id,
        quantity=quantity,
        line_total_cents=total, refunded_quantity=0, refunded_cents=0, shorted_quantity=0, picked_up_quantity=0,
        restocked_quantity=0))
    db.session.commit()
    return Reservation(order_id, number, OrderStatus.PENDING_PAYMENT.value, quantity, unit, total,
                       current_app.config["STORE_CURRENCY"], expires_at, pickup_date, replayed=False)


def _replay(account_id: int, client_key: str) -> Reservation:
    order = db.session.scalar(sa.select(Order).where(Order.account_id == account_id, Order.client_key == client_key))
    if order is None:  # the first attempt failed and left nothing: nothing to replay
        raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly",
                       code="idempotency_key_in_use")
    line = order.lines[0]
    return Reservation(order.id, order.number, order.effective_status, line.quantity, line.unit_price_cents,
                       order.total_cents, order.currency, order.expires_at, order.pickup_date, replayed=True)


def free_units(item_id: int) -> int:
    total, reserved, sold = campaign_stock.counts(item_id)
    return total - reserved - sold


def reconcile(item_id: int | None = None) -> dict[str, int]:
    """Compare each live flash item's Redis counters with the database and repair them."""
    if not redis_gate.enabled():
        return {"items": 0, "repaired": 0}
    now = utcnow()
    query = sa.select(CampaignItem).join(Campaign).where(
        Campaign.kind == CampaignKind.FLASH_SALE, Campaign.review == Review.APPROVED, Campaign.ends_at > now)
    if item_id is not None:
        query = query.where(CampaignItem.id == item_id)
    items = list(db.session.scalars(query))
    repaired = 0
    for item in items:
        left, buyers = redis_gate.counters(item.id)
        free = free_units(item.id)
        held = {a: int(q) for a, q in db.session.execute(campaign_stock.counted_units(item.id)).all() if q}
        if left != free or buyers != held:
            redis_gate.publish(item, free)
            repaired += 1
    return {"items": len(items), "repaired": repaired}
