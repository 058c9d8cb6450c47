from __future__ import annotations

from app.orders import services as orders
from blueprints.auth import Role, current_account
from blueprints.idempotent import respond
from blueprints.pagination import SQLPage
from blueprints.schemas.orders import CheckoutSchema, IdempotencyHeaderSchema, OrderSchema, ShopperCancelSchema
from blueprints.store import blp


def _render(order_id: int) -> tuple[int, dict]:
    return 201, OrderSchema().dump(orders.get_order(order_id))


@blp.route("/orders", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.arguments(CheckoutSchema)
@blp.response(201, OrderSchema)
@blp.errors(409, 422)
def place_order(headers, data):
    """Place an order for pickup at your group's pickup point.

    Send a fresh `Idempotency-Key` per order: a retry with the same key and body returns the original
    response (header `Idempotent-Replayed: true`); the same key with another body is a 422. With
    `stripe`, the stock is held until `expires_at` and `payment.client_secret` confirms the card
    payment with Stripe.js; with `pay_at_pickup` (if your group offers it) the order is confirmed now."""
    outcome = orders.checkout(account_id=current_account().id, key=headers["idempotency_key"],
                              lines=data["lines"], payment_method=data["payment_method"],
                              coupon_id=data["coupon_id"], points=data["points"],
                              wallet_cents=data["wallet_cents"], render=_render)
    return respond(outcome)


@blp.route("/orders", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, OrderSchema(many=True))
@blp.paginate(SQLPage)
def my_orders():
    """Your orders, newest first"""
    return orders.list_for_shopper(current_account().id)


@blp.route("/orders/<id:order_id>", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, OrderSchema)
@blp.errors(404)
def my_order(order_id):
    """One of your orders"""
    return orders.get_own_order(current_account().id, order_id)


@blp.route("/orders/<id:order_id>/cancel", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(ShopperCancelSchema(), location="json", required=False)
@blp.response(200, OrderSchema)
@blp.errors(404, 409, 422)
def cancel_order(data, order_id):
    """Cancel an order; its stock goes back on sale.

    An unpaid order is closed. A paid order — whole, or some `lines` — is refunded in full to where the
    money came from until its cut-off, its coupon and points given back; a retry of a whole cancel
    returns the cancelled order. After the cut-off: 409 `past_cutoff`, whose `details.after_sales`
    is where to ask for help instead."""
    data = data or {}
    return orders.cancel(orders.get_own_order(current_account().id, order_id), "cancelled by shopper",
                         lines=data.get("lines"))


@blp.route("/orders/<id:order_id>/refresh-payment", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.response(200, OrderSchema)
@blp.errors(404)
def refresh_payment(order_id):
    """Check the payment with the provider now (after confirming the card), instead of waiting for its webhook"""
    return orders.refresh_payment(orders.get_own_order(current_account().id, order_id))
