from __future__ import annotations

from app.orders import services as orders
from app.pickup import batches
from app.pickup.moves import move_order
from app.pickup.verification import Verifier, verify
from blueprints.admin import blp
from blueprints.auth import Role, current_account
from blueprints.csv_response import csv_response
from blueprints.pagination import SQLPage
from blueprints.schemas.orders import StaffOrderSchema
from blueprints.schemas.pickup_ops import (
    AdminPickupAttemptQuerySchema,
    BatchDetailSchema,
    BatchOrderSchema,
    BatchQuerySchema,
    BatchSchema,
    ConsolidatedRowSchema,
    DateQuerySchema,
    MovePickupSchema,
    PickListOrderSchema,
    PickupAttemptSchema,
    VerifyPickupSchema,
)


def _with_orders(batch):
    batch.orders = batches.batch_orders(batch.id)
    return batch


@blp.route("/batches", methods=["GET"])
@blp.requires(Role.STAFF, "batches.read")
@blp.arguments(BatchQuerySchema, location="query")
@blp.response(200, BatchSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def list_batches(query):
    """Delivery batches by day, status and pickup point, with their totals"""
    return batches.list_batches(**query)


@blp.route("/batches/<id:batch_id>", methods=["GET"])
@blp.requires(Role.STAFF, "batches.read")
@blp.response(200, BatchDetailSchema)
@blp.errors(404)
def get_batch(batch_id):
    """One batch with its orders"""
    return _with_orders(batches.get_batch(batch_id))


@blp.route("/batches/<id:batch_id>/close", methods=["POST"])
@blp.requires(Role.STAFF, "batches.manage")
@blp.response(200, BatchSchema)
@blp.errors(404, 409)
def close_batch(batch_id):
    """Close the batch at cut-off to pick and pack it; later payments go into the next batch"""
    return batches.close(batch_id)


@blp.route("/batches/<id:batch_id>/dispatch", methods=["POST"])
@blp.requires(Role.STAFF, "batches.manage")
@blp.response(200, BatchSchema)
@blp.errors(404, 409)
def dispatch_batch(batch_id):
    """Mark a closed batch as sent; the leader and the shoppers are told it is on its way"""
    return batches.dispatch(batch_id)


@blp.route("/batches/<id:batch_id>/pick-list", methods=["GET"])
@blp.requires(Role.STAFF, "batches.read")
@blp.response(200, PickListOrderSchema(many=True))
@blp.errors(404)
def pick_list(batch_id):
    """What to pack for this pickup point: each order with its shopper, pickup code and lines"""
    return batches.pick_list(batch_id)


@blp.route("/batches/<id:batch_id>/pick-list.csv", methods=["GET"])
@blp.requires(Role.STAFF, "batches.read")
@blp.csv("CSV: one row per order line")
@blp.errors(404)
def pick_list_csv(batch_id):
    """The pick list as CSV"""
    batch = batches.get_batch(batch_id)
    rows = [[o["order_number"], o["pickup_code"], o["shopper_name"], ln["sku_code"], ln["product_name"],
             ln["sku_name"], ln["quantity"]] for o in batches.pick_list(batch_id) for ln in o["lines"]]
    return csv_response(f"pick-list-{batch.delivery_date}-point-{batch.pickup_point_id}.csv",
                        ["order", "pickup_code", "shopper", "sku", "product", "variant", "quantity"], rows)


@blp.route("/pick-lists", methods=["GET"])
@blp.requires(Role.STAFF, "batches.read")
@blp.arguments(DateQuerySchema, location="query")
@blp.response(200, ConsolidatedRowSchema(many=True))
def consolidated(query):
    """The warehouse pick list for a day: each SKU's total over every pickup point"""
    return batches.consolidated(query["delivery_date"])


@blp.route("/pick-lists.csv", methods=["GET"])
@blp.requires(Role.STAFF, "batches.read")
@blp.arguments(DateQuerySchema, location="query")
@blp.csv("CSV: one row per SKU")
def consolidated_csv(query):
    """The warehouse pick list as CSV"""
    rows = [[r["sku_code"], r["product_name"], r["sku_name"], r["quantity"], r["pickup_points"]]
            for r in batches.consolidated(query["delivery_date"])]
    return csv_response(f"warehouse-{query['delivery_date']}.csv",
                        ["sku", "product", "variant", "quantity", "pickup_points"], rows)


@blp.route("/pickups", methods=["POST"])
@blp.requires(Role.STAFF, "pickups.verify")
@blp.arguments(VerifyPickupSchema)
@blp.response(200, BatchOrderSchema)
@blp.errors(404, 409, 422)
def verify_pickup(data):
    """Staff hand over an order at any pickup point against its code (same rules as leaders)"""
    return verify(data["code"], Verifier(current_account().id, None), order_number=data["order_number"],
                  lines=data["lines"], collected_cents=data["collected_cents"])


@blp.route("/orders/<id:order_id>/move-pickup", methods=["POST"])
@blp.requires(Role.STAFF, "orders.manage")
@blp.arguments(MovePickupSchema)
@blp.response(200, StaffOrderSchema)
@blp.errors(404, 409)
def move_pickup(data, order_id):
    """Move an order not yet packed to another pickup point; the shopper is told"""
    return move_order(orders.get_order(order_id), data["pickup_point_id"])


@blp.route("/pickup-attempts", methods=["GET"])
@blp.requires(Role.STAFF, "pickup_points.read")
@blp.arguments(AdminPickupAttemptQuerySchema, location="query")
@blp.response(200, PickupAttemptSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def pickup_attempts(query):
    """The pickup-code audit: every attempt at every point (or one), successful or not, by whom, newest first"""
    from app.pickup.attempts import attempts

    point_id = query.pop("pickup_point_id")
    return attempts(point_ids=[point_id] if point_id else None, **query)
