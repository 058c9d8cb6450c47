"""Recompute, from the orders alone, what each party should hold for each order line, and compare
it with the journal; also check that every entry balances. Read-only."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from app.commissions.models import EntryKind, JournalEntry, JournalLine
from app.commissions.rules import split
from app.commissions.services import paid_amount
from app.extensions import db
from app.leaders.models import Leader
from app.orders.models import Order


@dataclass(frozen=True)
class Difference:
    order_id: int
    order_line_id: int | None
    role: str | None
    expected_cents: int
    ledger_cents: int
    what: str


def expected_for(order: Order, leader_account: int | None) -> dict[tuple[int, str], int]:
    """{(order line, role): net commission} the rules and refunds say this order should carry."""
    out: dict[tuple[int, str], int] = {}
    for line in order.lines:
        lead, ref, _ = split(paid_amount(line), line.leader_rate_bps if leader_account else 0,
                             line.referrer_rate_bps if order.referrer_account_id else 0)
        refunded = min(line.refunded_cents, line.line_total_cents)
        for role, earned in (("leader", lead), ("referrer", ref)):
            if not earned:
                continue
            back = earned if refunded >= line.line_total_cents else earned * refunded // line.line_total_cents
            out[(line.id, role)] = earned - back
    return out


def run(progress: Callable[[int], None] | None = None, batch_size: int = 1000) -> list[Difference]:
    differences: list[Difference] = []
    unbalanced = db.session.execute(
        sa.select(JournalLine.entry_id, sa.func.sum(JournalLine.amount_cents)).group_by(JournalLine.entry_id)
        .having(sa.func.sum(JournalLine.amount_cents) != 0))
    for entry_id, total in unbalanced:
        differences.append(Difference(0, None, None, 0, int(total), f"entry {entry_id} does not balance"))
    accrued = sa.select(JournalEntry.order_id).where(JournalEntry.kind == EntryKind.ACCRUE)
    last = 0
    seen = 0
    leader_accounts = dict(db.session.execute(sa.select(Leader.id, Leader.account_id)).all())
    while True:
        orders = list(db.session.scalars(sa.select(Order).where(Order.id.in_(accrued), Order.id > last)
                                         .order_by(Order.id).limit(batch_size)))
        if not orders:
            break
        ledger_rows = db.session.execute(
            sa.select(JournalLine.order_line_id, JournalLine.role, sa.func.sum(JournalLine.amount_cents))
            .join(JournalEntry).where(JournalEntry.order_id.in_([o.id for o in orders]),
                                      JournalLine.account_id.is_not(None),
                                      JournalEntry.kind.in_((EntryKind.ACCRUE, EntryKind.CLAWBACK)))
            .group_by(JournalLine.order_line_id, JournalLine.role))
        in_ledger = {(line_id, role): int(v) for line_id, role, v in ledger_rows}
        for order in orders:
            expected = expected_for(order, leader_accounts.get(order.leader_id))
            line_ids = {ln.id for ln in order.lines}
            keys = set(expected) | {k for k in in_ledger if k[0] in line_ids}
            for key in sorted(keys, key=lambda k: (k[0], k[1] or "")):
                want, have = expected.get(key, 0), in_ledger.get(key, 0)
                if want != have:
                    differences.append(Difference(order.id, key[0], key[1], want, have, "net commission differs"))
        seen += len(orders)
        last = orders[-1].id
        if progress:
            progress(seen)
    return differences
