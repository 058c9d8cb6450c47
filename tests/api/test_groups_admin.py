from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.groups.models import Binding, GroupTransfer
from tests.assertions import assert_error, database_unchanged
from tests.factories import join, make_group, make_leader, make_point, make_shopper, make_staff

GROUPS = "/api/v1/admin/groups"


def test_staff_create_a_group_with_leader_and_point_and_it_gets_a_public_link(client):
    staff = make_staff()
    leader = make_leader(staff)
    r = client.post(GROUPS, headers=staff.headers, json={
        "name": "Maple Court", "neighbourhood": "Maple", "leader_id": leader.leader.id,
        "pickup_point_id": leader.point.id, "admission_rule": "open",
    })
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["leader"]["id"] == leader.leader.id and body["pickup_point"]["id"] == leader.point.id
    assert len(body["code"]) == 8 and body["url"] == f"http://shop.test/g/{body['code']}"
    assert body["member_count"] == 0


@pytest.mark.parametrize("override, status, code", [
    ({"admission_rule": "min_spend"}, 422, "min_spend_required"),
    ({"admission_rule": "members_only"}, 422, "validation_error"),
    ({"pickup_point_id": 999999}, 404, "pickup_point_not_found"),
    ({"leader_id": 999999}, 404, "leader_not_found"),
    ({"name": ""}, 422, "validation_error"),
    ({"min_spend_cents": -1}, 422, "validation_error"),
    ({"pickup_point_id": 2**40}, 422, "validation_error"),
])
def test_group_creation_rejects_bad_input(client, override, status, code):
    staff, point = make_staff(), make_point()
    body = {"name": "G", "neighbourhood": "N", "pickup_point_id": point.id} | override
    with database_unchanged():
        assert_error(client.post(GROUPS, headers=staff.headers, json=body), status, code)


def test_min_spend_group_needs_and_keeps_its_threshold(client):
    staff, point = make_staff(), make_point()
    r = client.post(GROUPS, headers=staff.headers, json={
        "name": "VIP", "neighbourhood": "N", "pickup_point_id": point.id,
        "admission_rule": "min_spend", "min_spend_cents": 50000})
    assert r.status_code == 201 and r.get_json()["min_spend_cents"] == 50000
    gid = r.get_json()["id"]
    r = client.patch(f"{GROUPS}/{gid}", headers=staff.headers, json={"admission_rule": "open"})
    assert r.get_json()["min_spend_cents"] is None


def test_group_cannot_be_given_to_a_suspended_leader_or_an_inactive_point(client):
    staff = make_staff()
    leader = make_leader(staff)
    client.post(f"/api/v1/admin/leaders/{leader.leader.id}/suspend", headers=staff.headers, json={"reason": "x"})
    inactive = make_point(status="inactive")
    with database_unchanged():
        assert_error(client.post(GROUPS, headers=staff.headers, json={
            "name": "G", "neighbourhood": "N", "pickup_point_id": leader.point.id,
            "leader_id": leader.leader.id}), 409, "leader_suspended")
        assert_error(client.post(GROUPS, headers=staff.headers, json={
            "name": "G", "neighbourhood": "N", "pickup_point_id": inactive.id}), 409, "pickup_point_inactive")


def test_transfer_moves_leader_and_point_but_members_and_history_stay(client):
    staff = make_staff()
    old, new = make_leader(staff), make_leader(staff)
    group = make_group(old)
    members = [make_shopper() for _ in range(3)]
    for m in members:
        join(m, group)
    bindings_before = db.session.scalars(sa.select(Binding.id).order_by(Binding.id)).all()

    r = client.post(f"{GROUPS}/{group.id}/transfer", headers=staff.headers, json={
        "leader_id": new.leader.id, "pickup_point_id": new.point.id, "reason": "Old leader moved away"})
    assert r.status_code == 201, r.get_json()
    t = r.get_json()
    assert (t["from_leader_id"], t["to_leader_id"]) == (old.leader.id, new.leader.id)
    assert (t["from_pickup_point_id"], t["to_pickup_point_id"]) == (old.point.id, new.point.id)

    body = client.get(f"{GROUPS}/{group.id}", headers=staff.headers).get_json()
    assert body["leader"]["id"] == new.leader.id and body["member_count"] == 3
    assert db.session.scalars(sa.select(Binding.id).order_by(Binding.id)).all() == bindings_before
    # The old leader no longer sees the group; the new one does.
    assert_error(client.get(f"/api/v1/leader/groups/{group.id}", headers=old.headers), 403, "not_your_group")
    assert client.get(f"/api/v1/leader/groups/{group.id}", headers=new.headers).status_code == 200
    history = client.get(f"{GROUPS}/{group.id}/transfers", headers=staff.headers).get_json()
    assert [h["reason"] for h in history] == ["Old leader moved away"]


def test_transfer_can_change_only_the_pickup_point_or_remove_the_leader(client):
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    other_point = make_point()
    r = client.post(f"{GROUPS}/{group.id}/transfer", headers=staff.headers, json={"pickup_point_id": other_point.id})
    assert r.get_json()["to_leader_id"] == leader.leader.id
    r = client.post(f"{GROUPS}/{group.id}/transfer", headers=staff.headers, json={"leader_id": None})
    assert r.status_code == 201 and r.get_json()["to_leader_id"] is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupTransfer)) == 2


def test_transfer_that_changes_nothing_or_names_nothing_is_rejected(client):
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    with database_unchanged():
        assert_error(client.post(f"{GROUPS}/{group.id}/transfer", headers=staff.headers,
                                 json={"leader_id": leader.leader.id}), 422, "transfer_changes_nothing")
        assert_error(client.post(f"{GROUPS}/{group.id}/transfer", headers=staff.headers, json={}), 422,
                     "validation_error")
        assert_error(client.post(f"{GROUPS}/999999/transfer", headers=staff.headers,
                                 json={"leader_id": None}), 404, "group_not_found")


def test_staff_search_groups_and_list_members(client):
    staff = make_staff()
    leader = make_leader(staff)
    a = make_group(leader, name="Maple Court")
    make_group(name="Riverside", neighbourhood="Pudong")
    found = client.get(f"{GROUPS}?q=maple", headers=staff.headers).get_json()
    assert [g["id"] for g in found] == [a.id]
    found = client.get(f"{GROUPS}?q=pudong", headers=staff.headers).get_json()
    assert [g["name"] for g in found] == ["Riverside"]
    assert [g["id"] for g in client.get(f"{GROUPS}?leader_id={leader.leader.id}", headers=staff.headers)
            .get_json()] == [a.id]
    shopper = make_shopper(name="Neighbour")
    join(shopper, a)
    members = client.get(f"{GROUPS}/{a.id}/members", headers=staff.headers).get_json()
    assert [(m["account_id"], m["name"]) for m in members] == [(shopper.id, "Neighbour")]


def test_search_treats_wildcards_literally(client):
    staff = make_staff()
    make_group(name="100% organic")
    make_group(name="Plain")
    assert len(client.get(f"{GROUPS}?q=%25", headers=staff.headers).get_json()) == 1


def test_only_staff_manage_groups(client):
    leader, shopper = make_leader(), make_shopper()
    group = make_group(leader)
    for user in (leader, shopper):
        with database_unchanged():
            assert_error(client.post(GROUPS, headers=user.headers, json={}), 403)
            assert_error(client.patch(f"{GROUPS}/{group.id}", headers=user.headers, json={"name": "x"}), 403)
            assert_error(client.post(f"{GROUPS}/{group.id}/transfer", headers=user.headers,
                                     json={"leader_id": None}), 403)
