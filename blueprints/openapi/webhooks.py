"""The outbound webhooks (docs/pickup.md "Notifications") in the document's 3.1 `webhooks` section:
what the merchant's `webhook_url` receives for each event, signed as described there."""
from __future__ import annotations

from blueprints.schemas import webhooks as data

ORDER, BATCH, AFTERSALE = "OrderEventData", "BatchEventData", "AfterSaleEventData"
SUBSCRIPTION, REPLENISHMENT = "SubscriptionEventData", "ReplenishmentEventData"
DATA_SCHEMAS = {
    ORDER: data.OrderEventDataSchema, BATCH: data.BatchEventDataSchema, AFTERSALE: data.AfterSaleEventDataSchema,
    SUBSCRIPTION: data.SubscriptionEventDataSchema, REPLENISHMENT: data.ReplenishmentEventDataSchema,
    "BirthdayEventData": data.BirthdayEventDataSchema, "LotteryEventData": data.LotteryEventDataSchema,
}
# Every event type app/ emits (tests/api/test_openapi_document.py checks the list against the code).
EVENTS = {
    "order.paid": ("An order was paid", ORDER),
    "order.deposit_paid": ("A pre-sale deposit was paid", ORDER),
    "order.balance_due": ("A pre-sale balance can be paid now", ORDER),
    "order.balance_lapsed": ("A pre-sale balance was not paid in its window", ORDER),
    "order.dispatched": ("An order left the warehouse", ORDER),
    "order.ready_for_pickup": ("An order can be collected", ORDER),
    "order.pickup_reminder": ("An order is still waiting at the pickup point", ORDER),
    "order.picked_up": ("An order was (partly) collected", ORDER),
    "order.uncollected": ("An order was not collected in time", ORDER),
    "order.refunded": ("Money went back for an order", ORDER),
    "order.pickup_date_changed": ("An order's pickup date moved (previous_pickup_date in data)", ORDER),
    "order.pickup_point_changed": ("An order moved to another pickup point", ORDER),
    "order.pickup_point_unchanged": ("After a group moved, this order keeps its pickup point", ORDER),
    "group_buy.reached": ("A group buy reached its threshold: the order goes ahead", ORDER),
    "group_buy.failed": ("A group buy missed its threshold: the order is refunded", ORDER),
    "batch.dispatched": ("A delivery batch left for a pickup point (to its leader)", BATCH),
    "aftersale.opened": ("An after-sale request was opened", AFTERSALE),
    "aftersale.reviewed": ("The leader reviewed an after-sale request", AFTERSALE),
    "aftersale.refunded": ("An after-sale request was refunded", AFTERSALE),
    "aftersale.replaced": ("An after-sale request was settled by a replacement", AFTERSALE),
    "aftersale.rejected": ("An after-sale request was rejected", AFTERSALE),
    "subscription.renewed": ("A subscription placed its next order", SUBSCRIPTION),
    "subscription.out_of_stock": ("A subscription delivery was skipped: out of stock", SUBSCRIPTION),
    "subscription.charge_failed": ("A subscription charge was declined (retried later)", SUBSCRIPTION),
    "subscription.paused_for_payment": ("A subscription paused after its last failed retry", SUBSCRIPTION),
    "replenishment.reminder": ("A shopper is probably running low on a product", REPLENISHMENT),
    "replenishment.subscription_suggested": ("A shopper who buys a product regularly is offered a plan",
                                             REPLENISHMENT),
    "birthday.coupon_issued": ("A birthday coupon was issued", "BirthdayEventData"),
    "lottery.won": ("A lottery entry won a prize", "LotteryEventData"),
}
SIGNATURE_HEADERS = [
    {"in": "header", "name": "X-Storefront-Event-Id", "required": True, "schema": {"type": "string"},
     "description": "evt_<id>: the same on every retry of one event; ignore one you have seen"},
    {"in": "header", "name": "X-Storefront-Signature", "required": True, "schema": {"type": "string"},
     "description": "t=<unix time>,v1=<hex HMAC-SHA256 of \"<t>.<body>\"> with the store's webhook secret"},
]


def _envelope(data_schema: str) -> dict:
    return {"type": "object", "required": ["id", "type", "created_at", "data"], "properties": {
        "id": {"type": "string", "description": "evt_<id>"},
        "type": {"$ref": "#/components/schemas/WebhookEventType"},
        "created_at": {"type": "string", "format": "date-time"},
        "data": {"$ref": f"#/components/schemas/{data_schema}"}}}


def register_webhooks(spec) -> None:
    for name, schema in DATA_SCHEMAS.items():
        spec.components.schema(name, schema=schema)
    spec.components.schema("WebhookEventType", {"type": "string", "enum": sorted(EVENTS)})
    spec.options["webhooks"] = {event: {"post": {
        "operationId": "webhook_" + event.replace(".", "_"), "summary": summary, "tags": ["webhooks"],
        "parameters": SIGNATURE_HEADERS,
        "requestBody": {"required": True, "content": {"application/json": {"schema": _envelope(schema)}}},
        "responses": {"2XX": {"description": "Received; any other answer (or none in 5 s) is retried after "
                                             "30 s, 2 min, 10 min, 1 h and 6 h"}}}}
        for event, (summary, schema) in EVENTS.items()}
