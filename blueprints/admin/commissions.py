"""Merchant: commission rules and settings, balances per party, the store's liability, payouts."""
from __future__ import annotations

import sqlalchemy as sa

from app.commissions import payout_approvals, payouts, performance, rule_changes, stripe_payouts, views
from app.commissions.models import CommissionRule
from app.commissions.rules import settings as commission_settings
from app.db import utcnow
from app.errors import not_found
from app.extensions import db
from app.staff import approvals
from blueprints import sort_keys
from blueprints.admin import blp
from blueprints.auth import Role, current_account
from blueprints.csv_response import csv_response
from blueprints.pagination import RowPage, SQLPage
from blueprints.schemas.commissions import (
    AdminPayoutSchema,
    BalanceSchema,
    BalancesQuerySchema,
    CohortSchema,
    CommissionRuleSchema,
    CommissionSettingsSchema,
    CommissionSettingsUpdateSchema,
    JournalLineSchema,
    LiabilitySchema,
    LinkPayoutAccountSchema,
    PaidSchema,
    PayoutAccountSchema,
    PayoutQuerySchema,
    PerformanceQuerySchema,
    PerformanceSchema,
    RejectSchema,
    RetentionQuerySchema,
    RuleEndSchema,
)
from blueprints.schemas.staff import ApprovalQuerySchema, ApprovalRejectSchema, ApprovalRequestSchema
from blueprints.sorting import sorted_by


