from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.catalog.models import Sku
from app.extensions import db
from tests.assertions import assert_error, database_unchanged
from tests.factories import if_match, make_category, make_product, make_shopper, make_staff

PRODUCTS = "/api/v1/admin/products"


def product_body(**overrides):
    return {"name": "Northeast rice", "status": "active", "repeat_use": True, "usage_days_per_unit": 15,
            "image_urls": ["https://img.example.com/rice.jpg"],
            "skus": [{"code": "RICE-5KG", "name": "5 kg", "price_cents": 4990, "compare_at_price_cents": 5990,
                      "stock_total": 100}]} | overrides


def test_staff_create_a_product_with_skus_and_see_stock_counters(client):
    staff, category = make_staff(), make_category(name="Grains")
    r = client.post(PRODUCTS, headers=staff.headers, json=product_body(category_id=category.id))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["category"]["name"] == "Grains" and body["status"] == "active"
    sku = body["skus"][0]
    assert (sku["price_cents"], sku["currency"], sku["stock_total"], sku["stock_available"]) == (4990, "CNY", 100, 100)
    assert (sku["stock_reserved"], sku["stock_sold"]) == (0, 0)


@pytest.mark.parametrize("override, status, code", [
    ({"skus": []}, 409, "product_has_no_skus"),
    ({"repeat_use": True, "usage_days_per_unit": None}, 422, "usage_days_required"),
    ({"category_id": 999999}, 404, "category_not_found"),
    ({"group_ids": [999999]}, 422, "group_not_found"),
    ({"image_urls": ["javascript:alert(1)"]}, 422, "validation_error"),
    ({"skus": [{"code": "A", "name": "x", "price_cents": -1}]}, 422, "validation_error"),
    ({"skus": [{"code": "A", "name": "x", "price_cents": 100, "compare_at_price_cents": 100}]}, 422,
     "invalid_compare_at_price"),
    ({"skus": [{"code": "A B", "name": "x", "price_cents": 100}]}, 422, "validation_error"),
    ({"skus": [{"code": "A", "name": "x", "price_cents": 10**15}]}, 422, "validation_error"),
    ({"status": "published"}, 422, "validation_error"),
    ({"price": 100}, 422, "validation_error"),
])
def test_product_creation_rejects_bad_input(client, override, status, code):
    staff = make_staff()
    with database_unchanged():
        assert_error(client.post(PRODUCTS, headers=staff.headers, json=product_body(**override)), status, code)


def test_sku_codes_are_unique_across_the_store(client):
    staff = make_staff()
    client.post(PRODUCTS, headers=staff.headers, json=product_body())
    with database_unchanged():
        assert_error(client.post(PRODUCTS, headers=staff.headers, json=product_body(name="Other")), 409,
                     "duplicate_sku")


def test_staff_add_and_update_skus(client):
    staff = make_staff()
    product = make_product(status="draft")
    r = client.post(f"{PRODUCTS}/{product.id}/skus", headers=staff.headers,
                    json={"code": "BIG", "name": "Family pack", "price_cents": 9900, "stock_total": 5})
    assert r.status_code == 201
    sku_id = r.get_json()["id"]
    r = client.patch(f"/api/v1/admin/skus/{sku_id}",
                     headers=if_match(client, f"/api/v1/admin/skus/{sku_id}", staff.headers),
                     json={"price_cents": 8800})
    assert r.get_json()["price_cents"] == 8800
    with database_unchanged():
        assert_error(client.patch(f"/api/v1/admin/skus/{sku_id}",
                                  headers=if_match(client, f"/api/v1/admin/skus/{sku_id}", staff.headers),
                                  json={"compare_at_price_cents": 100}), 422, "invalid_compare_at_price")
        assert_error(client.patch("/api/v1/admin/skus/999999",
                                  headers=staff.headers | {"If-Match": "\"stale\""}, json={"name": "x"}), 404)


def test_stock_total_can_never_drop_below_sold_plus_reserved(client):
    staff = make_staff()
    sku = make_product().skus[0]
    db.session.execute(sa.update(Sku).where(Sku.id == sku.id).values(stock_sold=20, stock_reserved=10))
    db.session.commit()
    with database_unchanged():
        error = assert_error(client.patch(f"/api/v1/admin/skus/{sku.id}",
                                          headers=if_match(client, f"/api/v1/admin/skus/{sku.id}", staff.headers),
                                          json={"stock_total": 29}), 409, "stock_below_committed")
    assert error["details"] == {"committed": 30}
    r = client.patch(f"/api/v1/admin/skus/{sku.id}",
                     headers=if_match(client, f"/api/v1/admin/skus/{sku.id}", staff.headers), json={"stock_total": 30})
    assert r.status_code == 200 and r.get_json()["stock_available"] == 0


