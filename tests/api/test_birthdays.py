"""Birthdays: setting one (changes limited), and the store's birthday coupon, once a year, on the
store-local date."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from app.accounts import services as accounts
from app.accounts.models import Account, AccountKind
from app.coupons import services as coupons
from app.coupons.models import Coupon
from app.extensions import db
from app.members import birthday
from app.notifications.dispatch import dispatch_pending
from app.notifications.models import OutboxEvent
from app.settings.services import get_settings, update_settings
from tests.assertions import assert_error, database_unchanged
from tests.factories import PASSWORD, auth, if_match, make_shopper, make_staff

UTC = dt.UTC
ME = "/api/v1/store/me"


def at(*args) -> time_machine.travel:
    return time_machine.travel(dt.datetime(*args, tzinfo=UTC), tick=False)


@pytest.fixture(autouse=True)
def shanghai(app, monkeypatch):
    monkeypatch.setitem(app.config, "STORE_TIMEZONE", "Asia/Shanghai")  # UTC+8, no daylight saving


@pytest.fixture
def offer():
    """The store's birthday coupon: 20.00 off, valid 7 days from issue."""
    template = coupons.create_template({"name": "Birthday treat", "kind": "amount", "amount_off_cents": 2000,
                                        "valid_days": 7})
    update_settings({"birthday_coupon_template_id": template.id})
    return template


def headers(user) -> dict[str, str]:
    """A fresh login: tokens made before a jump in time have expired after it."""
    return auth(accounts.login(AccountKind.SHOPPER, user.account.email, PASSWORD).token)


def put_birthday(client, user, **body):
    return client.put(f"{ME}/birthday", json=body, headers=headers(user))


def with_birthday(month: int, day: int, **overrides):
    user = make_shopper(**overrides)
    birthday.set_birthday(user.id, month=month, day=day)
    return user


def birthday_coupons(account_id: int | None = None) -> list[Coupon]:
    db.session.commit()
    query = sa.select(Coupon).where(Coupon.source == "birthday").order_by(Coupon.id)
    if account_id is not None:
        query = query.where(Coupon.account_id == account_id)
    return list(db.session.scalars(query))


# --- setting the birthday -----------------------------------------------------------------------

def test_first_birthday_is_free_and_later_changes_wait_365_local_days(client):
    user = make_shopper()
    with at(2026, 3, 1, 4, 0):
        r = put_birthday(client, user, month=11, day=24)
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        assert (body["month"], body["day"], body["year"]) == (11, 24, None)
        assert body["next_change_on"] == "2027-03-01" and body["next_perk_on"] == "2026-11-24"
        # Giving the same birthday again is not a change.
        assert put_birthday(client, user, month=11, day=24).get_json()["changed_at"] == body["changed_at"]
        h = headers(user)
        with database_unchanged():
            error = assert_error(client.put(f"{ME}/birthday", json={"month": 11, "day": 25}, headers=h), 409,
                                 "birthday_change_too_soon")
        assert error["details"]["next_change_on"] == "2027-03-01"
        assert "Mar 1, 2027" in error["message"]  # the date in the reader's language (Babel)
    # 23:59 on 28 February in Shanghai: still too soon; a minute later it is 1 March there.
    with at(2027, 2, 28, 15, 59):
        assert_error(put_birthday(client, user, month=11, day=25), 409, "birthday_change_too_soon")
    with at(2027, 2, 28, 16, 0):
        r = put_birthday(client, user, month=11, day=25, year=1990)
        assert r.status_code == 200
        body = r.get_json()
        # 365 days later; 2028 is a leap year.
        assert (body["day"], body["year"], body["next_change_on"]) == (25, 1990, "2028-02-29")
        assert_error(put_birthday(client, user, month=11, day=24), 409, "birthday_change_too_soon")


def test_the_profile_and_birthday_resource_show_the_birthday(client):
    user = make_shopper()
    empty = client.get(f"{ME}/birthday", headers=user.headers).get_json()
    assert empty == {"month": None, "day": None, "year": None, "changed_at": None, "next_change_on": None,
                     "next_perk_on": None}
    assert client.get(ME, headers=user.headers).get_json()["birthday"] is None
    put_birthday(client, user, month=7, day=1, year=1988)
    me = client.get(ME, headers=user.headers).get_json()
    assert (me["birthday"]["month"], me["birthday"]["day"], me["birthday"]["year"]) == (7, 1, 1988)
    assert me["phone_verified_at"] is None


@pytest.mark.parametrize("body, code", [
    ({"month": 2, "day": 30}, "invalid_birthday"),
    ({"month": 4, "day": 31}, "invalid_birthday"),
    ({"month": 2, "day": 29, "year": 2023}, "invalid_birthday"),   # not a leap year
    ({"month": 1, "day": 1, "year": 2099}, "invalid_birthday"),    # in the future
    ({"month": 13, "day": 1}, "validation_error"),
    ({"month": 1, "day": 0}, "validation_error"),
    ({"month": 1, "day": 1, "year": 1800}, "validation_error"),
    ({"month": "1", "day": 1}, "validation_error"),
    ({"day": 1}, "validation_error"),
])
def test_impossible_birthdays_are_refused_and_change_nothing(client, body, code):
    user = make_shopper()
    with database_unchanged():
        assert_error(client.put(f"{ME}/birthday", json=body, headers=user.headers), 422, code)


