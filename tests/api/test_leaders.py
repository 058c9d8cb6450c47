from __future__ import annotations

import pytest

from app.extensions import db
from app.leaders.models import Leader
from app.pickup_points.models import PickupPoint
from tests.assertions import assert_error, database_unchanged
from tests.factories import application_data, make_leader, make_shopper, make_staff

APPLY = "/api/v1/store/leader-applications"


def test_shopper_applies_and_staff_approval_makes_a_leader_with_their_pickup_point(client):
    shopper, staff = make_shopper(), make_staff()
    r = client.post(APPLY, headers=shopper.headers, json=application_data(point_name="Corner shop"))
    assert r.status_code == 201 and r.get_json()["status"] == "pending"
    app_id = r.get_json()["id"]
    assert_error(client.get("/api/v1/leader/me", headers=shopper.headers), 403, "not_a_leader")

    r = client.post(f"/api/v1/admin/leader-applications/{app_id}/approve", headers=staff.headers)
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "approved" and body["leader_id"] and body["pickup_point_id"]
    point = db.session.get(PickupPoint, body["pickup_point_id"])
    assert point.name == "Corner shop" and point.leader_id == body["leader_id"]
    me = client.get("/api/v1/leader/me", headers=shopper.headers)
    assert me.status_code == 200 and me.get_json()["id"] == body["leader_id"]
    mine = client.get("/api/v1/leader/pickup-points", headers=shopper.headers).get_json()
    assert [p["id"] for p in mine] == [point.id]


def test_a_second_pending_application_is_refused(client):
    shopper = make_shopper()
    assert client.post(APPLY, headers=shopper.headers, json=application_data()).status_code == 201
    with database_unchanged():
        r = client.post(APPLY, headers=shopper.headers, json=application_data())
    assert_error(r, 409, "application_pending")


def test_an_existing_leader_cannot_apply_again(client):
    leader = make_leader()
    with database_unchanged():
        assert_error(client.post(APPLY, headers=leader.headers, json=application_data()), 409, "already_leader")


def test_rejection_records_the_reason_and_the_shopper_may_apply_again(client):
    shopper, staff = make_shopper(), make_staff()
    app_id = client.post(APPLY, headers=shopper.headers, json=application_data()).get_json()["id"]
    r = client.post(f"/api/v1/admin/leader-applications/{app_id}/reject", headers=staff.headers,
                    json={"reason": "Pickup point too close to an existing one"})
    assert r.status_code == 200 and r.get_json()["decision_reason"].startswith("Pickup point")
    mine = client.get(APPLY, headers=shopper.headers).get_json()
    assert mine[0]["status"] == "rejected"
    assert client.post(APPLY, headers=shopper.headers, json=application_data()).status_code == 201


def test_a_decided_application_cannot_be_decided_again(client):
    shopper, staff = make_shopper(), make_staff()
    app_id = client.post(APPLY, headers=shopper.headers, json=application_data()).get_json()["id"]
    assert client.post(f"/api/v1/admin/leader-applications/{app_id}/approve", headers=staff.headers).status_code == 200
    with database_unchanged():
        r = client.post(f"/api/v1/admin/leader-applications/{app_id}/reject", headers=staff.headers,
                        json={"reason": "changed my mind"})
        assert_error(r, 409, "application_not_pending")
        r = client.post(f"/api/v1/admin/leader-applications/{app_id}/approve", headers=staff.headers)
        assert_error(r, 409, "application_not_pending")


@pytest.mark.parametrize("override, field", [
    ({"point_latitude": 91}, "point_latitude"),
    ({"point_longitude": "east"}, "point_longitude"),
    ({"name": ""}, "name"),
    ({"point_address": "x" * 301}, "point_address"),
])
def test_application_rejects_bad_input(client, override, field):
    shopper = make_shopper()
    with database_unchanged():
        r = client.post(APPLY, headers=shopper.headers, json=application_data(**override))
    assert field in assert_error(r, 422, "validation_error")["details"]["fields"]["json"]


def test_application_requires_a_valid_phone(client):
    shopper = make_shopper()
    with database_unchanged():
        assert_error(client.post(APPLY, headers=shopper.headers, json=application_data(phone="123")), 422,
                     "invalid_phone")


def test_only_staff_review_applications(client):
    shopper, leader = make_shopper(), make_leader()
    app_id = client.post(APPLY, headers=shopper.headers, json=application_data()).get_json()["id"]
    for user in (shopper, leader):
        with database_unchanged():
            assert_error(client.post(f"/api/v1/admin/leader-applications/{app_id}/approve", headers=user.headers),
                         403, "staff_only")
    assert_error(client.get("/api/v1/admin/leader-applications"), 401)
    assert_error(client.post(APPLY, json=application_data()), 401)


def test_staff_list_and_filter_applications(client):
    staff = make_staff()
    for _ in range(2):
        client.post(APPLY, headers=make_shopper().headers, json=application_data())
    make_leader(staff)  # one approved
    pending = client.get("/api/v1/admin/leader-applications?status=pending", headers=staff.headers)
    assert len(pending.get_json()) == 2
    assert '"total": 3' in client.get("/api/v1/admin/leader-applications", headers=staff.headers).headers[
        "X-Pagination"]
    assert_error(client.get("/api/v1/admin/leader-applications?status=maybe", headers=staff.headers), 422)
    assert_error(client.get("/api/v1/admin/leader-applications/999999", headers=staff.headers), 404,
                 "leader_application_not_found")


def test_suspended_leader_loses_the_console_until_reinstated(client):
    staff, leader = make_staff(), make_leader()
    r = client.post(f"/api/v1/admin/leaders/{leader.leader.id}/suspend", headers=staff.headers,
                    json={"reason": "Complaints about opening hours"})
    assert r.status_code == 200 and r.get_json()["status"] == "suspended"
    error = assert_error(client.get("/api/v1/leader/groups", headers=leader.headers), 403, "leader_suspended")
    assert error["details"]["reason"] == "Complaints about opening hours"
    # Still a shopper.
    assert client.get("/api/v1/store/me", headers=leader.headers).status_code == 200
    assert client.post(f"/api/v1/admin/leaders/{leader.leader.id}/reinstate", headers=staff.headers).status_code == 200
    assert client.get("/api/v1/leader/groups", headers=leader.headers).status_code == 200


def test_suspend_needs_a_reason_and_an_existing_leader(client):
    staff, leader = make_staff(), make_leader()
    with database_unchanged():
        assert_error(client.post(f"/api/v1/admin/leaders/{leader.leader.id}/suspend", headers=staff.headers,
                                 json={}), 422)
        assert_error(client.post("/api/v1/admin/leaders/424242/suspend", headers=staff.headers,
                                 json={"reason": "x"}), 404, "leader_not_found")
    assert db.session.get(Leader, leader.leader.id).status == "active"


def test_staff_list_leaders_by_status(client):
    staff = make_staff()
    a, b = make_leader(staff), make_leader(staff)
    client.post(f"/api/v1/admin/leaders/{b.leader.id}/suspend", headers=staff.headers, json={"reason": "x"})
    active = client.get("/api/v1/admin/leaders?status=active", headers=staff.headers).get_json()
    assert [x["id"] for x in active] == [a.leader.id]
    one = client.get(f"/api/v1/admin/leaders/{b.leader.id}", headers=staff.headers).get_json()
    assert one["status"] == "suspended" and one["status_reason"] == "x"
