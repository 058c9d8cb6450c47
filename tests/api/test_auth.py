from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from app.accounts.models import Account, AuthToken
from app.extensions import db
from tests.assertions import assert_error, database_unchanged
from tests.factories import PASSWORD, auth, make_shopper, make_staff

REGISTER = "/api/v1/store/auth/register"
LOGIN = "/api/v1/store/auth/login"


def test_shopper_registers_with_email_and_gets_a_working_token(client):
    r = client.post(REGISTER, json={"name": "Ann", "email": "Ann@Example.com", "password": "s3cret-pass"})
    assert r.status_code == 201
    body = r.get_json()
    assert body["token_type"] == "Bearer" and body["account"]["email"] == "ann@example.com"
    me = client.get("/api/v1/store/me", headers=auth(body["token"]))
    assert me.status_code == 200 and me.get_json()["name"] == "Ann"


def test_shopper_registers_with_phone_normalised_to_e164(client):
    r = client.post(REGISTER, json={"name": "Bo", "phone": "138 0013 8000", "password": "s3cret-pass"})
    assert r.status_code == 201
    assert r.get_json()["account"]["phone"] == "+8613800138000"
    login = client.post(LOGIN, json={"login": "+86 13800138000", "password": "s3cret-pass"})
    assert login.status_code == 200


def test_password_is_stored_as_argon2id_hash_and_token_only_as_digest(client):
    r = client.post(REGISTER, json={"name": "Cy", "email": "cy@example.com", "password": "s3cret-pass"})
    account = db.session.scalar(sa.select(Account).where(Account.email == "cy@example.com"))
    assert account.password_hash.startswith("$argon2id$") and "s3cret-pass" not in account.password_hash
    token = r.get_json()["token"]
    stored = db.session.scalars(sa.select(AuthToken.token_hash)).all()
    assert token not in stored and len(stored) == 1


def test_duplicate_email_is_a_conflict_and_creates_nothing(client):
    make_shopper(email="dup@example.com")
    with database_unchanged():
        r = client.post(REGISTER, json={"name": "X", "email": "DUP@example.com", "password": "s3cret-pass"})
    assert_error(r, 409, "account_exists")


@pytest.mark.parametrize("body, field", [
    ({"name": "X", "password": "s3cret-pass"}, "email"),
    ({"name": "", "email": "x@example.com", "password": "s3cret-pass"}, "name"),
    ({"name": "X", "email": "not-an-email", "password": "s3cret-pass"}, "email"),
    ({"name": "X", "email": "x@example.com", "password": "s3cret-pass", "is_staff": True}, "is_staff"),
    ({"name": "X" * 81, "email": "x@example.com", "password": "s3cret-pass"}, "name"),
    ({"name": 12, "email": "x@example.com", "password": "s3cret-pass"}, "name"),
    ({"name": "X\x00", "email": "x@example.com", "password": "s3cret-pass"}, "name"),
])
def test_register_rejects_bad_input_with_field_errors(client, body, field):
    with database_unchanged():
        r = client.post(REGISTER, json=body)
    error = assert_error(r, 422, "validation_error")
    assert field in error["details"]["fields"]["json"]


def test_register_rejects_an_invalid_phone_number(client):
    with database_unchanged():
        r = client.post(REGISTER, json={"name": "X", "phone": "12345", "password": "s3cret-pass"})
    assert_error(r, 422, "invalid_phone")


def test_login_wrong_password_and_unknown_login_look_the_same(client):
    make_shopper(email="known@example.com")
    wrong = client.post(LOGIN, json={"login": "known@example.com", "password": "nope-nope"})
    unknown = client.post(LOGIN, json={"login": "ghost@example.com", "password": "nope-nope"})
    assert assert_error(wrong, 401, "invalid_credentials") == assert_error(unknown, 401, "invalid_credentials")