def test_a_29_february_birthday_is_accepted_and_its_perk_falls_on_28_february_in_other_years():
    assert birthday.perk_date(2, 29, 2027) == dt.date(2027, 2, 28)
    assert birthday.perk_date(2, 29, 2028) == dt.date(2028, 2, 29)
    assert birthday.perk_date(2, 28, 2028) == dt.date(2028, 2, 28)
    user = make_shopper()
    with at(2026, 6, 1):
        assert birthday.set_birthday(user.id, month=2, day=29, year=2004).next_perk_on == dt.date(2027, 2, 28)


# --- the birthday coupon --------------------------------------------------------------------------

def test_the_sweep_follows_the_store_timezone_not_utc(offer):
    user = with_birthday(11, 24)
    with at(2026, 11, 23, 15, 30):          # 23:30 on 23 November in Shanghai
        assert birthday.sweep() == {"issued": 0, "already_issued": 0, "failed": 0}
    assert birthday_coupons() == []
    with at(2026, 11, 23, 16, 30):          # 00:30 on 24 November in Shanghai, still the 23rd in UTC
        assert birthday.sweep() == {"issued": 1, "already_issued": 0, "failed": 0}
    [coupon] = birthday_coupons()
    assert coupon.account_id == user.id and coupon.template_id == offer.id
    assert coupon.source_ref == f"birthday:{user.id}:2026"
    # The window comes from the template: 7 days from issue.
    assert coupon.valid_from == dt.datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
    assert coupon.valid_until == dt.datetime(2026, 11, 30, 16, 30, tzinfo=UTC)


def test_the_coupon_comes_once_a_year_however_often_the_sweep_runs(offer):
    user, other = with_birthday(11, 24), with_birthday(11, 25)
    with at(2026, 11, 24, 1, 0):
        assert birthday.sweep()["issued"] == 1
        assert birthday.sweep() == {"issued": 0, "already_issued": 1, "failed": 0}
    with at(2026, 11, 24, 15, 59):          # 23:59 local: still the birthday, still nothing new
        assert birthday.sweep() == {"issued": 0, "already_issued": 1, "failed": 0}
    with at(2026, 11, 25, 1, 0):            # the next day is someone else's birthday
        assert birthday.sweep() == {"issued": 1, "already_issued": 0, "failed": 0}
    assert [c.account_id for c in birthday_coupons()] == [user.id, other.id]
    with at(2027, 11, 24, 1, 0):            # next year: again
        assert birthday.sweep()["issued"] == 1
    assert [c.source_ref for c in birthday_coupons(user.id)] == [f"birthday:{user.id}:2026",
                                                                  f"birthday:{user.id}:2027"]


def test_moving_the_birthday_does_not_earn_a_second_coupon_in_the_same_year(offer):
    user = make_shopper()
    with at(2025, 1, 1):
        birthday.set_birthday(user.id, month=11, day=24)
    with at(2026, 11, 24, 1, 0):
        assert birthday.sweep()["issued"] == 1
        birthday.set_birthday(user.id, month=12, day=20)  # allowed: last changed over a year ago
    with at(2026, 12, 20, 1, 0):
        assert birthday.sweep() == {"issued": 0, "already_issued": 1, "failed": 0}
    assert len(birthday_coupons(user.id)) == 1


def test_a_29_february_birthday_gets_its_coupon_on_28_february_in_common_years(offer):
    leapling, other = with_birthday(2, 29), with_birthday(2, 28)
    with at(2027, 2, 28, 1, 0):
        assert birthday.sweep()["issued"] == 2
    with at(2028, 2, 28, 1, 0):             # 2028 has a 29th: only the 28th's shopper today
        assert birthday.sweep()["issued"] == 1
    with at(2028, 2, 29, 1, 0):
        assert birthday.sweep()["issued"] == 1
    assert len(birthday_coupons(leapling.id)) == 2 and len(birthday_coupons(other.id)) == 2


def test_the_shopper_is_told_in_their_inbox(client, offer):
    user = with_birthday(11, 24)
    with at(2026, 11, 24, 1, 0):
        birthday.sweep()
        dispatch_pending()
        inbox = client.get("/api/v1/store/inbox", headers=headers(user)).get_json()
    assert [n["title"] for n in inbox] == ["Happy birthday!"]
    assert "Birthday treat" in inbox[0]["body"] and "Dec 1, 2026" in inbox[0]["body"]
    event = db.session.scalar(sa.select(OutboxEvent).where(OutboxEvent.event_type == "birthday.coupon_issued"))
    assert event.payload["coupon_id"] == birthday_coupons()[0].id


