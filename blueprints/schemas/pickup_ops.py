from __future__ import annotations

import marshmallow as ma

from app.delivery.runs import delivered_mark
from app.pickup.batches import to_pack, totals
from app.pickup.models import BatchStatus, ShortageReason
from app.settings.models import UncollectedPolicy
from blueprints import fields as f
from blueprints.schemas.common import QuerySchema, Schema

HHMM = "%H:%M"


class PickupSlotSchema(Schema):
    pickup_date = ma.fields.Date(attribute="date")
    window_start = ma.fields.DateTime()
    window_end = ma.fields.DateTime()
    order_cutoff = ma.fields.DateTime(metadata={"description": "Order before this to make this pickup date"})


class SettingsSchema(Schema):
    cutoff_time = ma.fields.Time(format=HHMM)
    lead_days = ma.fields.Integer()
    pickup_from = ma.fields.Time(format=HHMM)
    pickup_until = ma.fields.Time(format=HHMM)
    reminder_after_days = ma.fields.Integer()
    uncollected_after_days = ma.fields.Integer()
    uncollected_policy = ma.fields.String()
    restocking_fee_bps = ma.fields.Integer(metadata={"description": "Basis points: 1000 = 10 %"})
    refund_approval_above_cents = ma.fields.Integer(allow_none=True, metadata={
        "description": "Staff refunds above this need a second staff member's approval; null: never"})
    webhook_url = ma.fields.String(allow_none=True)
    webhook_secret_hint = ma.fields.Function(lambda s: f"…{s.webhook_secret[-4:]}" if s.webhook_secret else None,
                                             allow_none=True)
    birthday_coupon_template_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "Coupon template each shopper gets on their birthday; null: none"})
    replenishment_remind_days_before = ma.fields.Integer(
        metadata={"description": "Replenishment reminders go out this many days before the predicted run-out"})
    online_methods = ma.fields.List(ma.fields.String(), metadata={
        "description": "Online methods offered (card, wechat_pay, alipay), while Stripe keys are set"})
    wallet_enabled = ma.fields.Boolean()
    campaign_methods = ma.fields.Dict(metadata={
        "description": "Per campaign kind, who may pay: [\"online\", \"wallet\"] or named online methods"})


class SettingsUpdateSchema(Schema):
    cutoff_time = ma.fields.Time(format=HHMM)
    lead_days = f.Int(0, 14)
    pickup_from = ma.fields.Time(format=HHMM)
    pickup_until = ma.fields.Time(format=HHMM)
    reminder_after_days = f.Int(0, 30)
    uncollected_after_days = f.Int(1, 60)
    uncollected_policy = f.Choice(UncollectedPolicy)
    restocking_fee_bps = f.Int(0, 10_000)
    refund_approval_above_cents = f.Cents(allow_none=True, metadata={
        "description": "Four-eyes for staff refunds above this amount; null turns it off"})
    webhook_url = f.HttpUrl(allow_none=True)
    birthday_coupon_template_id = f.Id(allow_none=True, metadata={"description": "null: no birthday offer"})
    replenishment_remind_days_before = f.Int(0, 30, metadata={"description": "Days before the predicted "
                                                                             "run-out to remind (0–30)"})
    online_methods = ma.fields.List(ma.fields.String(), validate=ma.validate.Length(max=3))
    wallet_enabled = ma.fields.Boolean()
    campaign_methods = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))


class WebhookSecretSchema(Schema):
    webhook_secret = ma.fields.String(metadata={"description": "Shown once; verify X-Storefront-Signature with it"})


class BatchLineSchema(Schema):
    order_line_id = ma.fields.Integer(attribute="id")
    sku_code = ma.fields.String()
    product_name = ma.fields.String()
    sku_name = ma.fields.String()
    quantity = ma.fields.Function(to_pack, metadata={"description": "Units sent"})
    shorted_quantity = ma.fields.Integer()
    picked_up_quantity = ma.fields.Integer()


class BatchOrderSchema(Schema):
    """An order as its leader sees it in a batch: no pickup code (the shopper shows it)."""

    order_id = ma.fields.Integer(attribute="id")
    number = ma.fields.String()
    shopper_name = ma.fields.Function(lambda o: o.shopper_name)
    fulfilment = ma.fields.String()
    status = ma.fields.String()
    payment_method = ma.fields.String()
    amount_due_cents = ma.fields.Method("_due", metadata={"description": "To collect at pickup (pay at pickup)"})
    pickup_date = ma.fields.Date(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(BatchLineSchema))

    def _due(self, order) -> int:
        from app.orders.models import OrderStatus
        from app.pickup.verification import amount_due

        return amount_due(order) if order.status is OrderStatus.CONFIRMED else 0


class TotalsSchema(Schema):
    orders = ma.fields.Integer()
    units = ma.fields.Integer()
    amount_cents = ma.fields.Integer()


class DeliveredMarkSchema(Schema):
    at = ma.fields.DateTime()
    driver_name = ma.fields.String(allow_none=True)
    has_photo = ma.fields.Boolean()


class BatchSchema(Schema):
    id = ma.fields.Integer()
    delivery_date = ma.fields.Date()
    status = ma.fields.String()
    pickup_point = ma.fields.Function(lambda b: {"id": b.pickup_point.id, "name": b.pickup_point.name,
                                                 "address": b.pickup_point.address})
    totals = ma.fields.Function(lambda b: TotalsSchema().dump(totals(b.id)))
    closed_at = ma.fields.DateTime(allow_none=True)
    dispatched_at = ma.fields.DateTime(allow_none=True)
    arrived_at = ma.fields.DateTime(allow_none=True)
    driver_delivered = ma.fields.Function(
        lambda b: DeliveredMarkSchema().dump(m) if (m := delivered_mark(b.pickup_point_id, b.delivery_date)) else None,
        allow_none=True, metadata={"description": "The route driver's delivered mark (docs/delivery-routes.md)"})


