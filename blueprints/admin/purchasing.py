"""The purchase plan of a delivery day, purchase orders (confirm, edit, send, cancel, export) and
receipts with the discrepancies per supplier (docs/purchasing.md)."""
from __future__ import annotations

from flask import Response

from app.clock import local_now
from app.purchasing import plan, purchase_orders, receipts
from blueprints.admin import blp
from blueprints.admin.purchase_order_page import render_purchase_order
from blueprints.auth import Role, current_account
from blueprints.csv_response import csv_response
from blueprints.pagination import SQLPage
from blueprints.schemas.purchasing import (
    ConfirmInputSchema,
    DiscrepancyQuerySchema,
    DiscrepancySchema,
    PoPatchSchema,
    PoQuerySchema,
    PurchaseOrderSchema,
    PurchasePlanQuerySchema,
    PurchasePlanSchema,
    ReceiptInputSchema,
    ReceiptSchema,
)

PO_COLUMNS = ["purchase_order", "supplier", "delivery_date", "sku", "product", "variant", "quantity",
              "unit_cost_cents", "line_cost_cents"]
DISCREPANCY_COLUMNS = ["supplier_id", "supplier", "purchase_orders", "ordered", "accepted", "rejected", "short",
                       "discrepancy_rate", "reject_reasons"]


@blp.route("/purchase-plan", methods=["GET"])
@blp.requires(Role.STAFF, "purchasing.read")
@blp.arguments(PurchasePlanQuerySchema, location="query")
@blp.response(200, PurchasePlanSchema)
def purchase_plan(query):
    """Demand per SKU for a delivery day (each term), less on hand and on order, and the purchase
    orders it proposes; a forecast (final=false) until the day's cut-off"""
    return plan.compute(query["delivery_date"])


@blp.route("/purchase-orders", methods=["GET"])
@blp.requires(Role.STAFF, "purchasing.read")
@blp.arguments(PoQuerySchema, location="query")
@blp.response(200, PurchaseOrderSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def list_purchase_orders(query):
    """Purchase orders, latest delivery day first"""
    return purchase_orders.list_orders(**query)


@blp.route("/purchase-orders", methods=["POST"])
@blp.requires(Role.STAFF, "purchasing.manage")
@blp.arguments(ConfirmInputSchema)
@blp.response(201, PurchaseOrderSchema)
@blp.alt_response(200, schema=PurchaseOrderSchema, description="This confirm key made an order already: that one")
@blp.errors(404, 409, 422)
def confirm_purchase_order(data):
    """Confirm a proposal (as edited) as a draft purchase order; the same confirm_key again returns
    the same order"""
    po, created = purchase_orders.confirm(actor_id=current_account().id, **data)
    return po, 201 if created else 200


@blp.route("/purchase-orders/<id:po_id>", methods=["GET"])
@blp.requires(Role.STAFF, "purchasing.read")
@blp.response(200, PurchaseOrderSchema)
@blp.errors(404)
def get_purchase_order(po_id):
    """One purchase order with its lines and what has been received"""
    return purchase_orders.get_order(po_id)


@blp.route("/purchase-orders/<id:po_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "purchasing.manage")
@blp.arguments(PoPatchSchema)
@blp.response(200, PurchaseOrderSchema)
@blp.errors(404, 409, 422)
def edit_purchase_order(data, po_id):
    """Change a draft's lines or note"""
    return purchase_orders.edit_draft(po_id, **data)


@blp.route("/purchase-orders/<id:po_id>/send", methods=["POST"])
@blp.requires(Role.STAFF, "purchasing.manage")
@blp.response(200, PurchaseOrderSchema)
@blp.errors(404, 409)
def send_purchase_order(po_id):
    """draft → sent: the order goes to the supplier and counts as on order"""
    return purchase_orders.move(po_id, "send")


@blp.route("/purchase-orders/<id:po_id>/cancel", methods=["POST"])
@blp.requires(Role.STAFF, "purchasing.manage")
@blp.response(200, PurchaseOrderSchema)
@blp.errors(404, 409)
def cancel_purchase_order(po_id):
    """draft or sent → cancelled (not once goods were received)"""
    return purchase_orders.move(po_id, "cancel")


@blp.route("/purchase-orders/<id:po_id>.csv", methods=["GET"])
@blp.requires(Role.STAFF, "purchasing.read")
@blp.csv("CSV: one row per line, for the supplier")
@blp.errors(404)
def purchase_order_csv(po_id):
    """The purchase order as CSV for the supplier"""
    po = purchase_orders.get_order(po_id)
    rows = [[po.number, po.supplier.name, po.delivery_date.isoformat(), ln["sku_code"], ln["product_name"],
             ln["sku_name"], ln["quantity"], ln["unit_cost_cents"], ln["line_cost_cents"]]
            for ln in purchase_orders.printable_lines(po)]
    return csv_response(f"purchase-order-{po.number}.csv", PO_COLUMNS, rows)


@blp.route("/purchase-orders/<id:po_id>/print", methods=["GET"])
@blp.requires(Role.STAFF, "purchasing.read")
@blp.response(200, description="A printable HTML page in the caller's language", content_type="text/html")
@blp.errors(404)
def purchase_order_page(po_id):
    """The purchase order as a page to print or send to the supplier"""
    po = purchase_orders.get_order(po_id)
    return Response(render_purchase_order(po, purchase_orders.printable_lines(po)), mimetype="text/html")


@blp.route("/purchase-orders/<id:po_id>/receipts", methods=["GET"])
@blp.requires(Role.STAFF, "purchasing.read")
@blp.response(200, ReceiptSchema(many=True))
@blp.errors(404)
def list_receipts(po_id):
    """The deliveries checked in against a purchase order, oldest first"""
    return receipts.receipts_of(po_id)


@blp.route("/purchase-orders/<id:po_id>/receipts", methods=["POST"])
@blp.requires(Role.STAFF, "purchasing.receive")
@blp.arguments(ReceiptInputSchema)
@blp.response(201, ReceiptSchema)
@blp.errors(404, 409, 422)
def receive_goods(data, po_id):
    """Check in a delivery: per SKU units accepted (into stock), rejected (with a reason) and short"""
    return receipts.receive(po_id, data["lines"], note=data.get("note"), actor_id=current_account().id)


@blp.route("/purchasing/discrepancies", methods=["GET"])
@blp.requires(Role.STAFF, "purchasing.read")
@blp.arguments(DiscrepancyQuerySchema, location="query")
@blp.response(200, DiscrepancySchema(many=True))
def discrepancies(query):
    """Per supplier, for orders due in the period: ordered, accepted, rejected (by reason) and short"""
    return receipts.discrepancies(query["from_date"], query["to_date"])


@blp.route("/purchasing/discrepancies.csv", methods=["GET"])
@blp.requires(Role.STAFF, "purchasing.read")
@blp.arguments(DiscrepancyQuerySchema, location="query")
@blp.csv("CSV: one row per supplier")
def discrepancies_csv(query):
    """The discrepancies per supplier as CSV"""
    rows = [[r["supplier_id"], r["supplier_name"], r["purchase_orders"], r["ordered"], r["accepted"], r["rejected"],
             r["short"], r["discrepancy_rate"], "; ".join(f"{k}: {v}" for k, v in sorted(r["reject_reasons"].items()))]
            for r in receipts.discrepancies(query["from_date"], query["to_date"])]
    return csv_response(f"supplier-discrepancies-{local_now():%Y-%m-%d}.csv", DISCREPANCY_COLUMNS, rows)
