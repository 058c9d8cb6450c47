"""After-sale requests: a shopper opens one on an order line within the window after pickup, adds
photos; the pickup point's leader reviews it (confirm or dispute, with a note and photos) before a
deadline the merchant sets; the shopper may withdraw it while open. Decisions: decisions.py."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.aftersales import photos as photo_checks
from app.aftersales.models import (
    OPEN,
    AfterSaleEvent,
    AfterSalePhoto,
    AfterSaleRequest,
    AfterSaleRules,
    LeaderVerdict,
    Reason,
    Status,
)
from app.aftersales.notify import tell_shopper
from app.aftersales.storage import new_key, storage
from app.db import utcnow
from app.errors import Conflict, InvalidRequest, PermissionDenied, not_found
from app.extensions import db
from app.i18n import _
from app.orders.models import Fulfilment, Order
from app.pickup_points.models import PickupPoint

NO_SYNC = {"synchronize_session": False}
AFTER_PICKUP = (Fulfilment.PICKED_UP, Fulfilment.PARTIALLY_PICKED_UP)


def rules() -> AfterSaleRules:
    row = db.session.get(AfterSaleRules, 1)
    if row is None:
        try:
            with db.session.begin_nested():
                row = AfterSaleRules(id=1, leader_review_hours=24, auto_approve_max_cents=0,
                                     auto_approve_max_rate_bps=1000, cash_refund_by="leader")
                db.session.add(row)
        except IntegrityError:
            row = db.session.get(AfterSaleRules, 1)
    return row


def update_rules(data: dict) -> AfterSaleRules:
    row = rules()
    for key in ("leader_review_hours", "auto_approve_max_cents", "auto_approve_max_rate_bps", "cash_refund_by"):
        if key in data:
            setattr(row, key, data[key])
    db.session.commit()
    return row


def window_closes_at(order: Order) -> dt.datetime | None:
    """The end of the after-sale window: the one commission settlement waits for, from pickup."""
    from app.commissions.rules import settings as commission_settings

    if order.picked_up_at is None:
        return None
    return order.picked_up_at + dt.timedelta(days=commission_settings().after_sale_days)


def get_request(request_id: int) -> AfterSaleRequest:
    row = db.session.get(AfterSaleRequest, request_id)
    if row is None:
        raise not_found("aftersale_request", id=request_id)
    return row


def own_request(account_id: int, request_id: int) -> AfterSaleRequest:
    """A shopper sees only their own requests; someone else's is simply not found."""
    row = db.session.get(AfterSaleRequest, request_id)
    if row is None or row.account_id != account_id:
        raise not_found("aftersale_request", id=request_id)
    return row


def leader_request(leader_id: int, request_id: int) -> AfterSaleRequest:
    row = get_request(request_id)
    if db.session.get(PickupPoint, row.pickup_point_id).leader_id != leader_id:
        raise PermissionDenied(_("This request is for another leader's pickup point"), code="not_your_pickup_point")
    return row


def record(row: AfterSaleRequest, kind: str, actor_id: int | None, role: str, note: str | None = None) -> None:
    db.session.add(AfterSaleEvent(request_id=row.id, actor_id=actor_id, actor_role=role, kind=kind,
                                  status=row.status.value, note=note))


def _line_of(account_id: int, order_id: int, line_id: int):
    order = db.session.get(Order, order_id)
    if order is None or order.account_id != account_id:
        raise not_found("order", id=order_id)
    line = next((ln for ln in order.lines if ln.id == line_id), None)
    if line is None:
        raise InvalidRequest(_("That line is not in this order"), code="unknown_order_line",
                             details={"order_line_id": line_id})
    return order, line


