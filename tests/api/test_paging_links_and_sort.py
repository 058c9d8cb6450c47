"""RFC 8288 Link headers beside X-Pagination, and the `sort` allow-list on list operations."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.assertions import assert_error
from tests.factories import make_product, make_staff

PRODUCTS = "/api/v1/admin/products"
LINK = re.compile(r'<([^>]+)>; rel="(\w+)"')


def links_of(response) -> dict[str, dict[str, list[str]]]:
    """rel → the linked page's query parameters."""
    return {rel: parse_qs(urlsplit(url).query) for url, rel in LINK.findall(response.headers.get("Link", ""))}


@pytest.fixture
def staff_and_five_products(app):
    staff = make_staff()
    positions = {"C": 3, "A": 1, "E": 5, "B": 2, "D": 4}
    products = [make_product(name=f"Item {name}", position=pos) for name, pos in positions.items()]
    return staff, products


def test_middle_page_links_to_first_prev_next_last_keeping_other_parameters(client, staff_and_five_products):
    staff, _ = staff_and_five_products
    r = client.get(PRODUCTS, query_string={"page": 2, "page_size": 2, "status": "active", "sort": "name"},
                   headers=staff.headers)
    assert r.status_code == 200
    links = links_of(r)
    assert {rel: q["page"] for rel, q in links.items()} == {"first": ["1"], "prev": ["1"], "next": ["3"], "last": ["3"]}
    assert all(q["page_size"] == ["2"] and q["sort"] == ["name"] and q["status"] == ["active"] for q in links.values())
    assert json.loads(r.headers["X-Pagination"])["total_pages"] == 3
    assert r.headers["Link"].startswith("<http://")  # absolute, so a client can follow it as is


def test_first_and_last_pages_omit_the_links_that_do_not_exist(client, staff_and_five_products):
    staff, _ = staff_and_five_products
    first = links_of(client.get(PRODUCTS, query_string={"page_size": 2}, headers=staff.headers))
    last = links_of(client.get(PRODUCTS, query_string={"page": 3, "page_size": 2}, headers=staff.headers))
    assert set(first) == {"first", "next", "last"} and set(last) == {"first", "prev", "last"}


def test_empty_list_has_no_link_header(client):
    staff = make_staff()
    r = client.get("/api/v1/admin/payouts", headers=staff.headers)
    assert r.status_code == 200 and r.get_json() == [] and "Link" not in r.headers


@pytest.mark.parametrize(("sort", "expected"), [("name", "ABCDE"), ("-name", "EDCBA"), ("position", "ABCDE"),
                                                ("-position", "EDCBA")])
def test_products_sort_by_an_allowed_key_in_either_direction(client, staff_and_five_products, sort, expected):
    staff, _ = staff_and_five_products
    r = client.get(PRODUCTS, query_string={"sort": sort}, headers=staff.headers)
    assert r.status_code == 200
    assert "".join(p["name"].removeprefix("Item ") for p in r.get_json()) == expected


def test_sort_pages_do_not_skip_or_repeat(client, staff_and_five_products):
    staff, products = staff_and_five_products
    seen = []
    for page in (1, 2, 3):
        query = {"sort": "-created_at", "page": page, "page_size": 2}
        r = client.get(PRODUCTS, query_string=query, headers=staff.headers)
        seen += [p["id"] for p in r.get_json()]
    assert sorted(seen) == sorted(p.id for p in products) and len(seen) == 5
    assert seen == sorted(seen, reverse=True)  # created in id order in one transaction: the id breaks ties


@pytest.mark.parametrize("path", [PRODUCTS, "/api/v1/admin/orders", "/api/v1/admin/campaigns",
                                  "/api/v1/admin/payouts", "/api/v1/admin/after-sales"])
def test_unknown_sort_key_is_422_naming_the_allowed_ones(client, path):
    staff = make_staff()
    r = client.get(path, query_string={"sort": "password"}, headers=staff.headers)
    error = assert_error(r, 422, "validation_error")
    message = error["details"]["fields"]["query"]["sort"][0]
    assert "-created_at" in message or "-position" in message


def test_shopper_after_sales_take_the_same_sort(client):
    from tests.factories import make_shopper

    shopper = make_shopper()
    assert client.get("/api/v1/store/after-sales", query_string={"sort": "-created_at"},
                      headers=shopper.headers).status_code == 200
    assert_error(client.get("/api/v1/store/after-sales", query_string={"sort": "nope"}, headers=shopper.headers), 422)
