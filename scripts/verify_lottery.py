#!/usr/bin/env python3
"""Recompute a lottery's winners from its public audit record, without the store's code or database.

    python3 scripts/verify_lottery.py https://shop.example/api/v1/store/lotteries/7/audit
    python3 scripts/verify_lottery.py audit.json          # a saved copy ("-" reads standard input)

Checks that SHA-256(seed) is the seed_hash published before entries closed, that the entry list
matches its digest, and that the winners follow from the seed and the list by the algorithm in
docs/lotteries.md ("hmac-sha256-fisher-yates-v1"). Python 3.8+ standard library only: this file
deliberately shares no code with the store, so it is an independent check. Exit status 0 when the
draw is reproduced, 1 when it is not, 2 when the record is unusable.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import sys
import urllib.request

ALGORITHM = "hmac-sha256-fisher-yates-v1"


def uniform(seed: bytes, counter: list, n: int) -> int:
    """The next uniformly random integer in [0, n): 64-bit words HMAC-SHA256(seed, str(counter))[:8],
    big-endian, rejecting words at or above the largest multiple of n below 2^64."""
    limit = 2**64 - 2**64 % n
    while True:
        digest = hmac.new(seed, str(counter[0]).encode("ascii"), hashlib.sha256).digest()
        counter[0] += 1
        word = int.from_bytes(digest[:8], "big")
        if word < limit:
            return word % n


def recompute_winners(seed: bytes, entry_count: int, quantities: list) -> list:
    """[(rank, entry_number, prize_position)] for a seed, N entries and the prize quantities in order."""
    slots = [position for position, quantity in enumerate(quantities, start=1) for _ in range(quantity)]
    order = list(range(1, entry_count + 1))
    counter = [0]
    wanted = min(entry_count, len(slots))
    for i in range(wanted):
        j = i + uniform(seed, counter, entry_count - i)
        order[i], order[j] = order[j], order[i]
    return [(rank, order[rank - 1], slots[rank - 1]) for rank in range(1, wanted + 1)]


def load(source: str) -> dict:
    if source == "-":
        return json.load(sys.stdin)
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310 (a URL the user gave)
            return json.load(response)
    with open(source, encoding="utf-8") as handle:
        return json.load(handle)


def verify(record: dict) -> list:
    """The problems found; an empty list means the draw is reproduced."""
    if record.get("algorithm") != ALGORITHM:
        return [f"unknown algorithm {record.get('algorithm')!r}; this script checks {ALGORITHM}"]
    if not record.get("seed"):
        return ["the seed is not revealed yet: the lottery has not been drawn"]
    seed = bytes.fromhex(record["seed"])
    problems = []
    if hashlib.sha256(seed).hexdigest() != record["seed_hash"]:
        problems.append("SHA-256 of the revealed seed is not the committed seed_hash")
    entries = sorted(record["entries"], key=lambda e: e["number"])
    if [e["number"] for e in entries] != list(range(1, len(entries) + 1)):
        problems.append("entry numbers are not 1..N")
    if len(entries) != record["entry_count"]:
        problems.append(f"{len(entries)} entries listed, entry_count says {record['entry_count']}")
    digest = hashlib.sha256("\n".join(f"{e['number']}:{e['ticket']}" for e in entries).encode("ascii")).hexdigest()
    if digest != record["entries_digest"]:
        problems.append("the entry list does not match entries_digest")
    prizes = sorted(record["prizes"], key=lambda p: p["position"])
    tickets = {e["number"]: e["ticket"] for e in entries}
    expected = [{"rank": rank, "entry_number": number, "ticket": tickets.get(number),
                 "prize_position": position} for rank, number, position in
                recompute_winners(seed, len(entries), [p["quantity"] for p in prizes])]
    published = [{k: w[k] for k in ("rank", "entry_number", "ticket", "prize_position")}
                 for w in sorted(record["winners"] or [], key=lambda w: w["rank"])]
    if expected != published:
        problems.append("the published winners differ from the recomputed ones")
        for want in expected:
            problems.append(f"  expected rank {want['rank']}: entry #{want['entry_number']} ({want['ticket']}) "
                            f"takes prize {want['prize_position']}")
    return problems


def main(argv: list) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print(f"usage: {argv[0]} <audit URL | audit.json | ->", file=sys.stderr)
        return 2
    try:
        record = load(argv[1])
        problems = verify(record)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"cannot read the audit record: {exc}", file=sys.stderr)
        return 2
    if problems:
        print("NOT VERIFIED", *problems, sep="\n")
        return 1
    print(f"Verified lottery {record.get('lottery_id')}: seed matches its hash, {record['entry_count']} entries, "
          f"{len(record['winners'] or [])} winners reproduced.")
    for w in sorted(record["winners"] or [], key=lambda w: w["rank"]):
        name = w.get("prize_name", w["prize_position"])
        print(f"  {w['rank']:>3}. entry #{w['entry_number']} ({w['ticket']}) - {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
