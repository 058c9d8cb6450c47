"""Schemas for commission rules, settings, balances and journal lines."""
from __future__ import annotations

import marshmallow as ma

from app.commissions.models import PayoutProvider, PayoutStatus, RuleScope
from app.i18n import gettext_now
from blueprints import fields as f
from blueprints import sort_keys
from blueprints.schemas.common import QuerySchema, Schema, currency_field


class CommissionRuleSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    scope = f.Choice([s.value for s in RuleScope], required=True,
                     metadata={"description": "Most specific wins: campaign > product > category > default"})
    target_id = f.Id(load_default=None, allow_none=True,
                     metadata={"description": "The category, product or campaign; none for the default"})
    leader_rate_bps = f.Int(0, 5000, required=True, metadata={"description": "Leader share, basis points"})
    referrer_rate_bps = f.Int(0, 2000, load_default=0,
                              metadata={"description": "Buyer's referrer share (if enabled in settings)"})
    valid_from = ma.fields.AwareDateTime(required=True)
    valid_until = ma.fields.AwareDateTime(load_default=None, allow_none=True)
    note = f.Str(max_length=200, load_default=None, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)

    @ma.validates_schema
    def _shape(self, data, **_):
        if (data["scope"] == RuleScope.DEFAULT) != (data["target_id"] is None):
            raise ma.ValidationError(gettext_now("target_id is required for category, product and campaign rules, "
                                                 "and absent for the default"), "target_id")
        if data["leader_rate_bps"] + data["referrer_rate_bps"] > 5000:
            raise ma.ValidationError(gettext_now("The shares together may not exceed 50%"), "referrer_rate_bps")
        if data["valid_until"] is not None and data["valid_until"] <= data["valid_from"]:
            raise ma.ValidationError(gettext_now("valid_until must be after valid_from"), "valid_until")


class RuleEndSchema(Schema):
    valid_until = ma.fields.AwareDateTime(required=True, metadata={"description": "End the rule (not retroactive)"})


class CommissionSettingsSchema(Schema):
    after_sale_days = f.Int(0, 90, metadata={"description": "Days after pickup before commission is withdrawable"})
    referrer_share_enabled = ma.fields.Boolean()
    payout_min_cents = f.Cents(metadata={"description": "Smallest payout"})
    payout_fee_cents = f.Cents(metadata={"description": "Fixed fee per payout (the store keeps it)"})
    payout_fee_bps = f.Int(0, 2000, metadata={"description": "Plus this share of the amount, rounded down"})
    payout_provider = f.Choice([p.value for p in PayoutProvider], metadata={
        "description": "How approved payouts leave: a CSV for the bank, or Stripe Connect transfers "
                       "(applies to payouts requested from now on)"})


class CommissionSettingsUpdateSchema(CommissionSettingsSchema):
    """The PATCH body: CommissionSettings's fields, each optional. A name of its own, so that the answer's schema
    (CommissionSettings) can say which fields it always has."""


class BalanceSchema(Schema):
    account_id = ma.fields.Integer()
    name = ma.fields.String(allow_none=True)
    pending_cents = ma.fields.Integer()
    available_cents = ma.fields.Integer(metadata={"description": "Negative after a clawback of paid-out money"})
    withdrawing_cents = ma.fields.Integer(metadata={"description": "In payouts not yet paid"})
    paid_out_cents = ma.fields.Integer()
    currency = currency_field()


class LiabilitySchema(Schema):
    pending_cents = ma.fields.Integer()
    available_cents = ma.fields.Integer()
    withdrawing_cents = ma.fields.Integer()
    total_cents = ma.fields.Integer(metadata={"description": "What the store owes: pending + available + withdrawing"})
    paid_out_cents = ma.fields.Integer()
    currency = currency_field()


