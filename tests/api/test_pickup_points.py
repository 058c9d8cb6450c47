from __future__ import annotations

import pytest

from tests.assertions import assert_error, database_unchanged
from tests.factories import make_leader, make_point, make_shopper, make_staff

NEARBY = "/api/v1/store/pickup-points/nearby"
# People's Square, Shanghai
LAT, LNG = 31.2304, 121.4737


def test_nearby_lists_active_points_nearest_first_with_distance(client):
    far = make_point(name="Far", latitude=31.2304, longitude=121.5137)      # ~3.8 km east
    near = make_point(name="Near", latitude=31.2314, longitude=121.4737)    # ~111 m north
    make_point(name="Closed", latitude=31.2305, longitude=121.4737, status="inactive")
    make_point(name="Suzhou", latitude=31.2989, longitude=120.5853)          # ~85 km away
    r = client.get(f"{NEARBY}?lat={LAT}&lng={LNG}&radius_km=5")
    assert r.status_code == 200
    found = [(p["pickup_point"]["id"], p["distance_m"]) for p in r.get_json()]
    assert [pid for pid, _ in found] == [near.id, far.id]
    assert 100 <= found[0][1] <= 125 and 3700 <= found[1][1] <= 3900


def test_nearby_radius_and_limit_are_applied(client):
    for i in range(5):
        make_point(latitude=LAT + 0.001 * (i + 1), longitude=LNG)
    assert len(client.get(f"{NEARBY}?lat={LAT}&lng={LNG}&limit=2").get_json()) == 2
    assert len(client.get(f"{NEARBY}?lat={LAT}&lng={LNG}&radius_km=0.3").get_json()) == 2


def test_nearby_works_across_the_antimeridian(client):
    east = make_point(latitude=-17.0, longitude=179.99)
    west = make_point(latitude=-17.0, longitude=-179.99)
    found = {p["pickup_point"]["id"] for p in client.get(f"{NEARBY}?lat=-17&lng=179.999&radius_km=5").get_json()}
    assert found == {east.id, west.id}


@pytest.mark.parametrize("query", ["lat=91&lng=0", "lat=0", "lat=0&lng=0&radius_km=500", "lat=x&lng=0",
                                   "lat=0&lng=0&limit=0", "lat=nan&lng=0"])
def test_nearby_rejects_bad_coordinates(client, query):
    assert_error(client.get(f"{NEARBY}?{query}"), 422, "validation_error")


def test_staff_create_update_and_deactivate_points(client):
    staff = make_staff()
    leader = make_leader(staff)
    r = client.post("/api/v1/admin/pickup-points", headers=staff.headers, json={
        "name": "Shop front", "address": "1 Main St", "latitude": LAT, "longitude": LNG,
        "leader_id": leader.leader.id, "hours": [{"weekday": 6, "opens_at": "10:00", "closes_at": "16:00"}]})
    assert r.status_code == 201, r.get_json()
    pid = r.get_json()["id"]
    assert r.get_json()["leader_id"] == leader.leader.id
    r = client.patch(f"/api/v1/admin/pickup-points/{pid}", headers=staff.headers, json={"status": "inactive"})
    assert r.get_json()["status"] == "inactive"
    nearby_ids = [p["pickup_point"]["id"] for p in client.get(f"{NEARBY}?lat={LAT}&lng={LNG}").get_json()]
    assert pid not in nearby_ids and leader.point.id in nearby_ids
    listed = client.get("/api/v1/admin/pickup-points", headers=staff.headers).get_json()
    assert pid in [p["id"] for p in listed]


def test_staff_point_input_is_validated(client):
    staff = make_staff()
    with database_unchanged():
        assert_error(client.post("/api/v1/admin/pickup-points", headers=staff.headers, json={
            "name": "X", "address": "Y", "latitude": 0, "longitude": 200}), 422, "validation_error")
        assert_error(client.post("/api/v1/admin/pickup-points", headers=staff.headers, json={
            "name": "X", "address": "Y", "latitude": 0, "longitude": 0, "leader_id": 999999}), 404,
            "leader_not_found")
        assert_error(client.patch("/api/v1/admin/pickup-points/999999", headers=staff.headers,
                                  json={"name": "x"}), 404, "pickup_point_not_found")


def test_only_staff_use_admin_point_routes(client):
    point = make_point()
    shopper = make_shopper()
    with database_unchanged():
        assert_error(client.patch(f"/api/v1/admin/pickup-points/{point.id}", headers=shopper.headers,
                                  json={"name": "x"}), 403)
        assert_error(client.get("/api/v1/admin/pickup-points"), 401)
