"""Routes, route runs, drivers' own runs only, delivered marks, bad input."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.assertions import assert_error, database_unchanged
from tests.delivery.helpers import ADMIN, make_route, night, planned_run
from tests.factories import make_point, make_staff


def test_a_point_is_on_one_active_route_at_most_until_that_route_is_deactivated(client):
    owner = make_staff()
    a, b, c = make_point(), make_point(), make_point()
    first = make_route(client, owner, [a.id, b.id]).get_json()
    assert [s["pickup_point"]["id"] for s in first["stops"]] == [a.id, b.id]
    with database_unchanged():
        body = assert_error(make_route(client, owner, [c.id, b.id], name="西线"), 409, "point_on_another_route")
    assert body["details"] == {"pickup_point_ids": [b.id], "route_ids": [first["id"]]}
    r = client.patch(f"{ADMIN}/routes/{first['id']}", headers=owner.headers, json={"active": False})
    assert r.status_code == 200 and r.get_json()["active"] is False
    second = make_route(client, owner, [c.id, b.id], name="西线")
    assert second.status_code == 201
    assert_error(client.patch(f"{ADMIN}/routes/{first['id']}", headers=owner.headers, json={"active": True}),
                 409, "point_on_another_route")


def test_reordering_a_route_keeps_a_planned_run_as_it_was(client):
    n = night(client)
    run = planned_run(client, n)
    route_id = run["route_id"]
    r = client.patch(f"{ADMIN}/routes/{route_id}", headers=n["owner"].headers,
                     json={"stops": [n["leader_a"].point.id, n["leader_b"].point.id], "departure_time": "05:00"})
    assert [s["pickup_point"]["id"] for s in r.get_json()["stops"]] == [n["leader_a"].point.id, n["leader_b"].point.id]
    again = client.get(f"{ADMIN}/route-runs/{run['id']}", headers=n["owner"].headers).get_json()
    assert [s["pickup_point"]["id"] for s in again["stops"]] == [n["leader_b"].point.id, n["leader_a"].point.id]
    assert again["departure_time"] == "04:30" and again["driver_name"] == n["driver"].account.name


@pytest.mark.parametrize("body, code", [
    ({"name": "x", "departure_time": "25:00", "stops": [1]}, "validation_error"),
    ({"name": "", "departure_time": "04:00", "stops": [1]}, "validation_error"),
    ({"name": "x", "departure_time": "04:00", "stops": []}, "validation_error"),
    ({"name": "x", "departure_time": "04:00", "stops": ["a"]}, "validation_error"),
    ({"name": "x", "departure_time": "04:00", "stops": [999999]}, "unknown_pickup_point"),
])
def test_bad_routes_are_refused_and_change_nothing(client, body, code):
    owner = make_staff()
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/routes", headers=owner.headers, json=body), 422, code)


def test_a_stop_twice_on_a_route_is_refused(client):
    owner, point = make_staff(), make_point()
    with database_unchanged():
        assert_error(make_route(client, owner, [point.id, point.id]), 422, "duplicate_stop")


def test_planning_refuses_a_second_run_a_non_driver_and_an_unknown_route(client):
    n = night(client)
    run = planned_run(client, n)
    body = {"route_id": run["route_id"], "delivery_date": n["day"].isoformat(), "driver_id": n["driver"].id}
    warehouse = make_staff(role="warehouse")
    with database_unchanged():
        details = assert_error(client.post(f"{ADMIN}/route-runs", headers=n["owner"].headers, json=body),
                               409, "route_run_exists")["details"]
        assert details == {"route_run_id": run["id"]}
        assert_error(client.post(f"{ADMIN}/route-runs", headers=n["owner"].headers,
                                 json=body | {"delivery_date": "2031-01-02", "driver_id": warehouse.id}),
                     422, "not_a_driver")
        assert_error(client.patch(f"{ADMIN}/route-runs/{run['id']}", headers=n["owner"].headers,
                                  json={"driver_id": n["leader_a"].id}), 422, "not_a_driver")
        assert_error(client.post(f"{ADMIN}/route-runs", headers=n["owner"].headers,
                                 json=body | {"route_id": 999999}), 404)
        assert_error(client.post(f"{ADMIN}/route-runs", headers=n["owner"].headers,
                                 json=body | {"delivery_date": "tomorrow"}), 422)


def test_a_driver_sees_only_their_own_runs_and_no_merchant_sheet(client):
    n = night(client)
    run = planned_run(client, n)
    me, other = n["driver"], n["other_driver"]
    mine = client.get(f"{ADMIN}/driver/runs?delivery_date={n['day']}", headers=me.headers).get_json()
    assert [r["id"] for r in mine] == [run["id"]]
    assert client.get(f"{ADMIN}/driver/runs?delivery_date={n['day']}", headers=other.headers).get_json() == []
    assert [r["id"] for r in client.get(f"{ADMIN}/driver/runs", headers=me.headers).get_json()] == [run["id"]]
    stop_id = run["stops"][0]["id"]
    with database_unchanged():
        assert_error(client.get(f"{ADMIN}/driver/runs/{run['id']}", headers=other.headers), 404)
        assert_error(client.post(f"{ADMIN}/driver/runs/{run['id']}/stops/{stop_id}/delivered",
                                 headers=other.headers), 404)
        assert_error(client.get(f"{ADMIN}/route-runs/{run['id']}/sorting-sheet", headers=me.headers), 403,
                     "permission_denied")
        assert_error(client.post(f"{ADMIN}/routes", headers=me.headers, json={}), 403, "permission_denied")
    view = client.get(f"{ADMIN}/driver/runs/{run['id']}", headers=me.headers).get_json()
    assert [s["position"] for s in view["stops"]] == [1, 2]
    assert view["stops"][0]["pickup_point"]["address"] and "bags" not in view["stops"][0]
    # Reassigned: the first driver loses it at once.
    client.patch(f"{ADMIN}/route-runs/{run['id']}", headers=n["owner"].headers, json={"driver_id": other.id})
    assert_error(client.get(f"{ADMIN}/driver/runs/{run['id']}", headers=me.headers), 404)
    assert client.get(f"{ADMIN}/driver/runs/{run['id']}", headers=other.headers).status_code == 200


def test_the_delivered_mark_is_idempotent_and_the_leader_then_confirms_arrival_as_before(client):
    n = night(client)
    run = planned_run(client, n)
    stop_b = run["stops"][0]
    url = f"{ADMIN}/driver/runs/{run['id']}/stops/{stop_b['id']}/delivered"
    first = client.post(url, headers=n["driver"].headers)
    assert first.status_code == 200 and first.get_json()["delivered_at"]
    again = client.post(url, headers=n["driver"].headers)
    assert again.get_json()["delivered_at"] == first.get_json()["delivered_at"]
    leader = n["leader_b"]
    batches = client.get("/api/v1/leader/batches", headers=leader.headers).get_json()
    mark = next(b for b in batches if b["id"] == n["batch_b"])["driver_delivered"]
    assert mark == {"at": first.get_json()["delivered_at"], "driver_name": n["driver"].account.name,
                    "has_photo": False}
    other_point = client.get("/api/v1/leader/batches", headers=n["leader_a"].headers).get_json()
    assert next(b for b in other_point if b["id"] == n["batch_a"])["driver_delivered"] is None
    line = n["orders"][2]["lines"][0]["id"]
    r = client.post(f"/api/v1/leader/batches/{n['batch_b']}/arrival", headers=leader.headers,
                    json={"shortages": [{"order_line_id": line, "quantity": 1, "reason": "damaged"}]})
    assert r.status_code == 200 and r.get_json()["status"] == "arrived"
    assert client.get(f"/api/v1/store/orders/{n['orders'][2]['id']}",
                      headers=n["buyers"][2].headers).get_json()["fulfilment"] == "not_delivered"


def test_an_open_batch_cannot_be_marked_delivered(client):
    n = night(client)
    route = make_route(client, n["owner"], [n["leader_a"].point.id]).get_json()
    run = client.post(f"{ADMIN}/route-runs", headers=n["owner"].headers, json={
        "route_id": route["id"], "delivery_date": n["day"].isoformat(), "driver_id": n["driver"].id}).get_json()
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/driver/runs/{run['id']}/stops/{run['stops'][0]['id']}/delivered",
                                 headers=n["driver"].headers), 409, "batch_not_closed")
        assert_error(client.post(f"{ADMIN}/driver/runs/{run['id']}/stops/999999/delivered",
                                 headers=n["driver"].headers), 404)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_a_delivery_photo_is_reencoded_and_shown_to_the_merchant(client):
    n = night(client)
    run = planned_run(client, n)
    url = f"{ADMIN}/driver/runs/{run['id']}/stops/{run['stops'][1]['id']}/photo"
    with database_unchanged():
        assert_error(client.post(url, headers=n["driver"].headers, content_type="multipart/form-data",
                                 data={"photo": (io.BytesIO(b"not a photo"), "x.png")}), 422, "invalid_photo")
    r = client.post(url, headers=n["driver"].headers, data={"photo": (io.BytesIO(_png()), "door.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and r.get_json()["has_photo"] is True
    photo = client.get(f"{ADMIN}/route-runs/{run['id']}/stops/{run['stops'][1]['id']}/photo",
                       headers=n["owner"].headers)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg" and photo.data[:2] == b"\xff\xd8"
    assert_error(client.get(url, headers=n["other_driver"].headers), 404)


def test_a_stop_closed_that_day_carries_nothing_its_orders_moved_to_the_next_open_day(client):
    n = night(client)
    day = n["day"].isoformat()
    r = client.post(f"{ADMIN}/pickup-points/{n['leader_b'].point.id}/closures", headers=n["owner"].headers,
                    json={"start_date": day, "end_date": day})
    assert r.status_code in (200, 201), r.get_json()
    route = make_route(client, n["owner"], [n["leader_b"].point.id, n["leader_a"].point.id]).get_json()
    run = client.post(f"{ADMIN}/route-runs", headers=n["owner"].headers,
                      json={"route_id": route["id"], "delivery_date": day, "driver_id": n["driver"].id}).get_json()
    sheet = client.get(f"{ADMIN}/route-runs/{run['id']}/sorting-sheet", headers=n["owner"].headers).get_json()
    closed, open_stop = sheet["stops"]
    assert closed["closed"] is True and closed["bags"] == [] and closed["units"] == 0
    assert open_stop["closed"] is False and open_stop["units"] == 6 and sheet["totals"]["bags"] == 2
