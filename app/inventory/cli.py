"""`flask stock-audit`."""
from __future__ import annotations

import sys

import click


@click.command("stock-audit")
def audit_command() -> None:
    """Recompute every SKU's and campaign item's stock counters from the movements ledger and
    compare; exit 1 on any difference (each printed with its counter and both values)."""
    from app.inventory.audit import run

    differences = run(progress=lambda what, done, of: click.echo(f"  checked {what} up to id {done - 1} of {of - 1}"))
    for d in differences:
        click.echo(f"DIFFERENCE {d.what} {d.id} {d.counter}: counter {d.counter_value}, "
                   f"movements add up to {d.movements_value}")
    if differences:
        click.echo(f"{len(differences)} differences: the stock counters do not match the movements. Find the "
                   "change that bypassed app/inventory (a hand-edited row?) and correct it with a stock-take; "
                   "movements are append-only, so corrections are new movements.", err=True)
        sys.exit(1)
    click.echo("Stock counters match the movements.")
