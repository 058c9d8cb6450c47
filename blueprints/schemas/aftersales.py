from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from app.aftersales.decisions import is_overdue
from app.aftersales.models import Decision, LeaderVerdict, Reason, Status
from blueprints import fields as f
from blueprints import sort_keys
from blueprints.schemas.common import QuerySchema, Schema


class OpenRequestSchema(Schema):
    order_line_id = f.Id(required=True)
    reason = f.Choice(list(Reason), required=True)
    quantity = f.Int(1, 999, required=True)
    description = f.Str(max_length=1000, load_default="")


class PhotoUploadSchema(Schema):
    # Not required here: the request is looked up first (404 before 422); a missing file is refused then.
    photo = Upload(metadata={"description": "A JPEG, PNG, WebP or GIF photo (re-encoded, metadata removed)"})


class ReviewSchema(Schema):
    verdict = f.Choice(list(LeaderVerdict), required=True,
                       metadata={"description": "confirmed: what the shopper says is what you see; disputed: not"})
    note = f.Str(max_length=1000, load_default=None)


class DecisionSchema(Schema):
    decision = f.Choice(list(Decision), required=True)
    quantity = f.Int(1, 999, load_default=None, metadata={"description": "Units (default: all claimed)"})
    amount_cents = f.Cents(load_default=None,
                           metadata={"description": "A partial refund: at most what the units cost"})
    reason = f.Str(max_length=500, load_default=None, metadata={"description": "Required for a rejection"})
    cash_refund_by = f.Choice(["leader", "wallet"], load_default=None, metadata={
        "description": "An order paid in cash at pickup: the leader pays the refund in cash, or the shopper's "
                       "wallet is credited (default: the rules' cash_refund_by); 422 for other orders"})


class RulesSchema(Schema):
    leader_review_hours = f.Int(1, 168)
    auto_approve_max_cents = f.Cents(metadata={"description": "Claims up to this are refunded at once (0: off)"})
    auto_approve_max_rate_bps = f.Int(0, 10_000, metadata={
        "description": "…when the shopper's after-sale requests per line bought are below this (basis points)"})
    cash_refund_by = f.Choice(["leader", "wallet"], metadata={
        "description": "How a refund of cash paid at pickup goes back unless the decision says: leader or wallet"})


class RulesUpdateSchema(RulesSchema):
    """The PATCH body: Rules's fields, each optional. A name of its own, so that the answer's schema
    (Rules) can say which fields it always has."""


class RequestQuerySchema(QuerySchema):
    sort = sort_keys.AFTER_SALES.field()
    status = f.Choice([*Status, "escalated", "open"], load_default=None,
                      metadata={"description": "escalated: the leader's review is overdue; open: not decided"})


class PhotoSchema(Schema):
    id = ma.fields.Integer()
    uploaded_as = ma.fields.String()
    content_type = ma.fields.String()
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    created_at = ma.fields.DateTime()


class EventSchema(Schema):
    kind = ma.fields.String()
    status = ma.fields.String()
    actor_role = ma.fields.String()
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class RequestSchema(Schema):
    id = ma.fields.Integer()
    order_id = ma.fields.Integer()
    order_line_id = ma.fields.Integer()
    pickup_point_id = ma.fields.Integer()
    batch_id = ma.fields.Integer(allow_none=True)
    product_id = ma.fields.Integer()
    reason = f.Function(lambda r: r.reason.value, returns=ma.fields.String())
    quantity = ma.fields.Integer()
    description = ma.fields.String()
    claim_cents = ma.fields.Integer()
    status = f.Function(lambda r: r.status.value, returns=ma.fields.String())
    leader_review_overdue = f.Function(is_overdue, metadata={
        "description": "The leader's review deadline passed: the merchant may decide (by the clock)"},
                                       returns=ma.fields.Boolean())
    review_due_at = ma.fields.DateTime()
    leader_verdict = f.Function(lambda r: r.leader_verdict.value if r.leader_verdict else None, allow_none=True,
                                returns=ma.fields.String())
    leader_note = ma.fields.String(allow_none=True)
    decision = f.Function(lambda r: r.decision.value if r.decision else None, allow_none=True,
                          returns=ma.fields.String())
    decision_reason = ma.fields.String(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    refund_id = ma.fields.Integer(allow_none=True)
    refund_cents = ma.fields.Integer()
    replacement_batch_id = ma.fields.Integer(allow_none=True)
    replacement_quantity = ma.fields.Integer()
    cash_refund_by = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    photos = ma.fields.List(ma.fields.Nested(PhotoSchema))
    history = ma.fields.List(ma.fields.Nested(EventSchema), attribute="events")


class StaffRequestSchema(RequestSchema):
    account_id = ma.fields.Integer()
    leader_id = ma.fields.Integer(allow_none=True)
    decided_by_id = ma.fields.Integer(allow_none=True)
    paid_in_cash = f.Method("_paid_in_cash", returns=ma.fields.Boolean(), metadata={
        "description": "The order was paid in cash at pickup: a refund may go back by the leader or to the wallet"})

    def _paid_in_cash(self, row) -> bool:
        from app.extensions import db
        from app.orders.models import Order

        return db.session.get(Order, row.order_id).payment_method == "pay_at_pickup"


class AnalyticsQuerySchema(QuerySchema):
    by = f.Choice(["product", "pickup_point", "leader", "batch", "reason"], load_default="product")


class AnalyticsRowSchema(Schema):
    key = ma.fields.String(allow_none=True, metadata={"description": "The product, point, leader or batch id, "
                                                                     "or the reason"})
    name = ma.fields.String(allow_none=True)
    requests = ma.fields.Integer()
    lines_sold = ma.fields.Integer(allow_none=True, metadata={"description": "Order lines sold (null by reason)"})
    rate_pct = ma.fields.Float(allow_none=True, metadata={"description": "requests / lines_sold × 100"})
    refunded = ma.fields.Integer()
    replaced = ma.fields.Integer()
    rejected = ma.fields.Integer()
    refunded_cents = ma.fields.Integer()
