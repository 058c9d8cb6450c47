"""Roles and permissions: every admin operation declares one, and the authorization matrix (every
admin operation × every built-in role) allows exactly the roles that hold it."""
from __future__ import annotations

import pytest

from app.staff.permissions import BUILTIN_ROLES, OWNER_ONLY, PERMISSIONS, SELF
from tests.api.test_every_endpoint import OPERATIONS, call, url
from tests.assertions import assert_error, database_unchanged
from tests.factories import code_of, make_group, make_leader, make_shopper, make_staff

ADMIN = [(m, p, op) for m, p, op in OPERATIONS if p.startswith("/api/v1/admin") and op.get("security")]


def test_every_admin_operation_declares_a_known_permission():
    # A route added without @blp.requires(Role.STAFF, "<permission>") fails here (and refuses everyone).
    missing = [f"{m.upper()} {p}" for m, p, op in ADMIN if op.get("x-permission") is None]
    assert missing == []
    unknown = {op["x-permission"] for _, _, op in ADMIN} - set(PERMISSIONS) - {SELF}
    assert unknown == set()
    assert len(ADMIN) >= 140


def test_every_permission_guards_some_operation_and_owners_hold_them_all():
    used = {op["x-permission"] for _, _, op in ADMIN}
    assert set(PERMISSIONS) <= used
    assert BUILTIN_ROLES["owner"] == frozenset(PERMISSIONS)
    assert all(not (perms & OWNER_ONLY) for role, perms in BUILTIN_ROLES.items() if role != "owner")


@pytest.fixture
def team():
    owner = make_staff()
    leader = make_leader(owner)
    group = make_group(leader)
    world = {"staff": owner, "leader": leader, "shopper": make_shopper(), "code": code_of(group),
             "group_id": group.id, "point_id": leader.point.id}
    roles = {role: (owner if role == "owner" else make_staff(role=role)) for role in BUILTIN_ROLES}
    return world, roles


@pytest.mark.parametrize("method, path, op", ADMIN, ids=[f"{m.upper()} {p}" for m, p, _ in ADMIN])
def test_authorization_matrix(client, team, method, path, op):
    world, roles = team
    permission = op["x-permission"]
    target = url(path, world)
    denied = [r for r, perms in BUILTIN_ROLES.items() if permission != SELF and permission not in perms]
    with database_unchanged():
        for role in denied:
            error = assert_error(call(client, method, target, roles[role].headers, json={}), 403, "permission_denied")
            assert error["details"]["permission"] == permission
    for role in BUILTIN_ROLES:
        if role in denied:
            continue
        response = call(client, method, target, roles[role].headers, json={})
        if response.status_code == 403:
            assert response.get_json()["error"]["code"] != "permission_denied", (role, response.get_json())


def test_the_matrix_has_a_role_for_every_kind_of_work():
    readers = {p: [r for r, perms in BUILTIN_ROLES.items() if p in perms] for p in PERMISSIONS}
    assert all(readers.values())
    assert "payouts.approve" not in BUILTIN_ROLES["operations"]
    assert BUILTIN_ROLES["driver"] == {"batches.read", "pickups.verify", "pickup_points.read", "routes.drive"}
