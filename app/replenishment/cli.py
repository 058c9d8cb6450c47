"""`flask replenishment-remind`: the replenishment sweep from the command line (or the system cron)."""
from __future__ import annotations

import click


@click.command("replenishment-remind")
def remind_command() -> None:
    """Send replenishment reminders due today (store timezone), once per predicted cycle, and
    subscription suggestions after a second repeat purchase. Safe to run any number of times."""
    from app.notifications.outbox import kick
    from app.replenishment import reminders

    def progress(counts: dict[str, int]) -> None:
        click.echo(f"… {counts['seen']} shopper-product pairs looked at, {counts['reminded']} reminded so far")
        kick()

    counts = reminders.sweep(progress=progress)
    kick()
    click.echo(", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in counts.items()))
