"""Suppliers, what each supplies at what cost, and the merchant's safety stock per SKU.

A cost change is a new row in the append-only cost history (cost_prices), never an edit, so margin
can be reported at the cost that held when a sale was made.
"""
from __future__ import annotations

import sqlalchemy as sa

from app.catalog.models import Sku
from app.errors import Conflict, not_found
from app.extensions import db
from app.i18n import _
from app.purchasing.models import CostPrice, SafetyStock, Supplier, SupplierSku

SUPPLIER_FIELDS = ("name", "contact_name", "phone", "email", "address", "note", "min_order_cents", "active")


def list_suppliers(active: bool | None = None) -> sa.Select:
    query = sa.select(Supplier).order_by(Supplier.name)
    return query if active is None else query.where(Supplier.active.is_(active))


def get_supplier(supplier_id: int) -> Supplier:
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        raise not_found("supplier", supplier_id=supplier_id)
    return supplier


def _name_taken(name: str, other_than: int | None) -> None:
    query = sa.select(Supplier.id).where(Supplier.name == name)
    if other_than:
        query = query.where(Supplier.id != other_than)
    if db.session.scalar(query):
        raise Conflict(_("A supplier with this name exists"), code="supplier_name_taken", details={"name": name})


def create_supplier(data: dict) -> Supplier:
    """A new supplier; names are unique so a purchase order names one supplier unmistakably."""
    _name_taken(data["name"], None)
    supplier = Supplier(**{k: v for k, v in data.items() if k in SUPPLIER_FIELDS})
    db.session.add(supplier)
    db.session.commit()
    return supplier


def update_supplier(supplier_id: int, data: dict) -> Supplier:
    supplier = get_supplier(supplier_id)
    if "name" in data:
        _name_taken(data["name"], supplier_id)
    for key, value in data.items():
        if key in SUPPLIER_FIELDS:
            setattr(supplier, key, value)
    db.session.commit()
    return supplier


def _sku(sku_id: int) -> Sku:
    sku = db.session.get(Sku, sku_id)
    if sku is None:
        raise not_found("sku", sku_id=sku_id)
    return sku


def set_offer(supplier_id: int, sku_id: int, *, cost_cents: int, lead_days: int = 0, min_units: int = 0,
              preferred: bool = False, actor_id: int | None = None) -> SupplierSku:
    """What the supplier charges for a SKU; a new or changed cost appends to the cost history."""
    get_supplier(supplier_id)
    _sku(sku_id)
    offer = db.session.scalar(sa.select(SupplierSku).where(SupplierSku.supplier_id == supplier_id,
                                                           SupplierSku.sku_id == sku_id))
    if offer is None:
        offer = SupplierSku(supplier_id=supplier_id, sku_id=sku_id, cost_cents=cost_cents)
        db.session.add(offer)
    elif offer.cost_cents == cost_cents:
        cost_cents = None  # unchanged: no history row
    if cost_cents is not None:
        offer.cost_cents = cost_cents
        db.session.add(CostPrice(sku_id=sku_id, supplier_id=supplier_id, cost_cents=cost_cents, actor_id=actor_id))
    offer.lead_days, offer.min_units, offer.preferred = lead_days, min_units, preferred
    if preferred:  # one preferred supplier per SKU: the others step back
        db.session.execute(sa.update(SupplierSku).where(SupplierSku.sku_id == sku_id,
                                                        SupplierSku.supplier_id != supplier_id)
                           .values(preferred=False).execution_options(synchronize_session=False))
    db.session.commit()
    return offer


def remove_offer(supplier_id: int, sku_id: int) -> None:
    """The supplier no longer supplies the SKU (its cost history stays)."""
    deleted = db.session.execute(sa.delete(SupplierSku).where(
        SupplierSku.supplier_id == supplier_id, SupplierSku.sku_id == sku_id)).rowcount
    if not deleted:
        raise not_found("supplier_sku", supplier_id=supplier_id, sku_id=sku_id)
    db.session.commit()


def cost_history(sku_id: int) -> list[CostPrice]:
    _sku(sku_id)
    return list(db.session.scalars(sa.select(CostPrice).where(CostPrice.sku_id == sku_id)
                                   .order_by(CostPrice.effective_at.desc(), CostPrice.id.desc())))


def set_safety_stock(sku_id: int, units: int) -> SafetyStock:
    """Units the merchant keeps on hand beyond the day's demand (0 removes the cushion)."""
    _sku(sku_id)
    row = db.session.get(SafetyStock, sku_id) or SafetyStock(sku_id=sku_id)
    row.units = units
    db.session.add(row)
    db.session.commit()
    return row


def safety_stocks() -> list[SafetyStock]:
    return list(db.session.scalars(sa.select(SafetyStock).where(SafetyStock.units > 0).order_by(SafetyStock.sku_id)))
