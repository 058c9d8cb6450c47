from __future__ import annotations

from flask import current_app, g, jsonify, request

from app.campaigns import flash
from app.campaigns import services as campaigns
from app.campaigns.models import Review
from app.db import utcnow
from app.errors import AuthenticationFailed, NotFound
from app.extensions import db
from app.groups.bindings import current_binding
from app.i18n import _
from app.loyalty import member_day
from app.loyalty.services import standing
from app.orders import services as orders
from app.orders.checkout import campaign_of, merge_lines, price_lines, sellable_skus
from app.orders.quote import amount_due
from app.payments import methods
from blueprints import lean
from blueprints.auth import Role, bearer_token, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.campaigns import (
    FlashReservationSchema,
    FlashReserveSchema,
    PayOrderSchema,
    PriceQuoteSchema,
    QuoteRequestSchema,
    StoreCampaignSchema,
)
from blueprints.schemas.orders import IdempotencyHeaderSchema, OrderSchema
from blueprints.store import blp, flash_gate


def _my_group_id() -> int:
    binding = current_binding(current_account().id)
    if binding is None:
        raise NotFound(_("You have not joined a group yet: open a group link"), code="not_in_a_group")
    g.campaign_group_id = binding.group_id
    return binding.group_id


@blp.route("/campaigns", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, StoreCampaignSchema(many=True))
@blp.paginate(SQLPage, page_size=20)
@blp.errors(404)
def my_campaigns():
    """Live and upcoming campaigns of your group, with countdowns and group-buy progress (a live
    member day with a coupon hands it to you now if the sweep has not yet)"""
    group_id = _my_group_id()
    member_day.grant(current_account().id, group_id)
    db.session.commit()
    return campaigns.visible_to_group(group_id, utcnow())


@blp.route("/campaigns/<id:campaign_id>", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, StoreCampaignSchema)
@blp.errors(404)
def my_campaign(campaign_id):
    """One campaign of your group"""
    group_id = _my_group_id()
    campaign = db.session.scalar(campaigns.visible_to_group(group_id, utcnow()).where(
        campaigns.Campaign.id == campaign_id))
    if campaign is None or campaign.review is not Review.APPROVED:
        raise NotFound(_("Campaign not found"), code="campaign_not_found")
    return campaign


RESERVE_BODY, RESERVE_HEADERS = FlashReserveSchema(), IdempotencyHeaderSchema()


@blp.route("/flash-sales/<id:item_id>/reserve", methods=["POST"])
@blp.doc(security=[{"bearerAuth": []}], **lean.documented_body(FlashReserveSchema, IdempotencyHeaderSchema))
@blp.alt_response(201, schema=FlashReservationSchema, description="Reserved", success=True)
@blp.errors(400, 401, 403, 404, 409, 422)
def reserve_flash(item_id):
    """Reserve flash-sale units

    An unpaid order holding them for the sale's hold time (then POST
    /orders/{id}/pay). Checked atomically: the sale window, the per-person limit and the stock.
    Idempotent per Idempotency-Key. Built for crowds: with Redis, attempts after the stock is gone
    are turned away without touching the database; the route parses its input without webargs
    (blueprints/lean.py) and authenticates inside the gate or the reservation's own statement."""
    key = lean.headers(RESERVE_HEADERS)["idempotency_key"]
    quantity = lean.json_body(RESERVE_BODY)["quantity"]
    token = bearer_token()
    if token is None:
        raise AuthenticationFailed(_("Log in first and send 'Authorization: Bearer <token>'"))
    r = flash.reserve(token=token, item_id=item_id, quantity=quantity, client_key=key,
                      admitted=request.environ.get(flash_gate.ADMITTED),
                      peeked=request.environ.get(flash_gate.PEEKED, False))
    response = jsonify({"order_id": r.order_id, "number": r.number, "status": r.status, "quantity": r.quantity,
                        "unit_price_cents": r.unit_price_cents, "total_cents": r.total_cents, "currency": r.currency,
                        "expires_at": r.expires_at.isoformat() if r.expires_at else None,
                        "pickup_date": r.pickup_date.isoformat() if r.pickup_date else None})
    response.status_code = 201
    if r.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@blp.route("/orders/<id:order_id>/pay", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(PayOrderSchema)
@blp.response(200, OrderSchema)
@blp.errors(404, 409, 422)
def pay_order(data, order_id):
    """Start paying: a flash-sale order's card payment, or a pre-sale's balance (in its window).
    Returns the order with payment.client_secret for Stripe.js; calling it again reuses it."""
    return orders.open_payment(orders.get_own_order(current_account().id, order_id), data["payment_method"])


@blp.route("/quote", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(QuoteRequestSchema)
@blp.response(200, PriceQuoteSchema)
@blp.errors(404, 409, 422)
def price_quote(data):
    """What each line would cost you now and why: every price rule considered, and the one applied"""
    account_id = current_account().id
    group_id = _my_group_id()
    requests = merge_lines(data["lines"])
    stand = standing(account_id)
    campaign, items = campaign_of(requests, group_id, account_id, stand.member)
    skus = sellable_skus(group_id, [r.sku_id for r in requests])
    quotes = price_lines(requests, skus, items, group_id, stand.member, stand.discount_bps)
    lines = [{"sku_id": r.sku_id, "quantity": r.quantity, "list_price_cents": quotes[r.sku_id].list_price_cents,
              "unit_price_cents": quotes[r.sku_id].unit_price_cents, "discount_cents": quotes[r.sku_id].discount_cents,
              "rule": quotes[r.sku_id].rule, "campaign_id": quotes[r.sku_id].campaign_id,
              "line_total_cents": quotes[r.sku_id].unit_price_cents * r.quantity,
              "points_multiplier": quotes[r.sku_id].points_multiplier,
              "candidates": quotes[r.sku_id].candidates} for r in requests]
    group = current_binding(account_id).group
    pay_with = methods.allowed(group=group, campaign_kind=campaign.kind.value if campaign else None)
    due = amount_due(account_id, group, quotes, {r.sku_id: r.quantity for r in requests},
                     skus, campaign, data["coupon_id"])
    return {"lines": lines, "subtotal_cents": due.subtotal_cents, "coupon_id": due.coupon_id,
            "coupon_discount_cents": due.coupon_discount_cents, "total_cents": due.total_cents,
            "pickup_date": due.pickup_date, "currency": current_app.config["STORE_CURRENCY"],
            "payment_methods": pay_with}
