"""Passwords along NIST SP 800-63B: length after normalising, no blank or common ones, no composition rules."""
from __future__ import annotations

import pytest

from app.accounts.password_policy import common_passwords
from tests.assertions import assert_error, database_unchanged

REGISTER = "/api/v1/store/auth/register"


def register(client, password, lang="en", **extra):
    body = {"name": "Ann", "email": "ann@example.com", "password": password, **extra}
    return client.post(REGISTER, json=body, headers={"Accept-Language": lang})


@pytest.mark.parametrize("password, code", [
    ("12345678", "password_too_common"),
    ("password", "password_too_common"),
    ("PassWord", "password_too_common"),          # the list is compared case-insensitively
    ("        ", "password_blank"),
    ("\u3000" * 8, "password_blank"),              # ideographic spaces are spaces too
    ("short", "password_too_short"),
    ("ｐａｓｓｗｏｒｄ", "password_too_common"),  # full-width letters normalise (NFKC) to "password"
    ("ann@example.com", "password_is_personal"),
    ("x" * 129, "password_too_long"),
])
def test_weak_passwords_are_refused_with_a_clear_422_and_nothing_stored(client, password, code):
    with database_unchanged():
        assert_error(register(client, password), 422, code)


def test_the_refusal_is_in_the_callers_language(client):
    zh = assert_error(register(client, "12345678", lang="zh-CN"), 422, "password_too_common")
    en = assert_error(register(client, "12345678", lang="en"), 422, "password_too_common")
    assert en["message"].startswith("This password is too common")
    assert "常见" in zh["message"]
    short = assert_error(register(client, "abc", lang="zh-CN"), 422, "password_too_short")
    assert "8" in short["message"] and short["details"]["min_length"] == 8


@pytest.mark.parametrize("password", [
    "correct horse battery",   # long and plain: no digit, capital or symbol needed
    "我家门口的菜店",            # seven characters...
    "我家门口的小菜店",          # ...eight Chinese characters count as eight
    "tr0ub4dor&3x",
])
def test_long_uncommon_passwords_of_any_composition_are_accepted(client, password):
    r = register(client, password)
    if len(password) < 8:
        assert_error(r, 422, "password_too_short")
    else:
        assert r.status_code == 201, r.get_json()


def test_the_bundled_list_is_large_and_covers_the_usual_suspects():
    listed = common_passwords()
    assert len(listed) > 10_000
    assert {"password", "12345678", "iloveyou", "qwertyuiop", "1qaz2wsx"} <= listed


def test_create_staff_command_applies_the_same_policy(app):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["create-staff", "--email", "x@shop.test", "--name", "B", "--password", "password"])
    assert weak.exit_code != 0 and "--password" in weak.output
    assert runner.invoke(args=["create-staff", "--email", "x@shop.test", "--name", "B",
                               "--password", "shelf-of-rice-7"]).exit_code == 0
