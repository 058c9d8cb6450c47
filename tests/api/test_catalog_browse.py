from __future__ import annotations

import json

from tests.assertions import assert_error
from tests.factories import code_of, make_category, make_group, make_product


def products(client, group, query=""):
    r = client.get(f"/api/v1/store/groups/{code_of(group)}/products{query}")
    assert r.status_code == 200, r.get_json()
    return r


def test_shoppers_see_only_active_products_with_active_skus(client):
    group = make_group()
    visible = make_product(name="Rice")
    make_product(name="Draft", status="draft")
    make_product(name="Old", status="archived")
    hidden_sku = make_product(name="Two skus", skus=[
        {"code": "ON", "name": "on", "price_cents": 100},
        {"code": "OFF", "name": "off", "price_cents": 100, "is_active": False}])
    body = products(client, group).get_json()
    assert [p["name"] for p in body] == ["Rice", "Two skus"]
    assert [s["code"] for s in body[1]["skus"]] == ["ON"]
    assert "stock_total" not in body[0]["skus"][0] and body[0]["skus"][0]["stock_available"] == 50
    assert visible.id == body[0]["id"] and hidden_sku.id == body[1]["id"]


def test_products_restricted_to_groups_show_only_there(client):
    a, b = make_group(), make_group()
    make_product(name="Everywhere")
    make_product(name="Only A", group_ids=[a.id])
    assert [p["name"] for p in products(client, a).get_json()] == ["Everywhere", "Only A"]
    assert [p["name"] for p in products(client, b).get_json()] == ["Everywhere"]
    only_a = products(client, a).get_json()[1]["id"]
    assert_error(client.get(f"/api/v1/store/groups/{code_of(b)}/products/{only_a}"), 404, "product_not_found")
    assert client.get(f"/api/v1/store/groups/{code_of(a)}/products/{only_a}").status_code == 200


def test_pagination_is_stable_and_reports_totals(client):
    group = make_group()
    ids = [make_product(position=n % 3).id for n in range(25)]
    expected = [i for _, i in sorted((n % 3, pid) for n, pid in enumerate(ids))]
    pages = []
    for page in (1, 2, 3):
        r = products(client, group, f"?page={page}&page_size=10")
        pages += [p["id"] for p in r.get_json()]
        meta = json.loads(r.headers["X-Pagination"])
        assert meta["total"] == 25 and meta["total_pages"] == 3
    assert pages == expected
    assert products(client, group, "?page=99999999999999999999").get_json() == []
    assert_error(client.get(f"/api/v1/store/groups/{code_of(group)}/products?page_size=1000"), 422)


def test_category_filter_and_name_search(client):
    group = make_group()
    fruit = make_category(name="Fruit")
    make_product(name="Fuji apples", category_id=fruit.id)
    make_product(name="Apple juice")
    make_product(name="Rice")
    assert [p["name"] for p in products(client, group, f"?category_id={fruit.id}").get_json()] == ["Fuji apples"]
    assert [p["name"] for p in products(client, group, "?q=apple").get_json()] == ["Fuji apples", "Apple juice"]
    assert products(client, group, "?q=_").get_json() == []


def test_unknown_group_code_is_404(client):
    assert_error(client.get("/api/v1/store/groups/ZZZZ9999/products"), 404, "group_link_not_found")
