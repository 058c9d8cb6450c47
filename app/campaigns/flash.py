"""Flash-sale reservations: the hot path, kept lean on purpose (no ORM objects, few round trips).

An attempt either reserves units — an unpaid order holding campaign stock for the campaign's
hold_minutes — or is turned away (sold out, over the per-person limit, not live, not eligible).
With Redis, the gate turns most of a crowd away without touching PostgreSQL; without it, the
guarded statements do it: on PostgreSQL a read-only peek, then two statements for an attempt that
can succeed (flash_sql); statement by statement elsewhere. Either way the database is the source
of truth. The edge gate (blueprints/store/flash_gate.py) asks the first question — Redis, or the
peek — in front of Flask, with `refusal` deciding as the route does.

Idempotent per (shopper, Idempotency-Key): the order's unique (account_id, client_key) decides; a
duplicate — earlier or concurrent — gets the original reservation back.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from psycopg.pq import TransactionStatus

from app.accounts.models import Account, AccountKind, AuthToken
from app.accounts.services import authenticate_and_cache, digest
from app.campaigns import flash_sql, redis_gate
from app.campaigns import stock as campaign_stock
from app.campaigns.models import Campaign, CampaignItem, CampaignKind, Review
from app.campaigns.phases import Phase, phase, require_eligible, require_live
from app.codes import new_code
from app.db import utcnow
from app.errors import AuthenticationFailed, Conflict, DomainError, PermissionDenied, not_found
from app.extensions import db
from app.groups.models import Binding, Group
from app.i18n import _
from app.idempotency.service import POLL_SECONDS, WAIT_SECONDS
from app.inventory.stock import InsufficientStock
from app.leaders.models import Leader
from app.members.services import is_member
from app.metrics import FLASH_REFUSALS
from app.orders.models import Fulfilment, Order, OrderLine, OrderStatus
from app.pickup.schedule import slot_of_group
from app.pickup_points.models import PickupPoint

CACHE_SECONDS = 60  # approved campaigns are immutable, so their items can be cached
_items: dict[int, tuple[float, FlashItem]] = {}
_pickup_dates: dict[int, tuple[float, dt.datetime, dt.date]] = {}


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
    category_id: int | None
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


def cached_item(item_id: int) -> FlashItem | None:
    """The item if this process has it cached and fresh (no database needed), else None."""
    cached = _items.get(item_id)
    return cached[1] if cached and cached[0] > time.monotonic() else None


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
    meta = FlashItem(item.id, campaign, sku.id, sku.product_id, sku.product.name, sku.product.category_id, sku.name,
                     sku.code,
                     sku.price_cents, sku.member_price_cents, item.campaign_price_cents)
    _items[item_id] = (time.monotonic() + CACHE_SECONDS, meta)
    return meta


def clear_caches() -> None:
    """Forget cached items and pickup dates (tests, whose databases reuse ids)."""
    _items.clear()
    _pickup_dates.clear()


def _pickup_date(group_id: int, now: dt.datetime) -> dt.date:
    # Recomputed at most every 30 s per group, and never past the cut-off it was computed under: a
    # reservation one second after the cut-off belongs to the next day whatever the cache holds.
    cached = _pickup_dates.get(group_id)
    if cached and cached[0] > time.monotonic() and now < cached[1]:
        return cached[2]
    slot = slot_of_group(db.session.get(Group, group_id), now)
    _pickup_dates[group_id] = (time.monotonic() + 30, slot.order_cutoff, slot.date)
    return slot.date


def reserve(*, token: str, item_id: int, quantity: int, client_key: str,
            admitted: redis_gate.Admission | None = None, peeked: bool = False) -> Reservation:
    """Reserve flash-sale units for the holder of `token`. The edge gate
    (blueprints/store/flash_gate.py) may have asked already: `admitted` through Redis (at
    `admitted.now`), or `peeked` in the database, finding that the attempt can go ahead."""
    token_digest = digest(token)
    if admitted is None and not redis_gate.enabled():
        return persist(token_digest, item_id, quantity, client_key, utcnow(), peek_first=not peeked)
    if admitted is not None:
        admitted.consumed = True  # from here on this path writes the order or gives the units back
        admission, now = admitted, admitted.now
    else:
        now = utcnow()
        admission = _admit(token, token_digest, item_id, quantity, client_key, now)
    if admission.replay:
        return _replay(admission.account_id, client_key)
    try:
        return persist(token_digest, item_id, quantity, client_key, now)
    except BaseException:
        db.session.rollback()
        redis_gate.give_back(item_id, admission.account_id, quantity, client_key)
        raise


def _admit(token: str, token_digest: str, item_id: int, quantity: int, client_key: str,
           now: dt.datetime) -> redis_gate.Admission:
    admission = redis_gate.admit(token_digest, item_id, quantity, client_key, now)
    if admission is None:  # token not cached yet: check it once in the database
        _account_or_401(token)
        admission = redis_gate.admit(token_digest, item_id, quantity, client_key, now)
    if admission.unpublished:
        admission = _publish_and_retry(token, item_id, quantity, client_key, now)
    return admission


def _publish_and_retry(token: str, item_id: int, quantity: int, client_key: str, now: dt.datetime):
    """The gate does not know this item: unknown (404), or approved while Redis was away (publish it)."""
    flash_item(item_id)  # raises 404 unless it is an approved flash-sale item
    redis_gate.publish(db.session.get(CampaignItem, item_id), free_units(item_id))
    admission = redis_gate.admit(digest(token), item_id, quantity, client_key, now)
    if admission.unpublished:
        raise Conflict(_("This flash sale is not open"), code="campaign_not_live")
    return admission


def _account_or_401(token: str) -> int:
    account = authenticate_and_cache(token)
    if account is None:
        raise _invalid_token()
    return account.id


def _invalid_token() -> AuthenticationFailed:
    return AuthenticationFailed(_("Your session has expired or was logged out; log in again"), code="invalid_token")


def _sold_out(item_id: int, quantity: int, free: int) -> InsufficientStock:
    return InsufficientStock(_("Only %(left)s left", left=free) if free > 0 else _("This campaign item is sold out"),
                             details={"campaign_item_id": item_id, "requested": quantity})


@dataclass(frozen=True)
class Shopper:
    """Who is buying, and where they pick up (copied onto the order)."""

    account_id: int
    group_id: int | None
    group_name: str | None
    leader_id: int | None
    leader_name: str | None
    point_id: int | None
    point_name: str | None
    point_address: str | None
    member: bool


def persist(token_digest: str, item_id: int, quantity: int, client_key: str, now: dt.datetime, *,
            peek_first: bool = False) -> Reservation:
    """The database write of a reservation: authenticated, guarded, all or nothing, one commit.
    On PostgreSQL two statements do it (flash_sql); elsewhere, or when they cannot, the general
    path below, statement by statement. `peek_first` (no Redis gate in front): ask without the
    lock first, so that the crowd after a sell-out costs one read-only round trip each."""
    if db.engine.dialect.name != "postgresql":
        shopper = _shopper(token_digest, now)
        return _persist_general(shopper, flash_item(item_id), quantity, client_key, now)
    item = flash_item(item_id)
    campaign = item.campaign
    params = statement_params(item, token_digest, quantity, client_key, now)
    connection = flash_sql.driver_connection()
    if peek_first:
        row = flash_sql.peek(connection, **params)
        if row is not None and row.go:  # it can succeed: ask again in a transaction, under the lock
            row = flash_sql.context(connection, **params)
    else:
        row = flash_sql.context(connection, **params)
    if not (row is not None and row.go):
        _end_read_only(connection)
        if (error := refusal(item, row, quantity, now)) is not None:
            raise error
        return _replay(row.account_id, client_key)  # no refusal and no go: this key's order exists
    shopper = _shopper_of(row)
    unit = _check_and_price(item, shopper, now)
    limit = campaign.per_person_limit
    expires_at = now + dt.timedelta(minutes=campaign.hold_minutes)
    number, total, pickup_date = new_code(8), unit * quantity, _pickup_date(shopper.group_id, now)
    taken = flash_sql.take(
        connection, account_id=shopper.account_id, client_key=client_key, item_id=item_id, now=now, qty=quantity,
        per_person=limit, number=number, pickup_code=new_code(8), group_id=shopper.group_id,
        group_name=shopper.group_name, leader_id=shopper.leader_id, leader_name=shopper.leader_name,
        point_id=shopper.point_id, point_name=shopper.point_name, point_address=shopper.point_address,
        currency=current_app.config["STORE_CURRENCY"], total=total, expires_at=expires_at, pickup_date=pickup_date,
        campaign_id=campaign.id, sku_id=item.sku_id, product_id=item.product_id, product_name=item.product_name,
        category_id=item.category_id, sku_name=item.sku_name, sku_code=item.sku_code, unit=unit,
        list_price=item.list_price)
    if taken.order_id is not None:
        db.session.commit()
        return Reservation(taken.order_id, number, OrderStatus.PENDING_PAYMENT.value, quantity, unit, total,
                           current_app.config["STORE_CURRENCY"], expires_at, pickup_date, replayed=False)
    if taken.existing is not None or taken.bucket_id is not None:  # a duplicate of this request got there first
        db.session.rollback()
        return _replay(shopper.account_id, client_key)
    if limit is not None and int(taken.held) + quantity > limit:  # another attempt of theirs got there first
        db.session.rollback()
        raise campaign_stock.OverLimit(_('At most %(limit)s per person', limit=limit), details={"limit": limit})
    # No single bucket could serve it now (spread thin, lapsed holds, all busy): the general path.
    return _persist_general(shopper, item, quantity, client_key, now)


def statement_params(item: FlashItem, token_digest: str, quantity: int, client_key: str, now: dt.datetime) -> dict:
    """The parameters of flash_sql's PEEK and CONTEXT for this attempt."""
    campaign = item.campaign
    return dict(
        digest=token_digest, now=now, item_id=item.item_id, qty=quantity, client_key=client_key,
        open=phase(campaign, now) is Phase.LIVE, all_groups=campaign.all_groups,
        group_ids=[g.id for g in campaign.groups], members_only=campaign.members_only,
        per_person=campaign.per_person_limit)


