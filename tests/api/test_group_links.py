from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Account
from app.extensions import db
from app.groups.models import Binding
from tests.assertions import assert_error, database_unchanged
from tests.factories import code_of, join, make_group, make_leader, make_shopper


def landing(client, code):
    return client.get(f"/api/v1/store/groups/{code}")


def test_group_link_landing_is_public_and_shows_leader_and_pickup_point(client):
    leader = make_leader()
    group = make_group(leader, name="Maple Court")
    r = landing(client, code_of(group).lower())  # codes are typed from chats: case does not matter
    assert r.status_code == 200
    body = r.get_json()
    assert body["group"]["name"] == "Maple Court"
    assert body["group"]["leader"] == {"display_name": leader.leader.display_name}
    assert body["group"]["pickup_point"]["id"] == leader.point.id
    assert body["invited_by"] is None


def test_unknown_link_code_is_404_envelope(client):
    assert_error(landing(client, "NOPE2345"), 404, "group_link_not_found")


def test_following_a_link_binds_the_shopper_and_rejoining_changes_nothing(client):
    group = make_group(make_leader())
    shopper = make_shopper()
    r = client.post(f"/api/v1/store/groups/{code_of(group)}/join", headers=shopper.headers)
    assert r.status_code == 201 and r.get_json()["joined"] is True
    assert r.get_json()["binding"]["group"]["id"] == group.id
    with database_unchanged():
        again = client.post(f"/api/v1/store/groups/{code_of(group)}/join", headers=shopper.headers)
    assert again.status_code == 200 and again.get_json()["joined"] is False
    assert client.get("/api/v1/store/me/group", headers=shopper.headers).get_json()["id"] == group.id
    assert client.get("/api/v1/store/me", headers=shopper.headers).get_json()["group"] == {
        "id": group.id, "name": group.name}


def test_member_link_records_the_referrer(client):
    group = make_group(make_leader())
    alice, bob = make_shopper(name="Alice"), make_shopper()
    join(alice, group)
    link = client.post("/api/v1/store/links", headers=alice.headers, json={"group_id": group.id}).get_json()
    assert link["url"].endswith(link["code"]) and link["owner_account_id"] == alice.id
    assert landing(client, link["code"]).get_json()["invited_by"] == "A**"  # masked for others
    r = client.post(f"/api/v1/store/groups/{link['code']}/join", headers=bob.headers)
    assert r.get_json()["binding"]["referrer_account_id"] == alice.id
    assert r.get_json()["binding"]["link_code"] == link["code"]
    # Minting again returns the same link.
    again = client.post("/api/v1/store/links", headers=alice.headers, json={"group_id": group.id}).get_json()
    assert again["code"] == link["code"]


def test_switching_groups_ends_the_old_binding_and_keeps_history(client):
    a, b = make_group(make_leader()), make_group(make_leader())
    shopper = make_shopper()
    join(shopper, a)
    r = client.post(f"/api/v1/store/groups/{code_of(b)}/join", headers=shopper.headers)
    assert r.status_code == 201
    history = client.get("/api/v1/store/me/bindings", headers=shopper.headers).get_json()
    assert [(h["group"]["id"], h["end_reason"]) for h in history] == [(b.id, None), (a.id, "switched")]
    assert history[1]["ended_at"] is not None
    current = db.session.scalars(sa.select(Binding).where(Binding.account_id == shopper.id,
                                                          Binding.ended_at.is_(None))).all()
    assert [c.group_id for c in current] == [b.id]


def test_invitation_only_group_needs_a_members_link(client):
    leader = make_leader()
    group = make_group(leader, admission_rule="invitation_only")
    outsider, member = make_shopper(), make_shopper()
    with database_unchanged():
        r = client.post(f"/api/v1/store/groups/{code_of(group)}/join", headers=outsider.headers)
    assert_error(r, 403, "invitation_required")
    leader_link = client.post(f"/api/v1/leader/groups/{group.id}/link", headers=leader.headers).get_json()
    assert client.post(f"/api/v1/store/groups/{leader_link['code']}/join", headers=member.headers).status_code == 201
    member_link = client.post("/api/v1/store/links", headers=member.headers, json={"group_id": group.id}).get_json()
    r = client.post(f"/api/v1/store/groups/{member_link['code']}/join", headers=outsider.headers)
    assert r.status_code == 201 and r.get_json()["binding"]["referrer_account_id"] == member.id


def test_a_link_stops_referring_once_its_owner_left_the_group(client):
    leader_b = make_leader()
    a, b = make_group(make_leader()), make_group(leader_b, admission_rule="invitation_only")
    owner, newcomer = make_shopper(), make_shopper()
    invitation = client.post(f"/api/v1/leader/groups/{b.id}/link", headers=leader_b.headers).get_json()["code"]
    join(owner, b, invitation)
    link = client.post("/api/v1/store/links", headers=owner.headers, json={"group_id": b.id}).get_json()["code"]
    join(owner, a)  # the owner leaves b
    with database_unchanged():
        assert_error(client.post(f"/api/v1/store/groups/{link}/join", headers=newcomer.headers), 403,
                     "invitation_required")


def test_min_spend_group_admits_only_shoppers_who_spent_enough(client):
    group = make_group(make_leader(), admission_rule="min_spend", min_spend_cents=10000)
    poor, rich = make_shopper(), make_shopper()
    db.session.execute(sa.update(Account).where(Account.id == rich.id).values(lifetime_spend_cents=10000))
    db.session.commit()
    error = assert_error(client.post(f"/api/v1/store/groups/{code_of(group)}/join", headers=poor.headers), 403,
                         "minimum_spend_not_met")
    assert error["details"] == {"min_spend_cents": 10000, "lifetime_spend_cents": 0}
    assert client.post(f"/api/v1/store/groups/{code_of(group)}/join", headers=rich.headers).status_code == 201


def test_the_leader_always_gets_into_their_own_group(client):
    leader = make_leader()
    group = make_group(leader, admission_rule="invitation_only")
    assert client.post(f"/api/v1/store/groups/{code_of(group)}/join", headers=leader.headers).status_code == 201


def test_only_members_and_the_leader_mint_links(client):
    group = make_group(make_leader())
    stranger = make_shopper()
    with database_unchanged():
        assert_error(client.post("/api/v1/store/links", headers=stranger.headers, json={"group_id": group.id}),
                     403, "not_a_member")
        assert_error(client.post("/api/v1/store/links", headers=stranger.headers, json={"group_id": 999999}),
                     404, "group_not_found")
        assert_error(client.post("/api/v1/store/links", headers=stranger.headers, json={"group_id": "1"}), 422)
        assert_error(client.post("/api/v1/store/links", json={"group_id": group.id}), 401)


def test_join_requires_a_shopper_token(client):
    group = make_group()
    with database_unchanged():
        assert_error(client.post(f"/api/v1/store/groups/{code_of(group)}/join"), 401)


def test_my_group_is_404_before_joining(client):
    assert_error(client.get("/api/v1/store/me/group", headers=make_shopper().headers), 404, "not_in_a_group")


def test_my_links_lists_minted_links(client):
    group = make_group(make_leader())
    shopper = make_shopper()
    join(shopper, group)
    client.post("/api/v1/store/links", headers=shopper.headers, json={"group_id": group.id})
    links = client.get("/api/v1/store/links", headers=shopper.headers).get_json()
    assert [link["group_id"] for link in links] == [group.id]
