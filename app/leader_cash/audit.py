"""Check the leader cash ledger against itself and the payouts it nets against. Read-only: every
entry balances, and what each payout says it withheld (`cash_netted_cents`) is what its netting
entries moved. (A leader may owe below zero: a cash refund they paid after remitting everything is
money the merchant owes them back.)"""
from __future__ import annotations

import sqlalchemy as sa

from app.commissions.models import Payout
from app.extensions import db
from app.leader_cash.models import CashBucket, CashEntry, CashLine


def run() -> list[str]:
    problems = [f"entry {entry_id} does not balance ({int(total)})" for entry_id, total in db.session.execute(
        sa.select(CashLine.entry_id, sa.func.sum(CashLine.amount_cents)).group_by(CashLine.entry_id)
        .having(sa.func.sum(CashLine.amount_cents) != 0))]
    netted = (sa.select(CashEntry.payout_id, (-sa.func.sum(CashLine.amount_cents)).label("moved"))
              .join(CashLine).where(CashEntry.payout_id.is_not(None), CashLine.bucket == CashBucket.OWED)
              .group_by(CashEntry.payout_id).subquery())
    moved = sa.func.coalesce(netted.c.moved, 0)
    problems += [f"payout {payout_id} says {said} netted, the cash ledger {int(got)}" for payout_id, said, got in
                 db.session.execute(sa.select(Payout.id, Payout.cash_netted_cents, moved)
                                    .outerjoin(netted, netted.c.payout_id == Payout.id)
                                    .where(Payout.cash_netted_cents != moved))]
    return problems
