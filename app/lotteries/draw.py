"""The draw as a pure function of public data: the revealed seed, the number of entries and the
prize quantities. Nothing here reads the database or the clock, so anyone holding the audit
record can recompute the winners (scripts/verify_lottery.py reimplements this file with the
standard library alone; the tests hold the two to the same answers). docs/lotteries.md states the
algorithm in prose; change neither without the other, and give a changed algorithm a new name.

Algorithm `hmac-sha256-fisher-yates-v1`:
- random words: for counter c = 0, 1, 2, …  w_c = the first 8 bytes, big-endian, of
  HMAC-SHA256(key=seed, message=ASCII decimal of c) — a number in [0, 2^64);
- uniform(n): take the next word w; accept it if w < 2^64 − (2^64 mod n) and answer w mod n,
  otherwise reject it and take the next (no modulo bias);
- entries are numbered 1..N in the order they were accepted; a = [1, 2, …, N];
- for i = 0 .. W−1 with W = min(N, total prize quantity): j = i + uniform(N − i); swap a[i], a[j]
  (the first W steps of a Fisher–Yates shuffle: a uniformly random ordered choice of W entries);
- the prize slots are the prizes in position order, each repeated `quantity` times; winner k
  (a[k−1]) takes slot k. An entry wins at most once; with fewer entries than slots, the last slots
  go unawarded.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

ALGORITHM = "hmac-sha256-fisher-yates-v1"
SEED_BYTES = 32
_WORD = 2**64


def new_seed() -> bytes:
    return secrets.token_bytes(SEED_BYTES)


def seed_hash(seed: bytes) -> str:
    """The commitment published before entries close: hex SHA-256 of the raw seed bytes."""
    return hashlib.sha256(seed).hexdigest()


def seed_matches(seed: bytes, committed_hash: str) -> bool:
    return hmac.compare_digest(seed_hash(seed), committed_hash)


class RandomWords:
    """The deterministic stream of 64-bit words drawn from the seed."""

    def __init__(self, seed: bytes):
        self.seed = seed
        self.counter = 0

    def word(self) -> int:
        digest = hmac.new(self.seed, str(self.counter).encode("ascii"), hashlib.sha256).digest()
        self.counter += 1
        return int.from_bytes(digest[:8], "big")

    def uniform(self, n: int) -> int:
        """A uniformly random integer in [0, n), by rejection sampling."""
        if n < 1:
            raise ValueError("uniform(n) needs n >= 1")
        limit = _WORD - _WORD % n
        while True:
            w = self.word()
            if w < limit:
                return w % n


def winning_entries(seed: bytes, entry_count: int, winners_wanted: int) -> list[int]:
    """Entry numbers (1-based) in winning order."""
    order = list(range(1, entry_count + 1))
    words = RandomWords(seed)
    for i in range(min(entry_count, winners_wanted)):
        j = i + words.uniform(entry_count - i)
        order[i], order[j] = order[j], order[i]
    return order[:min(entry_count, winners_wanted)]


def prize_slots(quantities: list[int]) -> list[int]:
    """Prize positions (1-based), each repeated by its quantity, in position order."""
    return [position for position, quantity in enumerate(quantities, start=1) for _ in range(quantity)]


@dataclass(frozen=True)
class Win:
    rank: int           # 1 = drawn first
    entry_number: int
    prize_position: int


def draw(seed: bytes, entry_count: int, prize_quantities: list[int]) -> list[Win]:
    slots = prize_slots(prize_quantities)
    winners = winning_entries(seed, entry_count, len(slots))
    return [Win(rank, number, slots[rank - 1]) for rank, number in enumerate(winners, start=1)]


def entries_digest(entries: list[tuple[int, str]]) -> str:
    """SHA-256 over the published entry list, one "number:ticket" line each (\\n-joined, in number
    order), so a copy of the list can be checked against the record."""
    text = "\n".join(f"{number}:{ticket}" for number, ticket in entries)
    return hashlib.sha256(text.encode("ascii")).hexdigest()
