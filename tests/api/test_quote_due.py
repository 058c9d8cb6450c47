"""The checkout screen's numbers before paying: POST /quote with a coupon gives the discount, the
amount due and the pickup date exactly as the order placed next would have them — and uses nothing."""
from __future__ import annotations

from app.coupons import services as coupons
from app.coupons.models import Coupon
from app.extensions import db
from tests.assertions import assert_error
from tests.factories import make_buyer, make_product

QUOTE = "/api/v1/store/quote"


def welcome_coupon(buyer) -> Coupon:
    """The demo's welcome coupon: 5.00 off a spend of 30.00."""
    template = coupons.create_template({"name": "新人券：满30减5", "kind": "amount", "amount_off_cents": 500,
                                        "min_spend_cents": 3000, "valid_days": 30, "per_person_limit": 1})
    coupon = coupons.issue_coupon(template.id, buyer.account.id, source="merchant", source_ref=f"w:{buyer.id}")
    db.session.commit()
    return coupon


def rice():
    return make_product(skus=[{"code": "RICE-Q", "name": "5 kg", "price_cents": 1990, "stock_total": 9}]).skus[0]


def test_a_coupon_is_priced_onto_the_quote_and_the_order_then_costs_exactly_that(client):
    sku, buyer = rice(), make_buyer()
    coupon = welcome_coupon(buyer)
    body = {"lines": [{"sku_id": sku.id, "quantity": 2}], "coupon_id": coupon.id}
    quote = client.post(QUOTE, headers=buyer.headers, json=body).get_json()
    assert (quote["subtotal_cents"], quote["coupon_discount_cents"], quote["total_cents"]) == (3980, 500, 3480)
    assert quote["coupon_id"] == coupon.id and quote["pickup_date"]
    db.session.refresh(coupon)
    assert coupon.order_id is None  # quoting uses nothing
    r = client.post("/api/v1/store/orders", json={**body, "payment_method": "stripe"},
                    headers={**buyer.headers, "Idempotency-Key": "quote-then-order"})
    assert r.status_code == 201, r.get_json()
    order = r.get_json()
    assert (order["total_cents"], order["pickup_date"]) == (quote["total_cents"], quote["pickup_date"])


def test_without_a_coupon_the_total_is_the_lines_added_up(client):
    sku, buyer = rice(), make_buyer()
    quote = client.post(QUOTE, headers=buyer.headers, json={"lines": [{"sku_id": sku.id, "quantity": 1}]}).get_json()
    assert (quote["subtotal_cents"], quote["coupon_discount_cents"], quote["total_cents"]) == (1990, 0, 1990)
    assert quote["coupon_id"] is None


def test_a_coupon_the_cart_cannot_use_says_why(client):
    sku, buyer = rice(), make_buyer()
    coupon = welcome_coupon(buyer)
    below = {"lines": [{"sku_id": sku.id, "quantity": 1}], "coupon_id": coupon.id}
    assert_error(client.post(QUOTE, headers=buyer.headers, json=below), 422, "coupon_min_spend_not_met")
    other = make_buyer()
    assert_error(client.post(QUOTE, headers=other.headers, json=below), 422, "unknown_coupon")
    assert_error(client.post(QUOTE, headers=buyer.headers, json={**below, "coupon_id": "x"}), 422)
