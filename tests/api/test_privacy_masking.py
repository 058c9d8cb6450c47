"""A leader's phone is shown in full only to members of a group at their pickup point; other
shoppers' names appear by their initial on link landing pages (issue 20)."""
from __future__ import annotations

from blueprints.privacy import mask_name, mask_phone
from tests.factories import code_of, join, make_group, make_leader, make_shopper

NEARBY = "/api/v1/store/pickup-points/nearby?lat=31.23&lng=121.47&radius_km=5"


def landing(client, code, user=None):
    return client.get(f"/api/v1/store/groups/{code}", headers=user.headers if user else {}).get_json()


def test_masks():
    assert mask_phone("+8613800138000") == "+86138****8000"
    assert mask_name("陈小明") == "陈**" and mask_name("Alice") == "A**"


def test_the_leaders_phone_is_masked_on_the_public_landing_page_and_full_for_members(client):
    leader = make_leader()
    group = make_group(leader)
    phone = leader.point.contact_phone
    assert phone and phone.startswith("+86")
    anonymous = landing(client, code_of(group))["group"]["pickup_point"]["contact_phone"]
    assert anonymous == mask_phone(phone) and phone[-8:-4] not in anonymous
    stranger = make_shopper()
    assert landing(client, code_of(group), stranger)["group"]["pickup_point"]["contact_phone"] == mask_phone(phone)
    member = make_shopper()
    join(member, group)
    assert landing(client, code_of(group), member)["group"]["pickup_point"]["contact_phone"] == phone
    mine = client.get("/api/v1/store/me/group", headers=member.headers).get_json()
    assert mine["pickup_point"]["contact_phone"] == phone


def test_nearby_points_mask_the_phone_except_for_the_viewers_own_point(client):
    leader = make_leader()
    group = make_group(leader)
    phone = leader.point.contact_phone
    shown = {p["pickup_point"]["id"]: p["pickup_point"]["contact_phone"] for p in client.get(NEARBY).get_json()}
    assert shown[leader.point.id] == mask_phone(phone)
    member = make_shopper()
    join(member, group)
    shown = {p["pickup_point"]["id"]: p["pickup_point"]["contact_phone"]
             for p in client.get(NEARBY, headers=member.headers).get_json()}
    assert shown[leader.point.id] == phone


def test_the_leader_and_staff_still_see_the_full_phone(client):
    leader = make_leader()
    make_group(leader)
    points = client.get("/api/v1/leader/pickup-points", headers=leader.headers).get_json()
    assert leader.point.contact_phone in [p["contact_phone"] for p in points]


def test_a_personal_links_landing_page_masks_the_inviters_name(client):
    group = make_group(make_leader())
    alice = make_shopper(name="陈小明")
    join(alice, group)
    link = client.post("/api/v1/store/links", headers=alice.headers, json={"group_id": group.id}).get_json()
    assert landing(client, link["code"])["invited_by"] == "陈**"
    assert landing(client, link["code"], make_shopper())["invited_by"] == "陈**"
    assert landing(client, link["code"], alice)["invited_by"] == "陈小明"