def test_opening_the_profile_on_the_birthday_delivers_the_coupon_if_the_sweep_has_not(client, offer):
    user = with_birthday(11, 24)
    with at(2026, 11, 23, 15, 0):           # 23:00 the day before, local
        client.get(ME, headers=headers(user))
    assert birthday_coupons() == []
    with at(2026, 11, 23, 17, 0):
        h = headers(user)
        assert client.get(ME, headers=h).status_code == 200
        assert client.get(ME, headers=h).status_code == 200
        assert birthday.sweep() == {"issued": 0, "already_issued": 1, "failed": 0}
    assert len(birthday_coupons(user.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEvent)
                             .where(OutboxEvent.event_type == "birthday.coupon_issued")) == 1


def test_opening_the_coupon_list_on_the_birthday_shows_the_birthday_coupon(client, offer):
    user = with_birthday(11, 24)
    with at(2026, 11, 24, 1, 0):
        listed = client.get("/api/v1/store/coupons", headers=headers(user)).get_json()
    assert [c["id"] for c in listed] == [c.id for c in birthday_coupons(user.id)]
    assert len(listed) == 1


def test_nothing_is_issued_without_a_configured_coupon(app, client):
    user = with_birthday(11, 24)
    with at(2026, 11, 24, 1, 0):
        assert birthday.sweep() == {"issued": 0, "already_issued": 0, "failed": 0}
        assert client.get(ME, headers=headers(user)).status_code == 200
        result = app.test_cli_runner().invoke(args=["birthdays-sweep"])
    assert result.exit_code == 0 and "No birthday coupon is configured" in result.output
    assert birthday_coupons() == []


def test_inactive_and_staff_accounts_get_nothing(offer):
    gone = with_birthday(11, 24)
    db.session.execute(sa.update(Account).where(Account.id == gone.id).values(is_active=False))
    db.session.commit()
    staff = make_staff()
    db.session.execute(sa.update(Account).where(Account.id == staff.id).values(birth_month=11, birth_day=24))
    db.session.commit()
    with at(2026, 11, 24, 1, 0):
        assert birthday.sweep()["issued"] == 0


def test_the_cli_sweeps_in_batches_and_reports(app, offer, monkeypatch):
    for _ in range(3):
        with_birthday(11, 24)
    real_sweep = birthday.sweep
    monkeypatch.setattr(birthday, "sweep", lambda **kw: real_sweep(batch_size=2, **kw))
    with at(2026, 11, 24, 1, 0):
        first = app.test_cli_runner().invoke(args=["birthdays-sweep"])
        again = app.test_cli_runner().invoke(args=["birthdays-sweep"])
    assert first.exit_code == 0, first.output
    assert "… 2 birthdays handled so far" in first.output and "… 3 birthdays handled so far" in first.output
    assert "issued: 3, already issued this year: 0, failed: 0" in first.output
    assert "issued: 0, already issued this year: 3, failed: 0" in again.output
    assert len(birthday_coupons()) == 3


def test_a_coupon_that_cannot_be_issued_is_reported_and_others_still_get_theirs(app, offer):
    scarce = coupons.create_template({"name": "Only one", "kind": "amount", "amount_off_cents": 100,
                                      "valid_days": 3, "total_limit": 1})
    update_settings({"birthday_coupon_template_id": scarce.id})
    with_birthday(11, 24), with_birthday(11, 24)
    with at(2026, 11, 24, 1, 0):
        result = app.test_cli_runner().invoke(args=["birthdays-sweep"])
    assert result.exit_code != 0
    assert "issued: 1, already issued this year: 0, failed: 1" in result.output
    assert len(birthday_coupons()) == 1


# --- the merchant's setting ---------------------------------------------------------------------

def test_staff_choose_the_birthday_coupon_in_the_settings(client):
    staff = make_staff()
    template = coupons.create_template({"name": "Cake", "kind": "percent", "percent_off": 10, "valid_days": 14})
    url, shopper = "/api/v1/admin/settings", make_shopper()
    assert client.get(url, headers=staff.headers).get_json()["birthday_coupon_template_id"] is None
    r = client.patch(url, json={"birthday_coupon_template_id": template.id},
                     headers=if_match(client, url, staff.headers))
    assert r.status_code == 200 and r.get_json()["birthday_coupon_template_id"] == template.id
    with database_unchanged():
        error = assert_error(client.patch(url, json={"birthday_coupon_template_id": 999999},
                                          headers=if_match(client, url, staff.headers)), 422, "unknown_coupon_template")
        assert error["details"] == {"birthday_coupon_template_id": 999999}
        assert_error(client.patch(url, json={"birthday_coupon_template_id": 0},
                                  headers=if_match(client, url, staff.headers)), 422,
                     "validation_error")
        assert_error(client.patch(url, json={"birthday_coupon_template_id": template.id},
                                  headers=shopper.headers), 403)
    r = client.patch(url, json={"birthday_coupon_template_id": None}, headers=if_match(client, url, staff.headers))
    assert r.get_json()["birthday_coupon_template_id"] is None
    db.session.commit()
    assert get_settings().birthday_coupon_template_id is None
