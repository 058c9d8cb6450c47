"""Suppliers, what they supply at what cost (with the cost history), and safety stock per SKU
(docs/purchasing.md). Reading needs purchasing.read, changing purchasing.manage."""
from __future__ import annotations

from app.purchasing import suppliers
from blueprints.admin import blp
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.purchasing import (
    CostPriceSchema,
    OfferInputSchema,
    OfferSchema,
    SafetyStockInputSchema,
    SafetyStockSchema,
    SupplierInputSchema,
    SupplierQuerySchema,
    SupplierSchema,
)


@blp.route("/suppliers", methods=["GET"])
@blp.requires(Role.STAFF, "purchasing.read")
@blp.arguments(SupplierQuerySchema, location="query")
@blp.response(200, SupplierSchema(many=True))
@blp.paginate(SQLPage, page_size=100)
def list_suppliers(query):
    """Suppliers by name, each with the SKUs they supply"""
    return suppliers.list_suppliers(query["active"])


@blp.route("/suppliers", methods=["POST"])
@blp.requires(Role.STAFF, "purchasing.manage")
@blp.arguments(SupplierInputSchema)
@blp.response(201, SupplierSchema)
@blp.errors(409)
def create_supplier(data):
    """Add a supplier: contact, and the smallest order it accepts"""
    return suppliers.create_supplier(data)


@blp.route("/suppliers/<id:supplier_id>", methods=["GET"])
@blp.requires(Role.STAFF, "purchasing.read")
@blp.response(200, SupplierSchema)
@blp.errors(404)
def get_supplier(supplier_id):
    """One supplier with its offers"""
    return suppliers.get_supplier(supplier_id)


@blp.route("/suppliers/<id:supplier_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "purchasing.manage")
@blp.arguments(SupplierInputSchema(partial=True))
@blp.response(200, SupplierSchema)
@blp.errors(404, 409)
def update_supplier(data, supplier_id):
    """Change a supplier's contact, minimum or activity (an inactive one is never proposed)"""
    return suppliers.update_supplier(supplier_id, data)


@blp.route("/suppliers/<id:supplier_id>/skus/<id:sku_id>", methods=["PUT"])
@blp.requires(Role.STAFF, "purchasing.manage")
@blp.arguments(OfferInputSchema)
@blp.response(200, OfferSchema)
@blp.errors(404)
def set_offer(data, supplier_id, sku_id):
    """What this supplier charges for a SKU, its lead time and minimum units; a new cost is added to
    the SKU's cost history"""
    return suppliers.set_offer(supplier_id, sku_id, actor_id=current_account().id, **data)


@blp.route("/suppliers/<id:supplier_id>/skus/<id:sku_id>", methods=["DELETE"])
@blp.requires(Role.STAFF, "purchasing.manage")
@blp.response(204)
@blp.errors(404)
def remove_offer(supplier_id, sku_id):
    """The supplier no longer supplies the SKU (its cost history stays)"""
    suppliers.remove_offer(supplier_id, sku_id)


@blp.route("/skus/<id:sku_id>/cost-history", methods=["GET"])
@blp.requires(Role.STAFF, "purchasing.read")
@blp.response(200, CostPriceSchema(many=True))
@blp.errors(404)
def cost_history(sku_id):
    """Every cost recorded for a SKU, newest first (append-only)"""
    return suppliers.cost_history(sku_id)


@blp.route("/safety-stock", methods=["GET"])
@blp.requires(Role.STAFF, "purchasing.read")
@blp.response(200, SafetyStockSchema(many=True))
def list_safety_stock():
    """SKUs with a safety stock, the units kept beyond the day's demand"""
    return suppliers.safety_stocks()


@blp.route("/safety-stock/<id:sku_id>", methods=["PUT"])
@blp.requires(Role.STAFF, "purchasing.manage")
@blp.arguments(SafetyStockInputSchema)
@blp.response(200, SafetyStockSchema)
@blp.errors(404)
def set_safety_stock(data, sku_id):
    """Set a SKU's safety stock (0: none)"""
    return suppliers.set_safety_stock(sku_id, data["units"])
