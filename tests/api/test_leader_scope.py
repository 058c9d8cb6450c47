"""A leader sees and edits only their own groups and pickup points."""
from __future__ import annotations

import pytest

from tests.assertions import assert_error, database_unchanged
from tests.factories import join, make_group, make_leader, make_shopper, make_staff


@pytest.fixture
def two_leaders():
    staff = make_staff()
    a, b = make_leader(staff), make_leader(staff)
    return a, make_group(a), b, make_group(b)


def test_leader_lists_only_their_groups_and_points(client, two_leaders):
    a, group_a, b, group_b = two_leaders
    assert [g["id"] for g in client.get("/api/v1/leader/groups", headers=a.headers).get_json()] == [group_a.id]
    assert [p["id"] for p in client.get("/api/v1/leader/pickup-points", headers=a.headers).get_json()] == [a.point.id]


@pytest.mark.parametrize("method, path, body", [
    ("get", "/api/v1/leader/groups/{group_b}", None),
    ("patch", "/api/v1/leader/groups/{group_b}", {"notice": "mine now"}),
    ("get", "/api/v1/leader/groups/{group_b}/members", None),
    ("post", "/api/v1/leader/groups/{group_b}/link", None),
    ("get", "/api/v1/leader/pickup-points/{point_b}", None),
    ("patch", "/api/v1/leader/pickup-points/{point_b}", {"address": "elsewhere"}),
    ("post", "/api/v1/leader/pickup-points/{point_b}/closures", {"start_date": "2030-01-01", "end_date": "2030-01-02"}),
    ("delete", "/api/v1/leader/pickup-points/{point_b}/closures/2030-01-01", None),
])
def test_leader_cannot_read_or_change_another_leaders_group_or_point(client, two_leaders, method, path, body):
    a, _, b, group_b = two_leaders
    url = path.format(group_b=group_b.id, point_b=b.point.id)
    with database_unchanged():
        r = getattr(client, method)(url, headers=a.headers, json=body)
    assert_error(r, 403)


def test_leader_edits_own_group_name_and_notice_but_not_admission(client, two_leaders):
    a, group_a, _, _ = two_leaders
    r = client.patch(f"/api/v1/leader/groups/{group_a.id}", headers=a.headers,
                     json={"name": "Maple Court fresh", "notice": "Closed on Sunday"})
    assert r.status_code == 200 and r.get_json()["notice"] == "Closed on Sunday"
    with database_unchanged():
        assert_error(client.patch(f"/api/v1/leader/groups/{group_a.id}", headers=a.headers,
                                  json={"admission_rule": "open"}), 422, "validation_error")


def test_leader_sees_members_of_own_group(client, two_leaders):
    a, group_a, _, _ = two_leaders
    shopper = make_shopper()
    join(shopper, group_a)
    members = client.get(f"/api/v1/leader/groups/{group_a.id}/members", headers=a.headers).get_json()
    assert [m["account_id"] for m in members] == [shopper.id]


def test_leader_edits_own_point_hours_with_several_periods_a_day(client, two_leaders):
    a = two_leaders[0]
    hours = [{"weekday": 0, "opens_at": "08:00", "closes_at": "12:00"},
             {"weekday": 0, "opens_at": "16:00", "closes_at": "20:30"},
             {"weekday": 5, "opens_at": "09:00", "closes_at": "18:00"}]
    r = client.patch(f"/api/v1/leader/pickup-points/{a.point.id}", headers=a.headers,
                     json={"hours": hours, "contact_phone": "13800138000"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["hours"] == hours and body["contact_phone"] == "+8613800138000"
    # Replacing the week replaces every period.
    r = client.patch(f"/api/v1/leader/pickup-points/{a.point.id}", headers=a.headers, json={"hours": hours[2:]})
    assert r.get_json()["hours"] == hours[2:]


@pytest.mark.parametrize("hours, code", [
    ([{"weekday": 1, "opens_at": "08:00", "closes_at": "12:00"},
      {"weekday": 1, "opens_at": "11:00", "closes_at": "14:00"}], "overlapping_hours"),
    ([{"weekday": 1, "opens_at": "12:00", "closes_at": "08:00"}], "invalid_hours"),
    ([{"weekday": 7, "opens_at": "08:00", "closes_at": "12:00"}], "validation_error"),
    ([{"weekday": 1, "opens_at": "8am", "closes_at": "12:00"}], "validation_error"),
])
def test_bad_opening_hours_are_rejected(client, two_leaders, hours, code):
    a = two_leaders[0]
    with database_unchanged():
        r = client.patch(f"/api/v1/leader/pickup-points/{a.point.id}", headers=a.headers, json={"hours": hours})
    assert_error(r, 422, code)


def test_leader_closes_a_date_range_and_reopens_a_day(client, two_leaders):
    a = two_leaders[0]
    url = f"/api/v1/leader/pickup-points/{a.point.id}/closures"
    r = client.post(url, headers=a.headers, json={"start_date": "2031-02-10", "end_date": "2031-02-12",
                                                  "reason": "Spring festival"})
    assert r.status_code == 201 and [c["date"] for c in r.get_json()] == ["2031-02-10", "2031-02-11", "2031-02-12"]
    # Closing overlapping dates again does not duplicate them.
    client.post(url, headers=a.headers, json={"start_date": "2031-02-12", "end_date": "2031-02-13"})
    assert client.delete(f"{url}/2031-02-11", headers=a.headers).status_code == 204
    point = client.get(f"/api/v1/leader/pickup-points/{a.point.id}", headers=a.headers).get_json()
    assert [c["date"] for c in point["upcoming_closures"]] == ["2031-02-10", "2031-02-12", "2031-02-13"]
    assert_error(client.delete(f"{url}/2031-02-11", headers=a.headers), 404, "closure_not_found")
    assert_error(client.delete(f"{url}/2031-02-31", headers=a.headers), 404)


def test_closure_range_must_be_ordered_and_bounded(client, two_leaders):
    a = two_leaders[0]
    url = f"/api/v1/leader/pickup-points/{a.point.id}/closures"
    with database_unchanged():
        assert_error(client.post(url, headers=a.headers, json={"start_date": "2031-02-10", "end_date": "2031-02-01"}),
                     422, "invalid_date_range")
        assert_error(client.post(url, headers=a.headers, json={"start_date": "2031-01-01", "end_date": "2033-01-01"}),
                     422, "invalid_date_range")
        assert_error(client.post(url, headers=a.headers, json={"start_date": "tomorrow", "end_date": "2031-01-01"}),
                     422, "validation_error")


def test_leader_routes_need_a_leader_token(client, two_leaders):
    _, group_a, _, _ = two_leaders
    assert_error(client.get(f"/api/v1/leader/groups/{group_a.id}"), 401)
    assert_error(client.get(f"/api/v1/leader/groups/{group_a.id}", headers=make_shopper().headers), 403,
                 "not_a_leader")
    assert_error(client.get(f"/api/v1/leader/groups/{group_a.id}", headers=make_staff().headers), 403,
                 "shoppers_only")
