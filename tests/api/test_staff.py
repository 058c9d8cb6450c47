"""Owners manage staff and custom roles; a deactivated account's tokens stop at once."""
from __future__ import annotations

import pytest

from app.accounts.models import Account, AuthToken
from app.extensions import db
from tests.assertions import assert_error, database_unchanged
from tests.factories import make_staff

ADMIN = "/api/v1/admin"


def test_me_shows_role_and_permissions(client):
    driver = make_staff(role="driver")
    body = client.get(f"{ADMIN}/me", headers=driver.headers).get_json()
    assert body["role"] == "driver"
    assert body["permissions"] == ["batches.read", "pickup_points.read", "pickups.verify", "routes.drive", "self"]


def test_owner_invites_staff_who_log_in_with_the_initial_password(client):
    owner = make_staff()
    r = client.post(f"{ADMIN}/staff", headers=owner.headers,
                    json={"name": "Wang Fang", "email": "Fang@Example.com", "role": "finance"})
    assert r.status_code == 201, r.get_json()
    invited = r.get_json()
    assert invited["role"] == "finance" and "payouts.approve" in invited["permissions"]
    login = client.post(f"{ADMIN}/auth/login", json={"login": "fang@example.com",
                                                      "password": invited["initial_password"]})
    assert login.status_code == 200
    listed = client.get(f"{ADMIN}/staff", headers=owner.headers).get_json()
    assert {s["email"] for s in listed} == {owner.account.email, "fang@example.com"}
    assert all("initial_password" not in s for s in listed)


def test_invite_with_unknown_role_or_existing_email_changes_nothing(client):
    owner = make_staff()
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/staff", headers=owner.headers,
                                 json={"name": "X", "email": "x@example.com", "role": "king"}), 422, "unknown_role")
        assert_error(client.post(f"{ADMIN}/staff", headers=owner.headers,
                                 json={"name": "X", "email": owner.account.email, "role": "driver"}),
                     409, "account_exists")


def test_only_owners_manage_staff(client):
    operations = make_staff(role="operations")
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/staff", headers=operations.headers,
                                 json={"name": "X", "email": "x@example.com", "role": "owner"}),
                     403, "permission_denied")
        assert_error(client.get(f"{ADMIN}/audit-log", headers=operations.headers), 403, "permission_denied")


def test_changing_a_role_takes_effect_on_the_next_request(client):
    owner, clerk = make_staff(), make_staff(role="customer_service")
    assert_error(client.get(f"{ADMIN}/payouts", headers=clerk.headers), 403, "permission_denied")
    r = client.patch(f"{ADMIN}/staff/{clerk.id}", headers=owner.headers, json={"role": "finance"})
    assert r.status_code == 200 and r.get_json()["role"] == "finance"
    assert client.get(f"{ADMIN}/payouts", headers=clerk.headers).status_code == 200


def test_deactivated_staff_tokens_stop_at_once(client):
    owner, driver = make_staff(), make_staff(role="driver")
    assert client.get(f"{ADMIN}/me", headers=driver.headers).status_code == 200
    r = client.post(f"{ADMIN}/staff/{driver.id}/deactivate", headers=owner.headers)
    assert r.status_code == 200 and r.get_json()["is_active"] is False
    assert_error(client.get(f"{ADMIN}/me", headers=driver.headers), 401, "invalid_token")
    assert db.session.query(AuthToken).filter_by(account_id=driver.id, revoked_at=None).count() == 0
    assert_error(client.post(f"{ADMIN}/auth/login", json={"login": driver.account.email, "password": "x" * 12}),
                 401)
    # Reactivated, they log in afresh; the old token stays dead.
    assert client.post(f"{ADMIN}/staff/{driver.id}/reactivate", headers=owner.headers).status_code == 200
    assert_error(client.get(f"{ADMIN}/me", headers=driver.headers), 401, "invalid_token")


def test_nobody_changes_their_own_role_or_deactivates_themselves(client):
    owner, second = make_staff(), make_staff()
    with database_unchanged():
        assert_error(client.patch(f"{ADMIN}/staff/{owner.id}", headers=owner.headers, json={"role": "driver"}),
                     409, "own_role")
        assert_error(client.post(f"{ADMIN}/staff/{owner.id}/deactivate", headers=owner.headers), 409, "own_account")
    # Another owner may; the store keeps an owner either way (the guard behind this: last_owner).
    demoted = client.patch(f"{ADMIN}/staff/{second.id}", headers=owner.headers, json={"role": "finance"})
    assert demoted.status_code == 200


def test_custom_role_from_permissions(client):
    owner = make_staff()
    r = client.post(f"{ADMIN}/roles", headers=owner.headers,
                    json={"key": "night_shift", "name": "夜班", "permissions": ["batches.read", "orders.read"]})
    assert r.status_code == 201, r.get_json()
    role_id = r.get_json()["id"]
    night = make_staff(role="night_shift")
    assert client.get(f"{ADMIN}/orders", headers=night.headers).status_code == 200
    assert_error(client.get(f"{ADMIN}/campaigns", headers=night.headers), 403, "permission_denied")
    client.patch(f"{ADMIN}/roles/{role_id}", headers=owner.headers, json={"permissions": ["campaigns.read"]})
    assert client.get(f"{ADMIN}/campaigns", headers=night.headers).status_code == 200
    assert_error(client.delete(f"{ADMIN}/roles/{role_id}", headers=owner.headers), 409, "role_in_use")
    keys = [role["key"] for role in client.get(f"{ADMIN}/roles", headers=owner.headers).get_json()]
    assert keys[:6] == ["owner", "operations", "finance", "warehouse", "driver", "customer_service"]
    assert "night_shift" in keys


@pytest.mark.parametrize("body, code", [
    ({"key": "owner", "name": "x", "permissions": []}, "role_exists"),
    ({"key": "auditor", "name": "x", "permissions": ["audit.read"]}, "owner_only_permission"),
    ({"key": "auditor", "name": "x", "permissions": ["no.such"]}, "unknown_permission"),
])
def test_bad_custom_roles_are_refused(client, body, code):
    owner = make_staff()
    with database_unchanged():
        response = client.post(f"{ADMIN}/roles", headers=owner.headers, json=body)
    assert_error(response, 409 if code == "role_exists" else 422, code)


def test_staff_created_by_the_cli_are_owners(app):
    from app.accounts.services import create_staff

    account = create_staff(name="Boss", email="boss@example.com", password="a long passphrase")
    assert db.session.get(Account, account.id).staff_role == "owner"