def test_the_database_itself_refuses_oversold_stock(app):
    sku = make_product().skus[0]
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Sku).where(Sku.id == sku.id).values(stock_sold=sku.stock_total + 1))
        db.session.flush()
    db.session.rollback()


def test_publishing_needs_an_active_sku_and_archiving_hides_the_product(client):
    staff = make_staff()
    draft = client.post(PRODUCTS, headers=staff.headers, json=product_body(status="draft", skus=[])).get_json()
    with database_unchanged():
        assert_error(client.patch(f"{PRODUCTS}/{draft['id']}",
                                  headers=if_match(client, f"{PRODUCTS}/{draft['id']}", staff.headers),
                                  json={"status": "active"}),
                     409, "product_has_no_skus")
    product = make_product()
    r = client.patch(f"{PRODUCTS}/{product.id}",
                     headers=if_match(client, f"{PRODUCTS}/{product.id}", staff.headers), json={"status": "archived"})
    assert r.get_json()["status"] == "archived"


def test_only_drafts_that_never_held_stock_can_be_deleted(client):
    staff = make_staff()
    no_stock = [{"code": f"NS-{uuid.uuid4().hex[:8]}", "name": "x", "price_cents": 100, "stock_total": 0}]
    draft_id, active_id = make_product(status="draft", skus=no_stock).id, make_product().id
    stocked_draft_id = make_product(status="draft").id  # its stock is in the append-only ledger
    with database_unchanged():
        assert_error(client.delete(f"{PRODUCTS}/{active_id}", headers=staff.headers), 409, "product_not_deletable")
        assert_error(client.delete(f"{PRODUCTS}/{stocked_draft_id}", headers=staff.headers), 409,
                     "product_not_deletable")
    assert client.delete(f"{PRODUCTS}/{draft_id}", headers=staff.headers).status_code == 204
    assert_error(client.get(f"{PRODUCTS}/{draft_id}", headers=staff.headers), 404, "product_not_found")


def test_staff_filter_products(client):
    staff = make_staff()
    cat = make_category()
    a = make_product(name="Jasmine rice", category_id=cat.id)
    make_product(name="Milk", status="draft")
    assert [p["id"] for p in client.get(f"{PRODUCTS}?q=RICE", headers=staff.headers).get_json()] == [a.id]
    assert [p["name"] for p in client.get(f"{PRODUCTS}?status=draft", headers=staff.headers).get_json()] == ["Milk"]
    assert [p["id"] for p in client.get(f"{PRODUCTS}?category_id={cat.id}", headers=staff.headers)
            .get_json()] == [a.id]


def test_categories_crud_and_in_use_protection(client):
    staff = make_staff()
    r = client.post("/api/v1/admin/categories", headers=staff.headers, json={"name": "Fruit", "position": 2})
    assert r.status_code == 201
    cid = r.get_json()["id"]
    with database_unchanged():
        assert_error(client.post("/api/v1/admin/categories", headers=staff.headers, json={"name": "Fruit"}), 409,
                     "duplicate_category")
    assert client.patch(f"/api/v1/admin/categories/{cid}", headers=staff.headers,
                        json={"name": "Fresh fruit"}).get_json()["name"] == "Fresh fruit"
    make_product(category_id=cid)
    with database_unchanged():
        assert_error(client.delete(f"/api/v1/admin/categories/{cid}", headers=staff.headers), 409, "category_in_use")
    empty = make_category()
    assert client.delete(f"/api/v1/admin/categories/{empty.id}", headers=staff.headers).status_code == 204
    names = [c["name"] for c in client.get("/api/v1/store/categories").get_json()]
    assert names == ["Fresh fruit"]


def test_only_staff_manage_the_catalogue(client):
    shopper = make_shopper()
    product = make_product()
    with database_unchanged():
        assert_error(client.post(PRODUCTS, headers=shopper.headers, json=product_body()), 403)
        assert_error(client.patch(f"{PRODUCTS}/{product.id}", json={"name": "x"}), 401)
        assert_error(client.delete(f"{PRODUCTS}/{product.id}", headers=shopper.headers), 403)
        assert_error(client.post("/api/v1/admin/categories", headers=shopper.headers, json={"name": "x"}), 403)
