"""The password rules, after NIST SP 800-63B §5.1.1.2 (memorised secrets).

Length is what makes a password strong, and the passwords attackers try first are the ones people
use most; composition rules ("a digit and a capital") only make people write `Password1!`. So: at
least 8 characters counted after Unicode normalisation (NFKC, as the guideline asks, so a Chinese or
full-width password counts what the person typed), not only spaces, not on the bundled list of
common and breached passwords, not the person's own e-mail, phone or name. Any character is allowed,
spaces and emoji included, up to 128.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from app.errors import InvalidRequest
from app.i18n import _

MIN_LENGTH = 8
MAX_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")


class WeakPassword(InvalidRequest):
    code = "password_too_weak"


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def check_password(password: str, *, personal: Iterable[str | None] = ()) -> None:
    """Refuse a password that is too short, blank, common or the person's own login or name."""
    normalised = normalise(password)
    if len(normalised) < MIN_LENGTH:
        raise WeakPassword(_("Use at least %(min)s characters", min=MIN_LENGTH), code="password_too_short",
                           details={"min_length": MIN_LENGTH})
    if len(normalised) > MAX_LENGTH:
        raise WeakPassword(_("Use at most %(max)s characters", max=MAX_LENGTH), code="password_too_long",
                           details={"max_length": MAX_LENGTH})
    if not normalised.strip():
        raise WeakPassword(_("A password cannot be only spaces"), code="password_blank")
    folded = normalised.casefold()
    if folded in common_passwords():
        raise WeakPassword(_("This password is too common; choose one that is harder to guess"),
                           code="password_too_common")
    if any(value and folded == normalise(value).casefold() for value in personal):
        raise WeakPassword(_("Do not use your e-mail, phone number or name as your password"),
                           code="password_is_personal")
