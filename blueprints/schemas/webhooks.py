"""The `data` of each outbound webhook event (app/notifications), for the OpenAPI `webhooks` section.
Only documentation: the payloads are built in app/ (messages.order_payload and the emit() calls)."""
from __future__ import annotations

import marshmallow as ma


class EventData(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE  # events may carry more keys (e.g. previous_pickup_date): receivers ignore them
        ordered = True


class EventPickupPointSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    address = ma.fields.String(metadata={"optional": True, "description": "Order events only"})


class EventShopperSchema(ma.Schema):
    account_id = ma.fields.Integer()
    name = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)


class OrderEventDataSchema(EventData):
    order_id = ma.fields.Integer()
    order_number = ma.fields.String()
    status = ma.fields.String()
    fulfilment = ma.fields.String()
    total_cents = ma.fields.Integer()
    currency = ma.fields.String()
    pickup_date = ma.fields.Date(allow_none=True)
    pickup_point = ma.fields.Nested(EventPickupPointSchema)
    shopper = ma.fields.Nested(EventShopperSchema)


class BatchEventDataSchema(EventData):
    batch_id = ma.fields.Integer()
    delivery_date = ma.fields.Date()
    pickup_point = ma.fields.Nested(EventPickupPointSchema)
    orders = ma.fields.List(ma.fields.String(), metadata={"description": "Order numbers in the batch"})


class AfterSaleEventDataSchema(EventData):
    aftersale_request_id = ma.fields.Integer()
    order_id = ma.fields.Integer()
    order_line_id = ma.fields.Integer()
    status = ma.fields.String()


class SubscriptionEventDataSchema(EventData):
    subscription_id = ma.fields.Integer()
    sku_id = ma.fields.Integer()
    sku_name = ma.fields.String()
    quantity = ma.fields.Integer()
    cycle_date = ma.fields.Date()
    order_id = ma.fields.Integer(allow_none=True)
    amount_cents = ma.fields.Integer()
    next_date = ma.fields.Date()


class EventReminderLineSchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    sku_id = ma.fields.Integer()
    quantity = ma.fields.Integer()


class ReplenishmentEventDataSchema(EventData):
    account_id = ma.fields.Integer()
    product_id = ma.fields.Integer()
    product_name = ma.fields.String()
    reminder_id = ma.fields.Integer(metadata={"optional": True, "description": "replenishment.reminder"})
    run_out_on = ma.fields.Date(metadata={"optional": True, "description": "replenishment.reminder"})
    basis = ma.fields.String(metadata={"optional": True, "description": "replenishment.reminder"})
    lines = ma.fields.List(ma.fields.Nested(EventReminderLineSchema),
                           metadata={"optional": True, "description": "replenishment.reminder"})
    reorder_url = ma.fields.String(metadata={"optional": True, "description": "replenishment.reminder"})
    plan_id = ma.fields.Integer(metadata={"optional": True, "description": "replenishment.subscription_suggested"})
    sku_id = ma.fields.Integer(metadata={"optional": True, "description": "replenishment.subscription_suggested"})
    discount_bps = ma.fields.Integer(metadata={"optional": True,
                                               "description": "replenishment.subscription_suggested"})
    intervals = ma.fields.List(ma.fields.Dict(), metadata={"optional": True,
                                                           "description": "replenishment.subscription_suggested"})
    purchases = ma.fields.Integer(metadata={"optional": True, "description": "replenishment.subscription_suggested"})


class BirthdayEventDataSchema(EventData):
    account_id = ma.fields.Integer()
    coupon_id = ma.fields.Integer()
    template_id = ma.fields.Integer()
    coupon_name = ma.fields.String()
    valid_until = ma.fields.DateTime()


class LotteryEventDataSchema(EventData):
    lottery_id = ma.fields.Integer()
    title = ma.fields.String()
    group_id = ma.fields.Integer()
    entry_id = ma.fields.Integer()
    entry_number = ma.fields.Integer()
    ticket = ma.fields.String()
    account_id = ma.fields.Integer()
    win_rank = ma.fields.Integer()
    prize = ma.fields.String()