class BatchDetailSchema(BatchSchema):
    orders = ma.fields.List(ma.fields.Nested(BatchOrderSchema))


class BatchQuerySchema(QuerySchema):
    delivery_date = ma.fields.Date()
    status = f.Choice(BatchStatus)
    pickup_point_id = f.QueryInt(1)


class LeaderBatchQuerySchema(QuerySchema):
    scope = f.Choice(("upcoming", "all"), load_default="upcoming",
                     metadata={"description": "upcoming: today and later (store time)"})


class PickListLineSchema(Schema):
    order_line_id = ma.fields.Integer()
    sku_code = ma.fields.String()
    product_name = ma.fields.String()
    sku_name = ma.fields.String()
    quantity = ma.fields.Integer()


class PickListOrderSchema(Schema):
    order_number = ma.fields.String()
    pickup_code = ma.fields.String()
    shopper_name = ma.fields.String(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(PickListLineSchema))
    replacement_for = ma.fields.Integer(metadata={"description": "An after-sale replacement: the request's id"})


class ConsolidatedRowSchema(Schema):
    sku_code = ma.fields.String()
    product_name = ma.fields.String()
    sku_name = ma.fields.String()
    quantity = ma.fields.Integer()
    pickup_points = ma.fields.Integer()


class DateQuerySchema(QuerySchema):
    delivery_date = ma.fields.Date(required=True)


class ShortageInputSchema(Schema):
    order_line_id = f.Id(required=True)
    quantity = f.Int(1, 999, required=True)
    reason = f.Choice(ShortageReason, required=True)


class ArrivalSchema(Schema):
    shortages = ma.fields.List(ma.fields.Nested(ShortageInputSchema), load_default=list,
                               validate=ma.validate.Length(max=500),
                               metadata={"description": "Everything not listed arrived in full"})


class PickupLineInputSchema(Schema):
    order_line_id = f.Id(required=True)
    quantity = f.Int(1, 999, required=True)


class VerifyPickupSchema(Schema):
    code = f.Str(min_length=4, max_length=32, required=True)
    order_number = f.Str(min_length=4, max_length=16, load_default=None,
                         metadata={"description": "From the QR code; wrong codes then count against this order"})
    lines = ma.fields.List(ma.fields.Nested(PickupLineInputSchema), load_default=None,
                           validate=ma.validate.Length(min=1, max=50),
                           metadata={"description": "Partial pickup; omit to hand over everything waiting"})
    collected_cents = f.Cents(load_default=None, metadata={
        "description": "Pay at pickup: the amount collected — required, and exactly the amount due"})


class PreviewPickupSchema(Schema):
    code = f.Str(min_length=4, max_length=32, required=True)
    order_number = f.Str(min_length=4, max_length=16, load_default=None)


class LeaderOrderQuerySchema(QuerySchema):
    fulfilment = f.Choice(("scheduled", "ready_for_pickup", "partially_picked_up", "picked_up", "uncollected"),
                          load_default="ready_for_pickup")


class MovePickupSchema(Schema):
    pickup_point_id = f.Id(required=True)


class NotificationSchema(Schema):
    id = ma.fields.Integer()
    event_type = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    data = ma.fields.Dict()
    created_at = ma.fields.DateTime()
    read_at = ma.fields.DateTime(allow_none=True)


class InboxQuerySchema(QuerySchema):
    unread = ma.fields.Boolean(load_default=False)


class CountSchema(Schema):
    count = ma.fields.Integer()


class WebhookAttemptSchema(Schema):
    status_code = ma.fields.Integer(allow_none=True)
    error = ma.fields.String(allow_none=True)
    duration_ms = ma.fields.Integer()
    created_at = ma.fields.DateTime()


class WebhookDeliverySchema(Schema):
    id = ma.fields.Integer()
    event_id = ma.fields.Function(lambda d: f"evt_{d.outbox_event_id}")
    event_type = ma.fields.Function(lambda d: d.event_type)
    url = ma.fields.String()
    status = ma.fields.String()
    attempts = ma.fields.Integer()
    next_attempt_at = ma.fields.DateTime()
    sent_at = ma.fields.DateTime(allow_none=True)
    log = ma.fields.Function(lambda d: WebhookAttemptSchema(many=True).dump(d.log))


class PickupAttemptSchema(Schema):
    id = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    account_id = ma.fields.Integer(metadata={"description": "Who typed the code"})
    verified_as = ma.fields.String()
    leader_id = ma.fields.Integer(allow_none=True)
    order_id = ma.fields.Integer(allow_none=True)
    pickup_point_id = ma.fields.Integer(allow_none=True)
    order_number = ma.fields.String(allow_none=True)
    outcome = ma.fields.String(metadata={"description": "handed_over, or the refusal's error code"})


class PickupAttemptQuerySchema(QuerySchema):
    order_id = f.QueryInt(1, load_default=None)
    outcome = f.Str(max_length=40, load_default=None)
    failed_only = ma.fields.Boolean(load_default=False)


class AdminPickupAttemptQuerySchema(PickupAttemptQuerySchema):
    pickup_point_id = f.QueryInt(1, load_default=None)