class JournalLineSchema(Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    role = ma.fields.String(allow_none=True)
    bucket = ma.fields.String()
    amount_cents = ma.fields.Integer()
    order_id = ma.fields.Integer(allow_none=True)
    order_number = ma.fields.String(allow_none=True)
    order_line_id = ma.fields.Integer(allow_none=True)
    product_name = ma.fields.String(allow_none=True)
    rule_id = ma.fields.Integer(allow_none=True)
    rate_bps = ma.fields.Integer(allow_none=True, metadata={"description": "The rate snapshotted on the line"})
    refund_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime()


class BalancesQuerySchema(QuerySchema):
    negative_only = ma.fields.Boolean(load_default=False)


class PayoutRequestSchema(Schema):
    amount_cents = f.Int(1, 10**10, required=True)


class PayoutSchema(Schema):
    id = ma.fields.Integer()
    account_id = ma.fields.Integer()
    leader_id = ma.fields.Integer()
    leader_name = f.Method("_leader_name", returns=ma.fields.String())
    amount_cents = ma.fields.Integer(metadata={"description": "Gross: the commission withdrawn"})
    fee_cents = ma.fields.Integer()
    cash_netted_cents = ma.fields.Integer(metadata={
        "description": "Pickup cash the leader owed, withheld when the payout was approved (0 before)"})
    net_cents = ma.fields.Integer(metadata={"description": "Paid to the leader: amount − fee − cash netted"})
    status = f.Function(lambda p: p.status.value, returns=ma.fields.String())
    provider = ma.fields.String(metadata={"description": "bank_export or stripe_connect"})
    bank_reference = ma.fields.String(allow_none=True, metadata={"description": "The bank's reference, or "
                                                                               "the Stripe transfer id"})
    last_error = ma.fields.String(allow_none=True, metadata={"description": "Stripe's last refusal; fix the "
                                                                          "account, then send again or reject"})
    reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    decided_at = ma.fields.DateTime(allow_none=True)
    exported_at = ma.fields.DateTime(allow_none=True)
    paid_at = ma.fields.DateTime(allow_none=True)

    def _leader_name(self, payout) -> str:
        from app.extensions import db
        from app.leaders.models import Leader

        return db.session.get(Leader, payout.leader_id).display_name  # identity map: once per leader per page


class PendingApprovalSchema(Schema):
    id = ma.fields.Integer(metadata={"description": "The approval request (POST /payout-requests/{id}/approve)"})
    requested_by_id = ma.fields.Integer()
    requested_by_name = f.Method("_name", returns=ma.fields.String())

    def _name(self, request) -> str:
        from app.accounts.models import Account
        from app.extensions import db

        return db.session.get(Account, request.requested_by_id).name


class AdminPayoutSchema(PayoutSchema):
    pending_approval = f.Method("_pending", returns=ma.fields.Nested(PendingApprovalSchema, allow_none=True), metadata={
        "description": "A colleague's proposal to approve it, waiting for a second staff member (four-eyes)"})

    def _pending(self, payout):
        from app.commissions.payout_approvals import pending_for

        pending = pending_for(payout.id) if payout.status is PayoutStatus.REQUESTED else None
        return PendingApprovalSchema().dump(pending) if pending else None


class PayoutQuerySchema(QuerySchema):
    sort = sort_keys.PAYOUTS.field()
    status = f.Choice([s.value for s in PayoutStatus], load_default=None)


class RejectSchema(Schema):
    reason = f.Str(min_length=1, max_length=300, required=True)


class PaidSchema(Schema):
    bank_reference = f.Str(min_length=1, max_length=120, required=True)


class PerformanceQuerySchema(QuerySchema):
    month = ma.fields.String(load_default=None, validate=ma.validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"),
                             metadata={"description": "YYYY-MM in the store timezone; default this month"})


class PerformanceSchema(Schema):
    leader_id = ma.fields.Integer()
    leader_name = ma.fields.String()
    orders = ma.fields.Integer()
    sales_cents = ma.fields.Integer(metadata={"description": "Paid less refunded"})
    unique_buyers = ma.fields.Integer()
    repurchase_rate = ma.fields.Float(allow_none=True, metadata={"description": "Buyers with 2+ orders / buyers"})
    commission_cents = ma.fields.Integer(metadata={"description": "Accrued less clawed back in the period"})
    pickup_rate = ma.fields.Float(allow_none=True, metadata={"description": "Of orders that arrived"})
    uncollected_rate = ma.fields.Float(allow_none=True)


class RetentionQuerySchema(QuerySchema):
    months = f.QueryInt(1, 24, load_default=6)


class CohortSchema(Schema):
    cohort = ma.fields.String(metadata={"description": "First active month (YYYY-MM)"})
    leaders = ma.fields.Integer()
    active = ma.fields.List(ma.fields.Integer(), metadata={"description": "Active leaders 0, 1, 2 … months on"})
    retention = ma.fields.List(ma.fields.Float())


class PayoutAccountSchema(Schema):
    stripe_account_id = ma.fields.String()
    transfers_enabled = ma.fields.Boolean(metadata={"description": "Stripe will accept transfers to it"})
    details_submitted = ma.fields.Boolean(metadata={"description": "The leader finished Stripe's onboarding"})
    onboarding_url = ma.fields.String(allow_none=True, metadata={"description": "Stripe's hosted onboarding "
                                                                              "form, until it is completed"})


class LinkPayoutAccountSchema(Schema):
    stripe_account_id = f.Str(min_length=6, max_length=64, required=True,
                              validate=[ma.validate.Regexp(r"^acct_[A-Za-z0-9]+$", error="Not a Stripe account id "
                                                           "(acct_…)")])