@blp.route("/commission-rules", methods=["GET"])
@blp.requires(Role.STAFF, "commissions.read")
@blp.response(200, CommissionRuleSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def list_commission_rules():
    """Commission rules, newest first"""
    return sa.select(CommissionRule).order_by(CommissionRule.id.desc())


@blp.route("/commission-rules", methods=["POST"])
@blp.requires(Role.STAFF, "commissions.rules")
@blp.arguments(CommissionRuleSchema)
@blp.response(202, ApprovalRequestSchema)
def create_commission_rule(data):
    """Propose a rule (four-eyes): a pending request that another staff member approves
    (`POST /commission-changes/{id}/approve`); orders placed while it is valid snapshot its rates"""
    return rule_changes.propose_rule(data, current_account().id)


@blp.route("/commission-rules/<id:rule_id>/end", methods=["POST"])
@blp.requires(Role.STAFF, "commissions.rules")
@blp.arguments(RuleEndSchema)
@blp.response(202, ApprovalRequestSchema)
@blp.errors(404, 422)
def end_commission_rule(data, rule_id):
    """Propose ending a rule at a time (four-eyes; rates already on order lines stay as they were)"""
    return rule_changes.propose_end(rule_id, data["valid_until"], current_account().id)


@blp.route("/commission-settings", methods=["GET"])
@blp.requires(Role.STAFF, "commissions.read")
@blp.etag
@blp.response(200, CommissionSettingsSchema)
def get_commission_settings():
    """The after-sale window and whether referrers get a share"""
    row = commission_settings()
    db.session.commit()
    return row


@blp.route("/commission-settings", methods=["PATCH"])
@blp.requires(Role.STAFF, "commissions.rules")
@blp.etag
@blp.arguments(CommissionSettingsUpdateSchema)
@blp.response(202, ApprovalRequestSchema)
@blp.errors(409)
def update_commission_settings(changes):
    """Propose a change (four-eyes) to the after-sale window (applies to settlements from the
    approval on), the referrer share (orders placed from then on) or the payout terms and provider
    (payouts requested from then on; Stripe Connect needs STRIPE_SECRET_KEY). `If-Match`: the
    settings' ETag; the answer's ETag is still theirs (nothing changes until the approval)."""
    current = commission_settings()
    blp.check_etag(current, CommissionSettingsSchema)
    blp.set_etag(current, CommissionSettingsSchema)
    return rule_changes.propose_settings(changes, current_account().id)


@blp.route("/commission-changes", methods=["GET"])
@blp.requires(Role.STAFF, "commissions.read")
@blp.arguments(ApprovalQuerySchema, location="query")
@blp.response(200, ApprovalRequestSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def list_commission_changes(query):
    """Proposed commission rule and settings changes, newest first; filter by status"""
    return approvals.listing(rule_changes.KINDS, query["status"])


@blp.route("/commission-changes/<id:request_id>/approve", methods=["POST"])
@blp.requires(Role.STAFF, "commissions.rules")
@blp.response(200, ApprovalRequestSchema)
@blp.errors(403, 404, 409, 422)
def approve_commission_change(request_id):
    """Approve and apply a proposed change; not by its proposer (403 `four_eyes_required`). Approving
    again is answered as before; a request decided otherwise is a 409 `approval_request_decided`"""
    request = approvals.get(request_id, rule_changes.KINDS)
    return approvals.approve(request, current_account().id, rule_changes.apply)


@blp.route("/commission-changes/<id:request_id>/reject", methods=["POST"])
@blp.requires(Role.STAFF, "commissions.rules")
@blp.arguments(ApprovalRejectSchema)
@blp.response(200, ApprovalRequestSchema)
@blp.errors(404, 409)
def reject_commission_change(data, request_id):
    """Reject a proposed change (its proposer may withdraw it this way)"""
    request = approvals.get(request_id, rule_changes.KINDS)
    return approvals.reject(request, current_account().id, data["reason"])


@blp.route("/commissions/balances", methods=["GET"])
@blp.requires(Role.STAFF, "commissions.read")
@blp.arguments(BalancesQuerySchema, location="query")
@blp.response(200, BalanceSchema(many=True))
@blp.paginate(RowPage, page_size=50)
def commission_balances(query):
    """Pending, available and paid-out commission per leader (and referrer)"""
    return views.all_balances(query["negative_only"])


@blp.route("/commissions/liability", methods=["GET"])
@blp.requires(Role.STAFF, "commissions.read")
@blp.response(200, LiabilitySchema)
def commission_liability():
    """What the store owes in commission, pending and available"""
    return views.liability()


@blp.route("/commissions/accounts/<id:account_id>/entries", methods=["GET"])
@blp.requires(Role.STAFF, "commissions.read")
@blp.response(200, JournalLineSchema(many=True))
@blp.paginate(RowPage, page_size=50)
@blp.errors(404)
def party_commission_entries(account_id):
    """One party's commission lines, newest first"""
    from app.accounts.models import Account

    if db.session.get(Account, account_id) is None:
        raise not_found("account", id=account_id)
    return views.lines_of(account_id)


@blp.route("/payouts", methods=["GET"])
@blp.requires(Role.STAFF, "payouts.read")
@blp.arguments(PayoutQuerySchema, location="query")
@blp.response(200, AdminPayoutSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
@sorted_by(sort_keys.PAYOUTS)
def list_payouts(query):
    """Payouts, newest first; `status=requested` for the ones to approve"""
    return payouts.to_review(query["status"])


@blp.route("/payouts/<id:payout_id>", methods=["GET"])
@blp.requires(Role.STAFF, "payouts.read")
@blp.response(200, AdminPayoutSchema)
@blp.errors(404)
def get_payout(payout_id):
    """One payout: gross, fee, cash netted, net paid, and a proposal waiting for a second approver"""
    return payouts.get(payout_id)


@blp.route("/payouts/<id:payout_id>/approve", methods=["POST"])
@blp.requires(Role.STAFF, "payouts.approve")
@blp.response(202, ApprovalRequestSchema)
@blp.errors(403, 404, 409)
def approve_payout(payout_id):
    """Propose approving a requested payout (four-eyes): the answer is a pending request (`kind:
    payout`, as in GET /payout-requests) that a different staff member approves. Proposing again
    answers the pending request; the payee themselves (same e-mail or phone) may not (403)"""
    return payout_approvals.propose(payout_id, current_account().id)


@blp.route("/payouts/<id:payout_id>/reject", methods=["POST"])
@blp.requires(Role.STAFF, "payouts.approve")
@blp.arguments(RejectSchema)
@blp.response(200, AdminPayoutSchema)
@blp.errors(404, 409)
def reject_payout(data, payout_id):
    """Reject a payout not yet exported; the amount goes back to the leader's available balance"""
    return payouts.reject(payout_id, current_account().id, data["reason"])


@blp.route("/payouts/<id:payout_id>/send", methods=["POST"])
@blp.requires(Role.STAFF, "payouts.send")
@blp.response(200, AdminPayoutSchema)
@blp.errors(404, 409)
def send_payout(payout_id):
    """Send an approved Stripe Connect payout again (after Stripe refused it and the leader fixed
    their account). Never pays twice: an earlier transfer of this payout is found, not repeated"""
    return stripe_payouts.send(payout_id)


@blp.route("/leaders/<id:leader_id>/payout-account", methods=["PUT"])
@blp.requires(Role.STAFF, "payouts.send")
@blp.arguments(LinkPayoutAccountSchema)
@blp.response(200, PayoutAccountSchema)
@blp.errors(404, 409, 422)
def link_payout_account(data, leader_id):
    """Link a Stripe connected account the leader already has (checked with Stripe)"""
    from app.leaders.models import Leader

    leader = db.session.get(Leader, leader_id)
    if leader is None:
        raise not_found("leader", id=leader_id)
    return stripe_payouts.link_account(leader, data["stripe_account_id"])


@blp.route("/payouts/export", methods=["POST"])
@blp.requires(Role.STAFF, "payouts.send")
@blp.csv("CSV for the bank: one row per approved payout not yet exported",
         headers={"X-Payout-Count": {"description": "How many payouts the file holds (0: nothing new to export)",
                                     "schema": {"type": "integer", "minimum": 0}}})
def export_payouts():
    """The bank file: approved payouts not yet exported (they become `exported`); run it again
    and only newer approvals appear"""
    rows = payouts.export_rows()
    response = csv_response(f"payouts-{utcnow():%Y%m%d-%H%M%S}.csv", payouts.EXPORT_HEADER, rows,
                            translate=False)  # the bank's import format
    response.headers["X-Payout-Count"] = str(len(rows))
    return response


@blp.route("/payouts/<id:payout_id>/paid", methods=["POST"])
@blp.requires(Role.STAFF, "payouts.send")
@blp.arguments(PaidSchema)
@blp.response(200, AdminPayoutSchema)
@blp.errors(404, 409)
def mark_payout_paid(data, payout_id):
    """The bank confirmed the transfer: the payout is paid (a repeat changes nothing)"""
    return payouts.mark_paid(payout_id, data["bank_reference"])


@blp.route("/leaders/performance", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.arguments(PerformanceQuerySchema, location="query")
@blp.response(200, PerformanceSchema(many=True))
def leader_performance(query):
    """Per leader for a month: orders, sales, unique buyers, repurchase rate, commission, pickup and
    uncollected rates (best sales first)"""
    start, end = performance.month_window(query["month"])
    return performance.performance(start, end)


@blp.route("/leaders/retention", methods=["GET"])
@blp.requires(Role.STAFF, "analytics.read")
@blp.arguments(RetentionQuerySchema, location="query")
@blp.response(200, CohortSchema(many=True))
def leader_retention(query):
    """Active-leader retention month over month: cohorts by first active month"""
    return performance.retention(query["months"])
