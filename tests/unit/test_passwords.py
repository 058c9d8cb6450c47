from __future__ import annotations

from argon2 import PasswordHasher

from app.accounts.models import AccountKind
from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.accounts.services import login
from app.config import Defaults
from tests.factories import PASSWORD, make_shopper


def test_production_cost_meets_owasp_minimum():
    assert Defaults.PASSWORD_HASH_MEMORY_KIB >= 19 * 1024 and Defaults.PASSWORD_HASH_TIME_COST >= 2


def test_hash_verifies_only_the_right_password():
    h = hash_password("right password")
    assert verify_password(h, "right password") and not verify_password(h, "wrong password")
    assert not verify_password("not-a-hash", "anything") and not verify_password(None, "anything")


def test_login_upgrades_a_hash_made_with_older_parameters():
    user = make_shopper(email="old@example.com")
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    user.account.password_hash = weak
    from app.extensions import db

    db.session.commit()
    assert needs_rehash(weak)
    issued = login(AccountKind.SHOPPER, "old@example.com", PASSWORD)
    assert issued.account.password_hash != weak and not needs_rehash(issued.account.password_hash)
