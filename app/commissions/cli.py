"""`flask commissions-settle`, `flask payouts-send`, `flask commissions-audit`, `flask leader-cash-audit`."""
from __future__ import annotations

import sys

import click


@click.command("commissions-settle")
def settle_command() -> None:
    """Settle commission of orders past pickup plus the after-sale window (safe to run any time,
    and again after a crash: settled orders are skipped)."""
    from app.commissions.services import settle_due

    result = settle_due(progress=lambda done, seen: click.echo(f"  settled {done} orders ({seen} looked at)"))
    click.echo(f"Settled {result['settled']} orders.")


@click.command("payouts-send")
def payouts_send_command() -> None:
    """Send Stripe Connect payouts that were approved but never sent, and finish ones whose sender
    died mid-call (each is looked up at Stripe first: nothing is paid twice)."""
    from app.commissions.stripe_payouts import sweep

    result = sweep()
    click.echo(f"Looked at {result['seen']} payouts; {result['paid']} paid.")


@click.command("commissions-audit")
def audit_command() -> None:
    """Recompute expected commission from the orders and compare with the ledger; exit 1 on any
    difference (each one printed with its order, line and party role)."""
    from app.commissions.audit import run

    differences = run(progress=lambda seen: click.echo(f"  checked {seen} orders"))
    for d in differences:
        click.echo(f"DIFFERENCE order {d.order_id} line {d.order_line_id} {d.role}: expected {d.expected_cents}, "
                   f"ledger {d.ledger_cents} ({d.what})")
    if differences:
        click.echo(f"{len(differences)} differences: the ledger does not match the orders. Investigate before "
                   "paying out; the ledger is append-only, so corrections are new entries.", err=True)
        sys.exit(1)
    click.echo("The commission ledger matches the orders.")


@click.command("leader-cash-audit")
def cash_audit_command() -> None:
    """Check the leader cash ledger: entries balance and each payout's netting matches the cash
    ledger; exit 1 on any problem."""
    from app.leader_cash.audit import run

    problems = run()
    for problem in problems:
        click.echo(f"PROBLEM {problem}")
    if problems:
        click.echo(f"{len(problems)} problems in the leader cash ledger. It is append-only: correct with new "
                   "entries, never by editing rows.", err=True)
        sys.exit(1)
    click.echo("The leader cash ledger balances and matches the payouts.")
