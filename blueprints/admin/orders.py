from __future__ import annotations

from app.extensions import db
from app.idempotency import service as idempotency
from app.orders import services as orders
from app.payments import refunds
from app.payments.models import Refund
from blueprints.admin import blp
from blueprints.auth import Role, current_account
from blueprints.idempotent import respond
from blueprints.pagination import SQLPage
from blueprints.schemas.orders import (
    CancelSchema,
    IdempotencyHeaderSchema,
    OrderQuerySchema,
    RefundInputSchema,
    RefundSchema,
    StaffOrderSchema,
)


@blp.route("/orders", methods=["GET"])
@blp.requires(Role.STAFF, "orders.read")
@blp.arguments(OrderQuerySchema, location="query")
@blp.response(200, StaffOrderSchema(many=True))
@blp.paginate(SQLPage, page_size=20)
def list_orders(query):
    """Orders, newest first; filter by group, shopper, status, store-local date range, number"""
    return orders.list_for_staff(query)


@blp.route("/orders/<id:order_id>", methods=["GET"])
@blp.requires(Role.STAFF, "orders.read")
@blp.response(200, StaffOrderSchema)
@blp.errors(404)
def get_order(order_id):
    """One order"""
    return orders.get_order(order_id)


@blp.route("/orders/<id:order_id>/cancel", methods=["POST"])
@blp.requires(Role.STAFF, "orders.manage")
@blp.arguments(CancelSchema)
@blp.response(200, StaffOrderSchema)
@blp.errors(404, 409)
def cancel_order(data, order_id):
    """Cancel an unpaid order (paid orders are refunded instead)"""
    return orders.cancel(orders.get_order(order_id), data["reason"])


def _render_refund(refund_id: int) -> tuple[int, dict]:
    refund = db.session.get(Refund, refund_id)
    return (201 if refund.status.value != "pending" else 202), RefundSchema().dump(refund)


@blp.route("/orders/<id:order_id>/refunds", methods=["POST"])
@blp.requires(Role.STAFF, "orders.refund")
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.arguments(RefundInputSchema)
@blp.response(201, RefundSchema)
@blp.alt_response(202, schema=RefundSchema, description="Recorded; the provider has not confirmed yet", success=True)
@blp.errors(404, 409, 422)
def refund_order(headers, data, order_id):
    """Refund a paid order, whole (no lines) or by line and quantity, through its payment provider.
    Units go back on sale unless `restock` is false. A refund can never exceed what was paid.
    Idempotent per `Idempotency-Key`."""
    orders.get_order(order_id)
    staff_id = current_account().id
    outcome = idempotency.run(
        account_id=staff_id, key=headers["idempotency_key"], scope=f"refund:{order_id}", payload=data,
        create=lambda: refunds.create_refund(order_id, staff_id=staff_id, lines=data["lines"],
                                             reason=data["reason"], restock=data["restock"]).id,
        complete=refunds.complete_refund, render=_render_refund)
    return respond(outcome)


@blp.route("/orders/<id:order_id>/refunds", methods=["GET"])
@blp.requires(Role.STAFF, "orders.read")
@blp.response(200, RefundSchema(many=True))
@blp.paginate(SQLPage)
@blp.errors(404)
def list_refunds(order_id):
    """Refunds of an order with their state"""
    orders.get_order(order_id)
    return refunds.refunds_of(order_id)
