from __future__ import annotations

import marshmallow as ma
from flask import current_app

from app.extensions import db
from app.groups.models import Group
from app.orders.models import Fulfilment, OrderStatus
from app.payments import methods
from app.payments.services import latest_payment
from app.payments.stripe_gateway import shopper_message
from app.pickup.schedule import window_of
from app.pickup.uncollected import effective_fulfilment
from app.pickup.verification import amount_due
from app.settings.services import get_settings
from blueprints import fields as f
from blueprints import sort_keys
from blueprints.schemas.common import NextActionSchema, QuerySchema, Schema, WindowSchema

IDEMPOTENCY_KEY_RE = r"^[\x21-\x7e]{1,255}$"


class IdempotencyHeaderSchema(QuerySchema):
    idempotency_key = ma.fields.String(
        data_key="Idempotency-Key", required=True, validate=ma.validate.Regexp(IDEMPOTENCY_KEY_RE),
        metadata={"description": "Unique per intended request (e.g. a UUID); a retry reuses it"})


class CheckoutLineSchema(Schema):
    sku_id = f.Id(required=True)
    quantity = f.Int(1, 999, required=True)
    campaign_item_id = f.Id(allow_none=True, metadata={"description": "Buy through a pre-sale or group buy"})


class CheckoutSchema(Schema):
    lines = ma.fields.List(ma.fields.Nested(CheckoutLineSchema), required=True,
                           validate=ma.validate.Length(min=1, max=50))
    payment_method = f.Choice(methods.ACCEPTED, load_default="card",
                              metadata={"description": "One of the quote's payment_methods: card (stripe is its old "
                                                       "name), wechat_pay, alipay, pay_at_pickup (if the group "
                                                       "offers it), or wallet (paid at once from your stored value)"})
    coupon_id = f.Id(load_default=None, allow_none=True,
                     metadata={"description": "One of your available coupons (GET /coupons)"})
    wallet_cents = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=10**10),
                                     metadata={"description": "With stripe: pay this much from your wallet now "
                                                              "and the rest by card"})
    points = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=10_000_000),
                               metadata={"description": "Loyalty points to redeem (members; up to the "
                                                        "programme's share of the order)"})


class OrderLineSchema(Schema):
    id = ma.fields.Integer()
    sku_id = ma.fields.Integer()
    product_id = ma.fields.Integer()
    product_name = ma.fields.String()
    sku_name = ma.fields.String()
    sku_code = ma.fields.String()
    unit_price_cents = ma.fields.Integer()
    quantity = ma.fields.Integer()
    discount_cents = ma.fields.Integer(metadata={"description": "This line's share of the coupon and points"})
    line_total_cents = ma.fields.Integer()
    refunded_quantity = ma.fields.Integer()
    refunded_cents = ma.fields.Integer()
    list_price_cents = ma.fields.Integer(allow_none=True)
    price_rule = ma.fields.String(metadata={"description": "Which price applied: regular, member, member_day, "
                                                           "flash_sale, pre_sale, group_buy"})
    campaign_id = ma.fields.Integer(allow_none=True)
    campaign_item_id = ma.fields.Integer(allow_none=True)
    points_multiplier = ma.fields.Integer(metadata={"description": "Loyalty points on this line are earned at this "
                                                                   "multiple (a member day's extra points)"})


class PaymentInfoSchema(Schema):
    provider = ma.fields.String()
    purpose = ma.fields.String()
    status = ma.fields.String()
    amount_cents = ma.fields.Integer()
    method = f.Function(lambda p: (p.method or "card") if p.provider == "stripe" else p.provider,
                        metadata={"description": "card, wechat_pay, alipay, wallet or pay_at_pickup"},
                        returns=ma.fields.String())
    client_secret = ma.fields.String(allow_none=True, metadata={
        "description": "For Stripe.js (confirmCardPayment, confirmWechatPayPayment, confirmAlipayPayment); "
                       "present while the payment is open"})
    publishable_key = f.Function(lambda p: current_app.config["STRIPE_PUBLISHABLE_KEY"] or None
                                 if p.provider == "stripe" else None, allow_none=True,
                                 returns=ma.fields.String())
    next_action = f.Function(
        lambda p: methods.next_action_view(p.next_action) if p.status.value == "pending" else None, allow_none=True,
        metadata={"description": "While a WeChat Pay / Alipay payment is open: {type, qr_code_data (render as a "
                                 "QR code), hosted_url, image_url_png, image_url_svg, redirect_url (Alipay: send "
                                 "the shopper there; they come back to the order)}. See docs/payments.md"},
                             returns=ma.fields.Nested(NextActionSchema))
    failure_message = f.Function(
        lambda p: shopper_message(None) if p.status.value == "failed" else None, allow_none=True,
        metadata={"description": "In the shopper's language; the provider's own text is never shown"},
                                 returns=ma.fields.String())


