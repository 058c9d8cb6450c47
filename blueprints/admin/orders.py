from __future__ import annotations

from app.extensions import db
from app.idempotency import service as idempotency
from app.orders import services as orders
from app.payments import refund_approvals, refunds
from app.payments.models import Refund
from app.staff import approvals
from app.staff.models import ApprovalRequest
from blueprints import sort_keys
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
from blueprints.schemas.staff import ApprovalQuerySchema, ApprovalRejectSchema, ApprovalRequestSchema
from blueprints.sorting import sorted_by


@blp.route("/orders", methods=["GET"])
@blp.requires(Role.STAFF, "orders.read")
@blp.arguments(OrderQuerySchema, location="query")
@blp.response(200, StaffOrderSchema(many=True))
@blp.paginate(SQLPage, page_size=20)
@sorted_by(sort_keys.ORDERS)
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
@blp.alt_response(202, schema=RefundSchema, success=True, description=(
    "Recorded; the provider has not confirmed yet. Above the store's `refund_approval_above_cents`: "
    "an approval request (`kind: refund`, as in GET /refund-requests) for another staff member"))
@blp.errors(404, 409, 422)
def refund_order(headers, data, order_id):
    """Refund a paid order, whole (no lines) or by line and quantity, through its payment provider.
    Units go back on sale unless `restock` is false. A refund can never exceed what was paid.
    Above the store's `refund_approval_above_cents` it waits for a second staff member (four-eyes).
    Idempotent per `Idempotency-Key`."""
    orders.get_order(order_id)
    staff_id, key = current_account().id, headers["idempotency_key"]
    scope = refund_approvals.scope_for(order_id, staff_id, key, data["lines"])
    if scope.startswith("refund-request"):
        outcome = idempotency.run(
            account_id=staff_id, key=key, scope=scope, payload=data, complete=None,
            create=lambda: refund_approvals.request_refund(order_id, staff_id, data).id,
            render=lambda request_id: (202, ApprovalRequestSchema().dump(db.session.get(ApprovalRequest, request_id))))
        return respond(outcome)
    outcome = idempotency.run(
        account_id=staff_id, key=key, scope=scope, payload=data,
        create=lambda: refunds.create_refund(order_id, staff_id=staff_id, lines=data["lines"],
                                             reason=data["reason"], restock=data["restock"],
                                             cash_refund_by=data["cash_refund_by"]).id,
        complete=refunds.complete_refund, render=_render_refund)
    return respond(outcome)


@blp.route("/refund-requests", methods=["GET"])
@blp.requires(Role.STAFF, "orders.read")
@blp.arguments(ApprovalQuerySchema, location="query")
@blp.response(200, ApprovalRequestSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def list_refund_requests(query):
    """Staff refunds waiting for (or decided by) a second staff member, newest first"""
    return approvals.listing(refund_approvals.KINDS, query["status"])


@blp.route("/refund-requests/<id:request_id>/approve", methods=["POST"])
@blp.requires(Role.STAFF, "orders.refund")
@blp.response(200, ApprovalRequestSchema)
@blp.errors(403, 404, 409, 422)
def approve_refund_request(request_id):
    """Approve a refund request: the refund is recorded (`result_id`) and sent to the provider. Not
    by its requester (403 `four_eyes_required`); approving again answers the same"""
    request = approvals.get(request_id, refund_approvals.KINDS)
    return refund_approvals.approve(request, current_account().id)


@blp.route("/refund-requests/<id:request_id>/reject", methods=["POST"])
@blp.requires(Role.STAFF, "orders.refund")
@blp.arguments(ApprovalRejectSchema)
@blp.response(200, ApprovalRequestSchema)
@blp.errors(404, 409)
def reject_refund_request(data, request_id):
    """Reject a refund request (its requester may withdraw it this way); nothing is refunded"""
    request = approvals.get(request_id, refund_approvals.KINDS)
    return approvals.reject(request, current_account().id, data["reason"])


@blp.route("/orders/<id:order_id>/refunds", methods=["GET"])
@blp.requires(Role.STAFF, "orders.read")
@blp.response(200, RefundSchema(many=True))
@blp.paginate(SQLPage)
@blp.errors(404)
def list_refunds(order_id):
    """Refunds of an order with their state"""
    orders.get_order(order_id)
    return refunds.refunds_of(order_id)
