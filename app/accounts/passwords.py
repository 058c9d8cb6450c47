"""Password hashing with argon2id (argon2-cffi); cost parameters come from the app config."""
from __future__ import annotations

import contextlib
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher() -> PasswordHasher:
    cfg = current_app.config
    return _hasher(cfg["PASSWORD_HASH_TIME_COST"], cfg["PASSWORD_HASH_MEMORY_KIB"], cfg["PASSWORD_HASH_PARALLELISM"])


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash (unknown login) still spend the time, to hide which logins exist."""
    ph = hasher()
    if password_hash is None:
        _burn(ph, password)
        return False
    try:
        return ph.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


def _dummy_hash(ph: PasswordHasher) -> str:
    return _dummy_for(ph.time_cost, ph.memory_cost, ph.parallelism)


@lru_cache(maxsize=4)
def _dummy_for(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash("not-a-real-password")


def _burn(ph: PasswordHasher, password: str) -> None:
    with contextlib.suppress(VerificationError, InvalidHashError):
        ph.verify(_dummy_hash(ph), password)