def test_logout_revokes_the_token(client):
    user = make_shopper()
    assert client.post("/api/v1/store/auth/logout", headers=user.headers).status_code == 204
    assert_error(client.get("/api/v1/store/me", headers=user.headers), 401, "invalid_token")


def test_token_expires_after_its_ttl(app, client):
    user = make_shopper()
    ttl = dt.timedelta(hours=app.config["SHOPPER_TOKEN_TTL_HOURS"])
    with time_machine.travel(dt.datetime.now(dt.UTC) + ttl - dt.timedelta(minutes=1), tick=False):
        assert client.get("/api/v1/store/me", headers=user.headers).status_code == 200
    with time_machine.travel(dt.datetime.now(dt.UTC) + ttl + dt.timedelta(minutes=1), tick=False):
        assert_error(client.get("/api/v1/store/me", headers=user.headers), 401, "invalid_token")


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic abc", "Bearer " + "x" * 300])
def test_missing_or_bad_token_is_401_with_www_authenticate(client, header):
    headers = {"Authorization": header} if header else {}
    r = client.get("/api/v1/store/me", headers=headers)
    assert_error(r, 401)
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_staff_logs_in_on_admin_surface_only(client):
    make_staff(email="boss@example.com")
    r = client.post("/api/v1/admin/auth/login", json={"login": "boss@example.com", "password": PASSWORD})
    assert r.status_code == 200
    token = r.get_json()["token"]
    assert client.get("/api/v1/admin/me", headers=auth(token)).status_code == 200
    assert_error(client.get("/api/v1/store/me", headers=auth(token)), 403, "shoppers_only")
    assert_error(client.post(LOGIN, json={"login": "boss@example.com", "password": PASSWORD}), 401)


def test_shopper_cannot_use_admin_or_leader_routes(client):
    user = make_shopper()
    assert_error(client.get("/api/v1/admin/me", headers=user.headers), 403, "staff_only")
    assert_error(client.get("/api/v1/admin/groups", headers=user.headers), 403, "staff_only")
    assert_error(client.get("/api/v1/leader/me", headers=user.headers), 403, "not_a_leader")


def test_staff_token_expires_sooner_than_shopper_token(app):
    staff, shopper = make_staff(), make_shopper()
    expiry = dict(db.session.execute(sa.select(AuthToken.account_id, AuthToken.expires_at)).all())
    assert expiry[staff.id] < expiry[shopper.id]


def test_login_is_rate_limited_per_client(app, client):
    app.config["AUTH_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [client.post(LOGIN, json={"login": "a@example.com", "password": "x"}).status_code for _ in range(4)]
        assert codes[:3] == [401, 401, 401]
        r = client.post(LOGIN, json={"login": "a@example.com", "password": "x"})
        assert_error(r, 429, "rate_limited")
        assert int(r.headers["Retry-After"]) >= 1 and ";r=0;" in r.headers["RateLimit"]
    finally:
        app.config["AUTH_RATE_LIMIT"] = "10000 per minute"


def test_registration_is_rate_limited(app, client):
    app.config["AUTH_RATE_LIMIT"] = "2 per minute"
    try:
        for i in range(2):
            client.post(REGISTER, json={"name": "R", "email": f"r{i}@example.com", "password": "s3cret-pass"})
        with database_unchanged():
            r = client.post(REGISTER, json={"name": "R", "email": "r9@example.com", "password": "s3cret-pass"})
        assert_error(r, 429, "rate_limited")
    finally:
        app.config["AUTH_RATE_LIMIT"] = "10000 per minute"


def test_update_profile_changes_name_and_rejects_unknown_fields(client):
    user = make_shopper()
    r = client.patch("/api/v1/store/me", headers=user.headers, json={"name": "New Name"})
    assert r.status_code == 200 and r.get_json()["name"] == "New Name"
    with database_unchanged():
        assert_error(client.patch("/api/v1/store/me", headers=user.headers, json={"email": "x@y.z"}), 422)
    assert_error(client.patch("/api/v1/store/me", json={"name": "x"}), 401)