def refusal(item: FlashItem, row, quantity: int, now: dt.datetime) -> DomainError | None:
    """Why PEEK's or CONTEXT's row turns this attempt away — the error the route answers with —
    or None: it can go ahead, or it repeats an Idempotency-Key whose order exists (a replay).
    The edge gate (blueprints/store/flash_gate.py) asks the same, so both refuse alike."""
    error = _why_refused(item, row, quantity, now)
    if error is not None:
        FLASH_REFUSALS.labels(error.code).inc()
    return error


def _why_refused(item: FlashItem, row, quantity: int, now: dt.datetime) -> DomainError | None:
    if row is None:
        return _invalid_token()
    if row.kind != AccountKind.SHOPPER.value:
        return PermissionDenied(_("Staff accounts cannot use the shopper or leader API"), code="shoppers_only")
    if row.existing is not None:
        return None
    try:
        _check_and_price(item, _shopper_of(row), now)  # not live, not offered to this shopper
    except DomainError as error:
        return error
    if row.go:
        return None
    limit = item.campaign.per_person_limit
    if limit is not None and int(row.held) + quantity > limit:
        return campaign_stock.OverLimit(_('At most %(limit)s per person', limit=limit), details={"limit": limit})
    return _sold_out(item.item_id, quantity, int(row.free))


