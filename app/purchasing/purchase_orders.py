"""Purchase orders: confirmed from the plan (once per confirm key), edited while draft, then
draft → sent → partly received → received, or cancelled from draft or sent. Every change of state
is one guarded UPDATE on the expected state, so two staff racing cannot both win; a move the state
does not allow is 409 purchase_order_state_conflict.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.catalog.models import Sku
from app.db import utcnow
from app.errors import Conflict, InvalidRequest, not_found
from app.extensions import db
from app.i18n import _
from app.purchasing.models import PoStatus, PurchaseOrder, PurchaseOrderLine, Supplier, SupplierSku
from app.purchasing.suppliers import get_supplier

NO_SYNC = {"synchronize_session": False}
# state → the states it may move to by hand (receipts move sent/partly received on their own)
MOVES = {"send": ((PoStatus.DRAFT,), PoStatus.SENT),
         "cancel": ((PoStatus.DRAFT, PoStatus.SENT), PoStatus.CANCELLED)}


def get_order(po_id: int) -> PurchaseOrder:
    po = db.session.get(PurchaseOrder, po_id)
    if po is None:
        raise not_found("purchase_order", purchase_order_id=po_id)
    return po


def list_orders(*, delivery_date: dt.date | None = None, status: str | None = None,
                supplier_id: int | None = None) -> sa.Select:
    query = sa.select(PurchaseOrder).order_by(PurchaseOrder.delivery_date.desc(), PurchaseOrder.id.desc())
    if delivery_date:
        query = query.where(PurchaseOrder.delivery_date == delivery_date)
    if status:
        query = query.where(PurchaseOrder.status == PoStatus(status))
    if supplier_id:
        query = query.where(PurchaseOrder.supplier_id == supplier_id)
    return query


def _lines(supplier: Supplier, lines: list[dict]) -> list[PurchaseOrderLine]:
    """Lines at the supplier's cost unless staff gave one; each at least the supplier's minimum."""
    if len({ln["sku_id"] for ln in lines}) != len(lines):
        raise InvalidRequest(_("Each SKU may appear once in a purchase order"), code="duplicate_sku")
    offers = {o.sku_id: o for o in db.session.scalars(sa.select(SupplierSku).where(
        SupplierSku.supplier_id == supplier.id, SupplierSku.sku_id.in_([ln["sku_id"] for ln in lines])))}
    built = []
    for ln in lines:
        offer = offers.get(ln["sku_id"])
        if offer is None:
            if db.session.get(Sku, ln["sku_id"]) is None:
                raise not_found("sku", sku_id=ln["sku_id"])
            raise InvalidRequest(_("This supplier does not supply that SKU"), code="sku_not_supplied",
                                 details={"sku_id": ln["sku_id"], "supplier_id": supplier.id})
        if ln["quantity"] < offer.min_units:
            raise InvalidRequest(_("Below the supplier's minimum of %(units)s units", units=offer.min_units),
                                 code="below_minimum_units", details={"sku_id": ln["sku_id"],
                                                                       "min_units": offer.min_units})
        cost = ln.get("unit_cost_cents")
        built.append(PurchaseOrderLine(sku_id=ln["sku_id"], quantity=ln["quantity"],
                                       unit_cost_cents=offer.cost_cents if cost is None else cost))
    total = sum(b.quantity * b.unit_cost_cents for b in built)
    if total < supplier.min_order_cents:
        raise InvalidRequest(_("The order is below the supplier's minimum amount"), code="below_minimum_amount",
                             details={"total_cents": total, "min_order_cents": supplier.min_order_cents})
    return built


def confirm(*, supplier_id: int, delivery_date: dt.date, lines: list[dict], confirm_key: str,
            note: str | None = None, actor_id: int | None = None) -> tuple[PurchaseOrder, bool]:
    """Make a draft purchase order from a proposal; the same confirm key again returns the first
    one (created=False), also when two requests race (the unique key decides)."""
    existing = _by_key(confirm_key)
    if existing:
        return existing, False
    supplier = get_supplier(supplier_id)
    if not supplier.active:
        raise Conflict(_("This supplier is inactive"), code="supplier_inactive", details={"supplier_id": supplier_id})
    built = _lines(supplier, lines)
    po = PurchaseOrder(number=_number(delivery_date), supplier_id=supplier_id, delivery_date=delivery_date,
                       confirm_key=confirm_key, note=note, created_by=actor_id, lines=built,
                       total_cents=sum(b.quantity * b.unit_cost_cents for b in built))
    db.session.add(po)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = _by_key(confirm_key)
        if existing is None:
            raise
        return existing, False
    return po, True


def _by_key(key: str) -> PurchaseOrder | None:
    return db.session.scalar(sa.select(PurchaseOrder).where(PurchaseOrder.confirm_key == key))


def _number(day: dt.date) -> str:
    from app.codes import new_code

    return f"PO{day:%y%m%d}{new_code(6)}"


def edit_draft(po_id: int, *, lines: list[dict] | None = None, note: str | None = None) -> PurchaseOrder:
    """Staff change a draft's lines or note; once sent it is the supplier's copy and stays."""
    po = get_order(po_id)
    if po.status is not PoStatus.DRAFT:
        _refuse(po, _("Only a draft purchase order can be edited"))
    if lines is not None:
        built = _lines(po.supplier, lines)
        po.lines.clear()
        db.session.flush()
        po.lines.extend(built)
        po.total_cents = sum(b.quantity * b.unit_cost_cents for b in built)
    if note is not None:
        po.note = note
    # Guarded on the state: a send racing this edit leaves the sent copy untouched.
    if not db.session.execute(sa.update(PurchaseOrder).where(PurchaseOrder.id == po_id,
                              PurchaseOrder.status == PoStatus.DRAFT).values(updated_at=utcnow())
                              .execution_options(**NO_SYNC)).rowcount:
        db.session.rollback()
        _refuse(get_order(po_id), _("Only a draft purchase order can be edited"))
    db.session.commit()
    return po


def move(po_id: int, action: str) -> PurchaseOrder:
    """send: draft → sent; cancel: draft or sent → cancelled."""
    allowed, target = MOVES[action]
    stamp = {"sent_at" if target is PoStatus.SENT else "cancelled_at": utcnow()}
    changed = db.session.execute(sa.update(PurchaseOrder).where(
        PurchaseOrder.id == po_id, PurchaseOrder.status.in_(allowed)).values(status=target, **stamp)
        .execution_options(**NO_SYNC)).rowcount
    if not changed:
        po = get_order(po_id)
        _refuse(po, _("A purchase order in this state cannot be changed so"))
    db.session.commit()
    po = get_order(po_id)
    db.session.refresh(po)
    return po


def _refuse(po: PurchaseOrder, message: str) -> None:
    raise Conflict(message, code="purchase_order_state_conflict", details={"status": po.status.value})


def printable_lines(po: PurchaseOrder) -> list[dict]:
    """The order's lines with what the supplier needs to read: code, names, quantity and cost."""
    from app.catalog.models import Product

    names = {sku_id: (code, product, variant) for sku_id, code, product, variant in db.session.execute(
        sa.select(Sku.id, Sku.code, Product.name, Sku.name).join(Product, Product.id == Sku.product_id)
        .where(Sku.id.in_([ln.sku_id for ln in po.lines])))}
    return [{"sku_code": names[ln.sku_id][0], "product_name": names[ln.sku_id][1], "sku_name": names[ln.sku_id][2],
             "quantity": ln.quantity, "unit_cost_cents": ln.unit_cost_cents,
             "line_cost_cents": ln.quantity * ln.unit_cost_cents} for ln in po.lines]
