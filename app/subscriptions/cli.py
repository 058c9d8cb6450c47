"""`flask subscriptions-renew`."""
from __future__ import annotations

import click


@click.command("subscriptions-renew")
def renew_command() -> None:
    """Renew due subscription cycles, retry declined charges and resume pauses that ended (safe to
    run any time, and at the same time as the RQ job: each cycle is ordered once)."""
    from app.subscriptions.sweep import run

    result = run(progress=lambda n: click.echo(f"  looked at {n} subscriptions"))
    click.echo(f"Renewed {result['renewed']}, retried {result['retried']}, resumed {result['resumed']} "
               f"({result['seen']} subscriptions looked at).")
