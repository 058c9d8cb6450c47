"""ETags on what staff edit concurrently: If-Match required on PATCH (428), a lost update is 412."""
from __future__ import annotations

import pytest

from app.catalog.models import Product
from app.extensions import db
from tests.assertions import assert_error, database_unchanged
from tests.factories import if_match, make_product, make_staff


@pytest.fixture
def staff():
    return make_staff()


def test_get_product_sends_an_etag_and_304_when_it_has_not_changed(client, staff):
    url = f"/api/v1/admin/products/{make_product().id}"
    first = client.get(url, headers=staff.headers)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    again = client.get(url, headers=staff.headers | {"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""


def test_patch_with_the_current_etag_succeeds_and_returns_the_new_one(client, staff):
    url = f"/api/v1/admin/products/{make_product().id}"
    headers = if_match(client, url, staff.headers)
    r = client.patch(url, headers=headers, json={"name": "Rice 5 kg"})
    assert r.status_code == 200 and r.get_json()["name"] == "Rice 5 kg"
    assert r.headers["ETag"] != headers["If-Match"]
    assert r.headers["ETag"] == client.get(url, headers=staff.headers).headers["ETag"]


def test_second_editor_with_a_stale_etag_gets_412_and_nothing_changes(client, staff):
    product = make_product()
    url = f"/api/v1/admin/products/{product.id}"
    alice, bob = if_match(client, url, staff.headers), if_match(client, url, make_staff().headers)
    assert client.patch(url, headers=alice, json={"name": "Alice's name"}).status_code == 200
    with database_unchanged():
        error = assert_error(client.patch(url, headers=bob, json={"name": "Bob's name"}), 412, "precondition_failed")
    assert error["message"]
    assert db.session.get(Product, product.id).name == "Alice's name"


@pytest.mark.parametrize("url", ["/api/v1/admin/settings", "/api/v1/admin/after-sales/rules",
                                 "/api/v1/admin/commission-settings", "products", "skus", "campaigns"])
def test_patch_without_if_match_is_428_and_changes_nothing(client, staff, url):
    if url == "products":
        url = f"/api/v1/admin/products/{make_product().id}"
    elif url == "skus":
        url = f"/api/v1/admin/skus/{make_product().skus[0].id}"
    elif url == "campaigns":
        from tests.factories import make_campaign

        url = f"/api/v1/admin/campaigns/{make_campaign(approve=False).id}"
    assert client.get(url, headers=staff.headers).headers["ETag"]
    with database_unchanged():
        assert_error(client.patch(url, headers=staff.headers, json={}), 428, "precondition_required")


def test_sku_etag_changes_when_its_stock_is_edited(client, staff):
    url = f"/api/v1/admin/skus/{make_product().skus[0].id}"
    headers = if_match(client, url, staff.headers)
    r = client.patch(url, headers=headers, json={"stock_total": 70})
    assert r.status_code == 200 and r.get_json()["stock_total"] == 70
    assert_error(client.patch(url, headers=headers, json={"stock_total": 80}), 412, "precondition_failed")


def test_precondition_messages_are_in_the_readers_language(client, staff):
    url = f"/api/v1/admin/products/{make_product().id}"
    r = client.patch(url, headers=staff.headers | {"Accept-Language": "zh-CN"}, json={})
    assert "If-Match" in assert_error(r, 428)["message"] and r.headers["Content-Language"] == "zh-CN"