class PresaleBalanceSchema(Schema):
    deposit_cents = ma.fields.Integer()
    deposit_value_cents = ma.fields.Integer()
    balance_cents = ma.fields.Integer()
    opens_at = ma.fields.DateTime()
    closes_at = ma.fields.DateTime()


class PickupSnapshotSchema(Schema):
    id = ma.fields.Integer(attribute="pickup_point_id")
    name = ma.fields.String(attribute="pickup_point_name")
    address = ma.fields.String(attribute="pickup_point_address")


class OrderSchema(Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    status = ma.fields.String(attribute="effective_status", metadata={"enum": [s.value for s in OrderStatus]})
    payment_method = ma.fields.String()
    currency = ma.fields.String()
    subtotal_cents = ma.fields.Integer()
    coupon_id = ma.fields.Integer(allow_none=True)
    coupon_discount_cents = ma.fields.Integer()
    points_redeemed = ma.fields.Integer()
    points_discount_cents = ma.fields.Integer()
    total_cents = ma.fields.Integer(metadata={"description": "subtotal − coupon − points discounts"})
    paid_cents = ma.fields.Integer()
    refunded_cents = ma.fields.Integer()
    group_id = ma.fields.Integer()
    group_name = ma.fields.String()
    leader_name = ma.fields.String(allow_none=True)
    pickup_point = f.Function(lambda o: PickupSnapshotSchema().dump(o), returns=ma.fields.Nested(PickupSnapshotSchema))
    lines = ma.fields.List(ma.fields.Nested(OrderLineSchema))
    payment = f.Method("_payment", allow_none=True, returns=ma.fields.Nested(PaymentInfoSchema))
    expires_at = ma.fields.DateTime(allow_none=True, metadata={"description": "Stock is held until then"})
    fulfilment = f.Method("_fulfilment", metadata={"description": "Where the goods are"}, returns=ma.fields.String())
    pickup_date = ma.fields.Date(allow_none=True)
    pickup_window = f.Method("_window", allow_none=True, returns=ma.fields.Nested(WindowSchema))
    pickup_code = f.Method("_code", allow_none=True,
                           metadata={"description": "Show it at the pickup point; present once confirmed"},
                           returns=ma.fields.String())
    pickup_qr = f.Method("_qr", allow_none=True, metadata={"description": "Text to render as a QR code"},
                         returns=ma.fields.String())
    amount_due_cents = f.Method("_due", metadata={"description": "To pay at pickup"}, returns=ma.fields.Integer())
    ready_at = ma.fields.DateTime(allow_none=True)
    picked_up_at = ma.fields.DateTime(allow_none=True)
    campaign_id = ma.fields.Integer(allow_none=True)
    balance = f.Method("_balance", allow_none=True, metadata={"description": "Pre-sale deposit and balance"},
                       returns=ma.fields.Nested(PresaleBalanceSchema))
    payment_methods = f.Method("_methods", metadata={
        "description": "What can pay this order now (POST …/pay with one of them); empty when nothing is due"},
                               returns=ma.fields.List(ma.fields.String()))

    def _methods(self, order):
        from app.campaigns.presale import balance_of

        due = order.status is OrderStatus.DEPOSIT_PAID or (
            order.effective_status == OrderStatus.PENDING_PAYMENT.value and order.payment_method == "stripe")
        if not due or (order.status is OrderStatus.DEPOSIT_PAID and balance_of(order) is None):
            return []
        from app.orders.services import campaign_kind

        return methods.allowed(campaign_kind=campaign_kind(order))

    def _balance(self, order):
        from app.campaigns.presale import balance_of

        b = balance_of(order)
        return None if b is None else {"deposit_cents": b.deposit_cents, "deposit_value_cents": b.deposit_value_cents,
                                       "balance_cents": b.balance_cents, "opens_at": b.opens_at.isoformat(),
                                       "closes_at": b.closes_at.isoformat()}
    paid_at = ma.fields.DateTime(allow_none=True)
    closed_at = ma.fields.DateTime(allow_none=True)
    close_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()

    def _fulfilment(self, order):
        return effective_fulfilment(order, get_settings())

    def _window(self, order):
        if order.pickup_date is None:
            return None
        start, end = window_of(db.session.get(Group, order.group_id), order.pickup_date)
        return {"start": start.isoformat(), "end": end.isoformat()}

    def _code(self, order):
        collectable = order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.CONFIRMED)
        waiting = order.fulfilment in (Fulfilment.SCHEDULED, Fulfilment.READY_FOR_PICKUP,
                                       Fulfilment.PARTIALLY_PICKED_UP)
        return order.pickup_code if collectable and waiting else None

    def _qr(self, order):
        code = self._code(order)
        return f"PICKUP/{order.number}/{code}" if code else None

    def _due(self, order):
        return amount_due(order) if order.status is OrderStatus.CONFIRMED else 0

    def _payment(self, order):
        payment = latest_payment(order)
        if payment is None:
            return None
        info = PaymentInfoSchema().dump(payment)
        if payment.status.value != "pending" and payment.status.value != "failed":
            info["client_secret"] = None
        return info