def _shopper_of(row) -> Shopper:
    return Shopper(row.account_id, row.group_id, row.group_name, row.leader_id, row.leader_name, row.point_id,
                   row.point_name, row.point_address, row.member)


def _end_read_only(connection) -> None:
    """Nothing was written. A transaction the statement began ends in COMMIT, which keeps psycopg's
    prepared statements (see flash_sql); after a peek none began, and the session's own COMMIT
    would only cost time."""
    if connection.info.transaction_status != TransactionStatus.IDLE:
        db.session.commit()


def _shopper(token_digest: str, now: dt.datetime) -> Shopper:
    row = db.session.execute(
        sa.select(Account.id, Account.kind, Group.id, Group.name, Group.leader_id, Leader.display_name,
                  PickupPoint.id, PickupPoint.name, PickupPoint.address)
        .select_from(AuthToken).join(Account, Account.id == AuthToken.account_id)
        .outerjoin(Binding, sa.and_(Binding.account_id == Account.id, Binding.ended_at.is_(None)))
        .outerjoin(Group, Group.id == Binding.group_id)
        .outerjoin(PickupPoint, PickupPoint.id == Group.pickup_point_id).outerjoin(Leader, Leader.id == Group.leader_id)
        .where(AuthToken.token_hash == token_digest, AuthToken.revoked_at.is_(None), AuthToken.expires_at > now,
               Account.is_active.is_(True))).first()
    if row is None:
        raise _invalid_token()
    if row[1] is not AccountKind.SHOPPER:
        raise PermissionDenied(_("Staff accounts cannot use the shopper or leader API"), code="shoppers_only")
    return Shopper(row[0], *row[2:], member=is_member(row[0]))


def _check_and_price(item: FlashItem, shopper: Shopper, now: dt.datetime) -> int:
    """The sale is open and offered to this shopper; returns the unit price they pay."""
    campaign = item.campaign
    require_live(campaign, now)
    require_eligible(campaign, shopper.group_id, shopper.member)
    unit = item.price
    if campaign.stackable and shopper.member and item.member_price is not None:
        unit = max(unit - (item.list_price - item.member_price), 0)
    return unit


