"""Happy paths of the merchant's read and housekeeping routes."""
from __future__ import annotations

from tests.assertions import assert_error
from tests.factories import (
    application_data,
    join,
    make_category,
    make_group,
    make_leader,
    make_point,
    make_product,
    make_shopper,
    make_staff,
)


def test_staff_logout_revokes_the_staff_token(client):
    staff = make_staff()
    assert client.post("/api/v1/admin/auth/logout", headers=staff.headers).status_code == 204
    assert_error(client.get("/api/v1/admin/me", headers=staff.headers), 401, "invalid_token")


def test_staff_list_categories_in_display_order(client):
    staff = make_staff()
    b, a = make_category(name="B", position=2), make_category(name="A", position=1)
    listed = client.get("/api/v1/admin/categories", headers=staff.headers).get_json()
    assert [c["id"] for c in listed] == [a.id, b.id]


def test_staff_read_one_product_with_stock_counters(client):
    staff = make_staff()
    product = make_product(name="Eggs", group_ids=[make_group().id])
    body = client.get(f"/api/v1/admin/products/{product.id}", headers=staff.headers).get_json()
    assert body["name"] == "Eggs" and len(body["group_ids"]) == 1
    assert body["skus"][0]["stock_total"] == 50 and body["skus"][0]["stock_sold"] == 0


def test_staff_read_one_leader_application(client):
    staff, shopper = make_staff(), make_shopper()
    created = client.post("/api/v1/store/leader-applications", headers=shopper.headers,
                          json=application_data(point_name="Corner")).get_json()
    body = client.get(f"/api/v1/admin/leader-applications/{created['id']}", headers=staff.headers).get_json()
    assert body["point_name"] == "Corner" and body["status"] == "pending" and body["account_id"] == shopper.id


def test_staff_read_a_point_and_manage_its_closures(client):
    staff, point = make_staff(), make_point(name="Depot")
    assert client.get(f"/api/v1/admin/pickup-points/{point.id}", headers=staff.headers).get_json()["name"] == "Depot"
    url = f"/api/v1/admin/pickup-points/{point.id}/closures"
    r = client.post(url, headers=staff.headers, json={"start_date": "2031-05-01", "end_date": "2031-05-03",
                                                      "reason": "Labour day"})
    assert r.status_code == 201 and len(r.get_json()) == 3
    assert client.delete(f"{url}/2031-05-02", headers=staff.headers).status_code == 204
    closures = client.get(f"/api/v1/admin/pickup-points/{point.id}", headers=staff.headers).get_json()
    assert [c["date"] for c in closures["upcoming_closures"]] == ["2031-05-01", "2031-05-03"]


def test_staff_search_shoppers_and_see_their_current_group(client):
    staff = make_staff()
    group = make_group(make_leader(staff))
    ann = make_shopper(name="Ann Lee", email="ann@example.com")
    make_shopper(name="Bob", email="bob@example.com")
    join(ann, group)
    found = client.get("/api/v1/admin/shoppers?q=ann", headers=staff.headers).get_json()
    assert [s["id"] for s in found] == [ann.id]
    assert found[0]["current_binding"]["group"]["id"] == group.id
    assert found[0]["lifetime_spend_cents"] == 0
    everyone = client.get("/api/v1/admin/shoppers", headers=staff.headers).get_json()
    assert len(everyone) == 3  # two shoppers and the leader, never staff