class StaffOrderSchema(OrderSchema):
    account_id = ma.fields.Integer()
    shopper_name = ma.fields.String()
    leader_id = ma.fields.Integer(allow_none=True)


class OrderQuerySchema(QuerySchema):
    sort = sort_keys.ORDERS.field()
    group_id = f.QueryInt(1)
    shopper_id = f.QueryInt(1)
    status = f.Choice(OrderStatus)
    created_from = ma.fields.Date(metadata={"description": "Store-local date, inclusive"})
    created_to = ma.fields.Date(metadata={"description": "Store-local date, inclusive"})
    number = f.Str(max_length=16)


class CancelSchema(Schema):
    reason = f.Str(max_length=60, load_default="cancelled by staff")


class RefundLineInputSchema(Schema):
    line_id = f.Id(required=True)
    quantity = f.Int(1, 999, required=True)


class ShopperCancelSchema(Schema):
    lines = ma.fields.List(ma.fields.Nested(RefundLineInputSchema), validate=ma.validate.Length(min=1, max=50),
                           load_default=None, metadata={"description": "Omit to cancel the whole order"})


class RefundInputSchema(Schema):
    lines = ma.fields.List(ma.fields.Nested(RefundLineInputSchema), validate=ma.validate.Length(min=1, max=50),
                           load_default=None, metadata={"description": "Omit to refund everything not yet refunded"})
    reason = f.name(200, required=True)
    restock = ma.fields.Boolean(load_default=True,
                                metadata={"description": "Put the units back on sale (goods not handed over)"})
    cash_refund_by = f.Choice(["leader", "wallet"], load_default=None, metadata={
        "description": "An order paid in cash at pickup: the leader pays it back in cash (default) or the "
                       "shopper's wallet is credited; 422 `not_paid_in_cash` for other orders"})


class RefundLineSchema(Schema):
    order_line_id = ma.fields.Integer()
    quantity = ma.fields.Integer()
    amount_cents = ma.fields.Integer()


class RefundSchema(Schema):
    id = ma.fields.Integer()
    order_id = ma.fields.Integer()
    amount_cents = ma.fields.Integer()
    status = ma.fields.String()
    reason = ma.fields.String()
    restock = ma.fields.Boolean()
    failure_message = ma.fields.String(allow_none=True)
    lines = ma.fields.List(ma.fields.Nested(RefundLineSchema))
    payment_provider = f.Method("_provider", metadata={"description": "Where the money goes back"},
                                returns=ma.fields.String())
    parent_refund_id = ma.fields.Integer(allow_none=True, metadata={
        "description": "Set on the wallet part of a refund of an order paid by wallet and card"})
    cash_refund_by = ma.fields.String(allow_none=True, metadata={
        "description": "Cash paid at pickup went back by the leader (in cash) or as wallet credit; null otherwise"})
    created_at = ma.fields.DateTime()
    completed_at = ma.fields.DateTime(allow_none=True)

    def _provider(self, refund):
        from app.extensions import db
        from app.payments.models import Payment

        return db.session.get(Payment, refund.payment_id).provider
