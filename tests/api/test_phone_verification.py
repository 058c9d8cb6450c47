"""Phone verification by SMS code, and groups that admit only shoppers with a verified phone."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
import time_machine

from app.accounts.models import Account, AccountKind, PhoneVerification
from app.accounts.services import login
from app.extensions import db
from app.sms import SmsError
from tests.assertions import assert_error, database_unchanged
from tests.factories import PASSWORD, code_of, make_group, make_leader, make_shopper, make_staff, seq

URL = "/api/v1/store/me/phone-verification"


class CapturedSms:
    """Stands in for the SMS provider: keeps what would have been sent."""

    def __init__(self):
        self.sent: list[tuple[str, str]] = []
        self.fail = False

    def send(self, to: str, text: str) -> None:
        if self.fail:
            raise SmsError("provider down")
        self.sent.append((to, text))

    def last_code(self, to: str | None = None) -> str:
        number, text = self.sent[-1]
        assert to is None or number == to
        return re.search(r"\b(\d{6})\b", text).group(1)


@pytest.fixture
def sms(app, monkeypatch):
    captured = CapturedSms()
    monkeypatch.setitem(app.extensions, "sms", captured)
    return captured


def mobile() -> str:
    """A fresh valid mainland China mobile number, in E.164."""
    return f"+86139{seq() % 10**8:08d}"


def later(seconds: float) -> time_machine.travel:
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds), tick=False)


def ask(client, user, **body):
    return client.post(URL, json=body, headers=user.headers)


def confirm(client, user, code):
    return client.post(f"{URL}/confirm", json={"code": code}, headers=user.headers)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def account(user) -> Account:
    db.session.commit()
    return db.session.get(Account, user.id)


def test_a_shopper_verifies_their_phone_with_the_code_sent_to_it(client, sms):
    phone = mobile()
    user = make_shopper(phone=phone)
    r = ask(client, user)
    assert r.status_code == 202, r.get_json()
    body = r.get_json()
    assert body["phone"] == phone and body["attempts_left"] == 5
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert dt.timedelta(minutes=9) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=10)
    code = sms.last_code(phone)
    assert "expires in 10 minutes" in sms.sent[-1][1]
    # Only a keyed hash of the code is kept.
    row = db.session.scalar(sa.select(PhoneVerification))
    assert code not in row.code_hash and len(row.code_hash) == 64
    r = confirm(client, user, code)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["phone"] == phone and r.get_json()["phone_verified_at"] is not None
    assert client.get("/api/v1/store/me", headers=user.headers).get_json()["phone_verified_at"]
    # Verified: nothing more to do, and the used code is spent.
    assert_error(ask(client, user), 409, "phone_already_verified")
    assert_error(confirm(client, user, code), 409, "verification_not_requested")


def test_wrong_codes_spend_the_five_tries_then_even_the_right_code_is_refused(client, sms):
    user = make_shopper(phone=mobile())
    ask(client, user)
    code = sms.last_code()
    for left in (4, 3, 2, 1, 0):
        error = assert_error(confirm(client, user, wrong(code)), 422, "verification_code_invalid")
        assert error["details"] == {"attempts_left": left}
    assert_error(confirm(client, user, code), 409, "verification_attempts_exceeded")
    assert account(user).phone_verified_at is None
    with later(61):                            # a new code starts over
        ask(client, user)
        assert confirm(client, user, sms.last_code()).status_code == 200
    assert account(user).phone_verified_at is not None


def test_old_codes_are_purged_with_old_tokens(client, sms):
    from app.accounts.services import purge_expired_tokens

    ask(client, make_shopper(phone=mobile()))
    assert purge_expired_tokens(30) == 0
    with later(31 * 24 * 3600):
        assert purge_expired_tokens(30) >= 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PhoneVerification)) == 0


def test_a_code_expires_after_ten_minutes(client, sms):
    user = make_shopper(phone=mobile())
    ask(client, user)
    code = sms.last_code()
    with later(10 * 60 + 1), database_unchanged():
        assert_error(confirm(client, user, code), 409, "verification_code_expired")
    with later(9 * 60 + 50):
        assert confirm(client, user, code).status_code == 200


def test_malformed_codes_are_422_and_cost_no_try(client, sms):
    user = make_shopper(phone=mobile())
    ask(client, user)
    with database_unchanged():
        for bad in ("12345", "1234567", "12a456", ""):
            assert_error(confirm(client, user, bad), 422, "validation_error")
    assert db.session.scalar(sa.select(PhoneVerification.attempts)) == 0


def test_confirming_without_a_code_is_409(client, sms):
    user = make_shopper()
    with database_unchanged():
        assert_error(confirm(client, user, "123456"), 409, "verification_not_requested")


def test_a_new_code_waits_a_minute_and_replaces_the_old_one(client, sms):
    user = make_shopper(phone=mobile())
    ask(client, user)
    first = sms.last_code()
    with database_unchanged():
        response = ask(client, user)
    error = assert_error(response, 429, "verification_code_recently_sent")
    assert 1 <= int(response.headers["Retry-After"]) <= 60 and error["details"]["retry_after_seconds"] <= 60
    assert len(sms.sent) == 1
    with later(61):
        assert ask(client, user).status_code == 202
        second = sms.last_code()
        if second != first:
            assert_error(confirm(client, user, first), 422, "verification_code_invalid")
        assert confirm(client, user, second).status_code == 200


def test_at_most_five_codes_a_day_per_shopper(app, client, sms, monkeypatch):
    # Redis keeps the per-address limit on its own clock, which time travel does not move.
    monkeypatch.setitem(app.config, "PHONE_CODE_RATE_LIMIT", "100 per minute")
    user = make_shopper(phone=mobile())
    start = dt.datetime.now(dt.UTC)
    for n in range(5):
        with time_machine.travel(start + dt.timedelta(minutes=2 * n), tick=False):
            assert ask(client, user).status_code == 202
    with time_machine.travel(start + dt.timedelta(minutes=12), tick=False):
        response = ask(client, user)
        assert_error(response, 429, "too_many_verification_codes")
        # The first code of the five leaves the 24 hours after it in 23 h 48 min.
        assert 23 * 3600 + 47 * 60 < int(response.headers["Retry-After"]) <= 23 * 3600 + 48 * 60 + 1
    with time_machine.travel(start + dt.timedelta(hours=24, seconds=1), tick=False):
        assert ask(client, user).status_code == 202


def test_at_most_five_codes_a_day_to_one_number_whoever_asks(app, client, sms, monkeypatch):
    monkeypatch.setitem(app.config, "PHONE_CODE_RATE_LIMIT", "100 per minute")
    victim = mobile()
    for _ in range(5):
        assert ask(client, make_shopper(), phone=victim).status_code == 202
    assert_error(ask(client, make_shopper(), phone=victim), 429, "too_many_verification_codes")
    assert len(sms.sent) == 5


def test_code_requests_are_rate_limited_per_client_address(app, client, sms, monkeypatch):
    monkeypatch.setitem(app.config, "PHONE_CODE_RATE_LIMIT", "2 per minute")
    users = [make_shopper(phone=mobile()) for _ in range(3)]
    assert ask(client, users[0]).status_code == 202 and ask(client, users[1]).status_code == 202
    assert_error(ask(client, users[2]), 429, "rate_limited")


def test_another_number_can_be_verified_and_becomes_the_login_phone(client, sms):
    user = make_shopper()                       # registered by e-mail only
    assert_error(ask(client, user), 422, "phone_required")
    local = "139 0013 " + f"{seq() % 10**4:04d}"  # typed without +86: STORE_COUNTRY is CN
    r = ask(client, user, phone=local)
    assert r.status_code == 202
    phone = r.get_json()["phone"]
    assert phone == "+86" + local.replace(" ", "")
    assert confirm(client, user, sms.last_code(phone)).status_code == 200
    assert account(user).phone == phone
    assert login(AccountKind.SHOPPER, local, PASSWORD).account.id == user.id


def test_a_number_of_another_shopper_or_an_invalid_number_is_refused(client, sms):
    taken = mobile()
    make_shopper(phone=taken)
    user = make_shopper()
    with database_unchanged():
        assert_error(ask(client, user, phone=taken), 409, "phone_taken")
        assert_error(ask(client, user, phone="12345"), 422, "invalid_phone")
        assert_error(ask(client, user, phone="x" * 33), 422, "validation_error")
    assert sms.sent == []


def test_a_number_taken_between_request_and_confirm_is_refused(client, sms):
    phone = mobile()
    user = make_shopper()
    ask(client, user, phone=phone)
    make_shopper(phone=phone)                   # someone registers with it meanwhile
    assert_error(confirm(client, user, sms.last_code()), 409, "phone_taken")
    assert account(user).phone is None and account(user).phone_verified_at is None


def test_when_the_sms_provider_fails_the_request_is_503_and_costs_nothing(client, sms):
    user = make_shopper(phone=mobile())
    sms.fail = True
    with database_unchanged():
        response = ask(client, user)
    assert_error(response, 503, "sms_unavailable")
    assert response.headers["Retry-After"]
    sms.fail = False
    assert ask(client, user).status_code == 202   # no cool-down was started


def test_the_default_sender_logs_in_development_and_refuses_in_production(app, client, caplog, monkeypatch):
    from app.sms import LoggingSmsSender

    user = make_shopper(phone=mobile())
    monkeypatch.setitem(app.extensions, "sms", LoggingSmsSender())
    with caplog.at_level("INFO", logger="app.sms"):
        assert ask(client, user).status_code == 202
    assert re.search(r"SMS to \+86\d+: \d{6} is your", caplog.text)
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    with later(61):
        assert_error(ask(client, user), 503, "sms_unavailable")


@pytest.mark.parametrize("name, value", [("SMS_SENDER", "not a path"), ("SMS_SENDER", "pkg.mod"),
                                         ("PHONE_CODE_RATE_LIMIT", "lots")])
def test_sms_settings_are_checked_at_start_up(monkeypatch, tmp_path, name, value):
    from app.config import ConfigError, load_settings

    monkeypatch.setenv("ENV_FILE", str(tmp_path / "none.env"))
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings(tmp_path)


def test_a_configured_sender_class_is_loaded_from_its_import_path(app, monkeypatch):
    from app.sms import LoggingSmsSender, sms_sender

    monkeypatch.setitem(app.config, "SMS_SENDER", "tests.api.test_phone_verification:CapturedSms")
    monkeypatch.delitem(app.extensions, "sms", raising=False)
    assert isinstance(sms_sender(), CapturedSms) and sms_sender() is sms_sender()
    monkeypatch.setitem(app.extensions, "sms", None)
    monkeypatch.setitem(app.config, "SMS_SENDER", "app.sms:LoggingSmsSender")
    assert isinstance(sms_sender(), LoggingSmsSender)


# --- the verified_phone admission rule ------------------------------------------------------------

def test_a_verified_phone_group_admits_only_shoppers_with_a_verified_phone(client, sms):
    staff, leader = make_staff(), make_leader()
    group = make_group(leader)
    r = client.patch(f"/api/v1/admin/groups/{group.id}", json={"admission_rule": "verified_phone"},
                     headers=staff.headers)
    assert r.status_code == 200 and r.get_json()["admission_rule"] == "verified_phone"
    landing = client.get(f"/api/v1/store/groups/{code_of(group)}").get_json()
    assert landing["group"]["admission_rule"] == "verified_phone"
    user = make_shopper(phone=mobile())
    join = f"/api/v1/store/groups/{code_of(group)}/join"
    with database_unchanged():
        assert_error(client.post(join, headers=user.headers), 403, "phone_verification_required")
    ask(client, user)
    confirm(client, user, sms.last_code())
    assert client.post(join, headers=user.headers).status_code == 201
    # The group's own leader needs no verification to be in it.
    assert client.post(join, headers=leader.headers).status_code in (200, 201)


def test_staff_can_open_a_group_with_the_verified_phone_rule(client):
    staff, point = make_staff(), make_leader().point
    r = client.post("/api/v1/admin/groups", headers=staff.headers, json={
        "name": "Quiet Court", "neighbourhood": "Block 9", "pickup_point_id": point.id,
        "admission_rule": "verified_phone"})
    assert r.status_code == 201 and r.get_json()["admission_rule"] == "verified_phone"
    assert_error(client.post(f"/api/v1/store/groups/{r.get_json()['code']}/join", headers=make_shopper().headers),
                 403, "phone_verification_required")