def _persist_general(shopper: Shopper, item: FlashItem, quantity: int, client_key: str,
                     now: dt.datetime) -> Reservation:
    """Statement by statement, on any database: the order INSERT … ON CONFLICT DO NOTHING on
    (shopper, key) first, so a concurrent duplicate waits on it and then finds the original."""
    campaign = item.campaign
    unit = _check_and_price(item, shopper, now)
    if (free := free_units(item.item_id)) < quantity:  # turn the crowd away with a read once sold out
        db.session.rollback()
        raise _sold_out(item.item_id, quantity, free)
    expires_at = now + dt.timedelta(minutes=campaign.hold_minutes)
    number, total = new_code(8), unit * quantity
    pickup_date = _pickup_date(shopper.group_id, now)
    commission = _commission_params(item, shopper.account_id, now)
    order_id = db.session.execute(
        campaign_stock._insert(Order.__table__).values(
            number=number, pickup_code=new_code(8), account_id=shopper.account_id, group_id=shopper.group_id,
            group_name=shopper.group_name, leader_id=shopper.leader_id, leader_name=shopper.leader_name,
            pickup_point_id=shopper.point_id, pickup_point_name=shopper.point_name,
            pickup_point_address=shopper.point_address, status=OrderStatus.PENDING_PAYMENT.value,
            payment_method="stripe", currency=current_app.config["STORE_CURRENCY"], subtotal_cents=total,
            total_cents=total, paid_cents=0, refunded_cents=0, expires_at=expires_at, pickup_date=pickup_date,
            fulfilment=Fulfilment.PENDING.value, code_failures=0, campaign_id=campaign.id, client_key=client_key,
            referrer_account_id=commission["referrer_id"], created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["account_id", "client_key"]).returning(Order.__table__.c.id)
    ).scalar()
    if order_id is None:
        db.session.rollback()
        return _replay(shopper.account_id, client_key)
    campaign_stock.take_allowance(item.item_id, shopper.account_id, quantity, campaign.per_person_limit)
    campaign_stock.hold(order_id, item.item_id, shopper.account_id, quantity, expires_at)
    db.session.execute(sa.insert(OrderLine.__table__).values(
        order_id=order_id, sku_id=item.sku_id, product_id=item.product_id, product_name=item.product_name,
        sku_name=item.sku_name, sku_code=item.sku_code, unit_price_cents=unit, list_price_cents=item.list_price,
        price_rule=CampaignKind.FLASH_SALE.value, campaign_item_id=item.item_id, campaign_id=campaign.id,
        quantity=quantity, line_total_cents=total, refunded_quantity=0, refunded_cents=0, shorted_quantity=0,
        picked_up_quantity=0, restocked_quantity=0, commission_rule_id=commission["rule_id"],
        leader_rate_bps=commission["leader_bps"], referrer_rate_bps=commission["referrer_bps"]))
    db.session.commit()
    return Reservation(order_id, number, OrderStatus.PENDING_PAYMENT.value, quantity, unit, total,
                       current_app.config["STORE_CURRENCY"], expires_at, pickup_date, replayed=False)


def _commission_params(item: FlashItem, account_id: int, now: dt.datetime) -> dict:
    """The commission snapshot for a reservation written by the general path (flash_sql.TAKE
    chooses the same in SQL)."""
    from app.commissions.rules import rates_for
    from app.loyalty.referrals import referrer_of

    rates = rates_for([(item.product_id, item.category_id, item.campaign.id)], now)[0]
    return {"rule_id": rates.rule_id, "leader_bps": rates.leader_bps, "referrer_bps": rates.referrer_bps,
            "referrer_id": referrer_of(account_id)}


def _replay(account_id: int, client_key: str) -> Reservation:
    """The original reservation of this key. A concurrent duplicate can get here before the
    original committed (Redis admits the key at once; the order row comes a moment later), so it
    waits for it as every idempotent route does (app/idempotency), up to WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    query = sa.select(Order).where(Order.account_id == account_id, Order.client_key == client_key)
    while (order := db.session.scalar(query)) is None:
        if time.monotonic() >= deadline:  # still not there: the first attempt failed, or is stuck
            raise Conflict(_("A request with this Idempotency-Key is still being processed; retry shortly"),
                           code="idempotency_key_in_use")
        db.session.rollback()  # a fresh snapshot for the next look
        time.sleep(POLL_SECONDS)
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
