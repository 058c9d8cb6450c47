"""Short human-facing codes (group links, order numbers, pickup codes)."""
from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L: codes are read aloud and typed from chat messages on phones.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_RE = re.compile(rf"^[{ALPHABET}]+$")


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise_code(raw: str) -> str | None:
    """Upper-case a code typed by a person; None if it cannot be one of ours."""
    code = raw.strip().upper()
    if not 4 <= len(code) <= 32 or not CODE_RE.match(code):
        return None
    return code
