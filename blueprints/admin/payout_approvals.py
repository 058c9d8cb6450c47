"""Merchant: the four-eyes approvals of payouts (POST /payouts/{id}/approve proposes one)."""
from __future__ import annotations

from app.commissions import payout_approvals
from app.staff import approvals
from blueprints.admin import blp
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.staff import ApprovalQuerySchema, ApprovalRejectSchema, ApprovalRequestSchema


@blp.route("/payout-requests", methods=["GET"])
@blp.requires(Role.STAFF, "payouts.read")
@blp.arguments(ApprovalQuerySchema, location="query")
@blp.response(200, ApprovalRequestSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def list_payout_requests(query):
    """Proposed payout approvals waiting for (or decided by) a second staff member, newest first"""
    return approvals.listing(payout_approvals.KINDS, query["status"])


@blp.route("/payout-requests/<id:request_id>/approve", methods=["POST"])
@blp.requires(Role.STAFF, "payouts.approve")
@blp.response(200, ApprovalRequestSchema)
@blp.errors(403, 404, 409)
def approve_payout_request(request_id):
    """Approve the payout (`result_id`): cash the leader owes is withheld from it, and a Stripe Connect
    payout is sent at once. Not by the staff member who proposed it, nor by the payee (403
    `four_eyes_required`); approving again answers the same"""
    request = approvals.get(request_id, payout_approvals.KINDS)
    return payout_approvals.approve(request, current_account().id)


@blp.route("/payout-requests/<id:request_id>/reject", methods=["POST"])
@blp.requires(Role.STAFF, "payouts.approve")
@blp.arguments(ApprovalRejectSchema)
@blp.response(200, ApprovalRequestSchema)
@blp.errors(404, 409)
def reject_payout_request(data, request_id):
    """Withdraw or turn down a proposal; the payout stays requested (reject the payout itself with
    POST /payouts/{id}/reject)"""
    request = approvals.get(request_id, payout_approvals.KINDS)
    return approvals.reject(request, current_account().id, data["reason"])