def open_request(account_id: int, order_id: int, data: dict) -> AfterSaleRequest:
    """Ask for help on one line: within the window after pickup, for units not yet refunded, one
    open request per line. Small claims may be approved at once by the merchant's rules."""
    order, line = _line_of(account_id, order_id, data["order_line_id"])
    closes = window_closes_at(order)
    if order.fulfilment not in AFTER_PICKUP or closes is None:
        raise Conflict(_("After-sales open once the order is picked up"), code="not_picked_up",
                       details={"fulfilment": order.fulfilment.value})
    if utcnow() >= closes:
        raise Conflict(_("The after-sale window for this order has closed"), code="aftersale_window_closed",
                       details={"closed_at": closes.isoformat()})
    left = line.quantity - line.refunded_quantity
    if data["quantity"] > left:
        raise InvalidRequest(_("Only %(left)s units of this line can still be claimed", left=left),
                             code="quantity_exceeds_line", details={"claimable": left})
    now = utcnow()
    row = AfterSaleRequest(
        order_id=order.id, order_line_id=line.id, account_id=account_id, pickup_point_id=order.pickup_point_id,
        leader_id=db.session.get(PickupPoint, order.pickup_point_id).leader_id, batch_id=order.batch_id,
        product_id=line.product_id, reason=Reason(data["reason"]), quantity=data["quantity"],
        description=data.get("description") or "", claim_cents=line.amount_of(data["quantity"]),
        status=Status.AWAITING_LEADER, review_due_at=now + dt.timedelta(hours=rules().leader_review_hours),
        refund_cents=0, replacement_quantity=0)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise Conflict(_("This line already has an open after-sale request"), code="aftersale_already_open",
                       details={"order_line_id": line.id}) from None
    record(row, "opened", account_id, "shopper", row.description or None)
    tell_shopper(row, "aftersale.opened", _("After-sale request received"),
                 _("We received your request about %(product)s; the pickup point will look at it.",
                   product=line.product_name))
    from app.aftersales.decisions import auto_approve

    refund_id = auto_approve(row)
    db.session.commit()
    if refund_id is not None:
        from app.payments.refunds import complete_refund

        complete_refund(refund_id)
    return get_request(row.id)


def add_photo(row: AfterSaleRequest, raw: bytes, account_id: int, role: str) -> AfterSalePhoto:
    """Attach a checked, re-encoded photo to an open request (shopper or the point's leader)."""
    if row.status not in OPEN:
        raise Conflict(_("Photos can be added only while the request is open"), code="aftersale_closed")
    if len(row.photos) >= photo_checks.MAX_PHOTOS:
        raise Conflict(_("At most %(count)s photos per request", count=photo_checks.MAX_PHOTOS),
                       code="too_many_photos")
    clean = photo_checks.clean(raw, current_app.config["AFTERSALE_PHOTO_MAX_BYTES"])
    key = new_key(row.id)
    storage().put(key, clean.data, clean.content_type)
    photo = AfterSalePhoto(request_id=row.id, uploaded_by_id=account_id, uploaded_as=role, storage_key=key,
                           content_type=clean.content_type, width=clean.width, height=clean.height,
                           size_bytes=len(clean.data))
    db.session.add(photo)
    db.session.commit()
    return photo


def photo_bytes(row: AfterSaleRequest, photo_id: int) -> tuple[bytes, str]:
    photo = next((p for p in row.photos if p.id == photo_id), None)
    if photo is None:
        raise not_found("photo", id=photo_id)
    return storage().get(photo.storage_key), photo.content_type


def _move(row: AfterSaleRequest, from_states: tuple[Status, ...], **values) -> bool:
    return bool(db.session.execute(sa.update(AfterSaleRequest).where(
        AfterSaleRequest.id == row.id, AfterSaleRequest.status.in_(from_states))
        .values(**values).execution_options(**NO_SYNC)).rowcount)


def review(row: AfterSaleRequest, account_id: int, verdict: str, note: str | None) -> AfterSaleRequest:
    """The leader confirms what they see at the point, or disputes it; the merchant decides next."""
    if not _move(row, (Status.AWAITING_LEADER,), status=Status.AWAITING_MERCHANT,
                 leader_verdict=LeaderVerdict(verdict), leader_note=note, leader_reviewed_at=utcnow(),
                 leader_reviewed_by_id=account_id):
        db.session.rollback()
        raise Conflict(_("This request is not waiting for the leader's review"), code="aftersale_state_conflict",
                       details={"status": get_request(row.id).status.value})
    db.session.refresh(row)
    record(row, f"leader_{verdict}", account_id, "leader", note)
    tell_shopper(row, "aftersale.reviewed", _("Your pickup point has looked at your request"),
                 _("The merchant will decide on your request next."))
    db.session.commit()
    return row


def withdraw(row: AfterSaleRequest, account_id: int) -> AfterSaleRequest:
    if not _move(row, OPEN, status=Status.WITHDRAWN, decided_at=utcnow()):
        db.session.rollback()
        raise Conflict(_("Only an open request can be withdrawn"), code="aftersale_state_conflict",
                       details={"status": get_request(row.id).status.value})
    db.session.refresh(row)
    record(row, "withdrawn", account_id, "shopper")
    db.session.commit()
    return row
