"""Receiving goods against a purchase order, and the discrepancies per supplier.

Per line the warehouse counts units accepted, rejected (with a reason) and short (never arrived).
Accepted units go into stock through app.inventory.movements.receive (reason `received`, reference
"receipt"), in the same transaction as the receipt. The purchase order's row is locked first by a
guarded UPDATE on its state, so receipts of one order run one after the other and a cancel racing a
receipt leaves exactly one of them standing; each line's counts grow by a guarded UPDATE that keeps
accepted + rejected + short within what was ordered.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from app.db import utcnow
from app.errors import Conflict, InvalidRequest
from app.extensions import db
from app.i18n import _
from app.inventory import movements
from app.purchasing.models import PoStatus, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine, Supplier
from app.purchasing.purchase_orders import _refuse, get_order

# Short names for the grouped statements below.
Line, Po = PurchaseOrderLine, PurchaseOrder
RECEIVABLE = (PoStatus.SENT, PoStatus.PARTLY_RECEIVED)
NO_SYNC = {"synchronize_session": False}


def _check(po: PurchaseOrder, lines: list[dict]) -> dict[int, PurchaseOrderLine]:
    by_sku = {ln.sku_id: ln for ln in po.lines}
    if len({ln["sku_id"] for ln in lines}) != len(lines):
        raise InvalidRequest(_("Each SKU may appear once in a receipt"), code="duplicate_sku")
    for ln in lines:
        if ln["sku_id"] not in by_sku:
            raise InvalidRequest(_("That SKU is not on this purchase order"), code="sku_not_on_order",
                                 details={"sku_id": ln["sku_id"]})
        if ln.get("rejected") and not (ln.get("reject_reason") or "").strip():
            raise InvalidRequest(_("Say why units were rejected"), code="reject_reason_required",
                                 details={"sku_id": ln["sku_id"]})
    if not any(ln.get("accepted") or ln.get("rejected") or ln.get("short") for ln in lines):
        raise InvalidRequest(_("A receipt must count at least one unit"), code="empty_receipt")
    return by_sku


def receive(po_id: int, lines: list[dict], *, note: str | None = None, actor_id: int | None = None) -> Receipt:
    """Check in a delivery: accepted units into stock, rejected and short recorded; the order's
    state follows (received once every unit is accounted for)."""
    po = get_order(po_id)
    by_sku = _check(po, lines)
    if not db.session.execute(sa.update(PurchaseOrder).where(PurchaseOrder.id == po_id,
                              PurchaseOrder.status.in_(RECEIVABLE)).values(updated_at=utcnow())
                              .execution_options(**NO_SYNC)).rowcount:
        _refuse(po, _("Goods can be received only against a sent purchase order"))
    receipt = Receipt(purchase_order_id=po_id, actor_id=actor_id, note=note)
    db.session.add(receipt)
    db.session.flush()
    for ln in sorted(lines, key=lambda x: x["sku_id"]):  # SKU order: no deadlock with other stock writers
        _count(receipt, by_sku[ln["sku_id"]], ln, actor_id)
    _follow(po_id)
    db.session.commit()
    db.session.refresh(po)
    return receipt


def _count(receipt: Receipt, po_line: PurchaseOrderLine, ln: dict, actor_id: int | None) -> None:
    accepted, rejected, short = ln.get("accepted", 0), ln.get("rejected", 0), ln.get("short", 0)
    counted = Line.accepted + Line.rejected + Line.short
    if not db.session.execute(sa.update(Line).where(
            Line.id == po_line.id, counted + accepted + rejected + short <= Line.quantity)
            .values(accepted=Line.accepted + accepted, rejected=Line.rejected + rejected, short=Line.short + short)
            .execution_options(**NO_SYNC)).rowcount:
        db.session.rollback()
        db.session.refresh(po_line)
        raise Conflict(_("More units than are still expected on this line"), code="receipt_exceeds_ordered",
                       details={"sku_id": po_line.sku_id, "outstanding": po_line.outstanding})
    db.session.add(ReceiptLine(receipt_id=receipt.id, purchase_order_line_id=po_line.id, sku_id=po_line.sku_id,
                               accepted=accepted, rejected=rejected, short=short,
                               reject_reason=(ln.get("reject_reason") or "").strip() or None))
    if accepted:
        movements.receive(po_line.sku_id, accepted, reference_type="receipt", reference_id=receipt.id,
                          actor_id=actor_id, note=receipt.note)


def _follow(po_id: int) -> None:
    outstanding = db.session.scalar(sa.select(sa.func.sum(Line.quantity - Line.accepted - Line.rejected - Line.short))
                                    .where(Line.purchase_order_id == po_id))
    done = not outstanding
    db.session.execute(sa.update(PurchaseOrder).where(PurchaseOrder.id == po_id).values(
        status=PoStatus.RECEIVED if done else PoStatus.PARTLY_RECEIVED,
        received_at=utcnow() if done else None).execution_options(**NO_SYNC))


def receipts_of(po_id: int) -> list[Receipt]:
    get_order(po_id)
    return list(db.session.scalars(sa.select(Receipt).where(Receipt.purchase_order_id == po_id).order_by(Receipt.id)))


def discrepancies(from_date: dt.date, to_date: dt.date) -> list[dict]:
    """Per supplier, over purchase orders due in [from_date, to_date]: ordered, accepted, rejected
    (by reason) and short units, and the share of ordered units that did not arrive usable."""
    window = sa.and_(Po.delivery_date >= from_date, Po.delivery_date <= to_date, Po.status != PoStatus.CANCELLED)
    rows = db.session.execute(
        sa.select(Supplier.id, Supplier.name, sa.func.count(sa.distinct(Po.id)), sa.func.sum(Line.quantity),
                  sa.func.sum(Line.accepted), sa.func.sum(Line.rejected), sa.func.sum(Line.short))
        .join(Po, Po.supplier_id == Supplier.id).join(Line, Line.purchase_order_id == Po.id).where(window)
        .group_by(Supplier.id, Supplier.name).order_by(Supplier.name)).all()
    reasons: dict[int, dict[str, int]] = defaultdict(dict)
    for sid, reason, units in db.session.execute(
            sa.select(Po.supplier_id, ReceiptLine.reject_reason, sa.func.sum(ReceiptLine.rejected))
            .join(Receipt, Receipt.id == ReceiptLine.receipt_id).join(Po, Po.id == Receipt.purchase_order_id)
            .where(window, ReceiptLine.rejected > 0).group_by(Po.supplier_id, ReceiptLine.reject_reason)):
        reasons[sid][reason] = int(units)
    return [{"supplier_id": sid, "supplier_name": name, "purchase_orders": pos, "ordered": int(ordered),
             "accepted": int(acc), "rejected": int(rej), "short": int(short),
             "discrepancy_rate": round((int(rej) + int(short)) / int(ordered), 4) if ordered else 0.0,
             "reject_reasons": reasons.get(sid, {})}
            for sid, name, pos, ordered, acc, rej, short in rows]
