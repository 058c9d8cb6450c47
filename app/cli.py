"""Flask CLI commands: `flask create-staff`, `flask seed-demo`, `flask worker`, `flask purge-tokens`."""
from __future__ import annotations

import os

import click
from flask import Flask, current_app

from app.errors import DomainError


def register_cli(app: Flask) -> None:
    app.cli.add_command(create_staff_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(purge_tokens_command)
    app.cli.add_command(expire_reservations_command)
    app.cli.add_command(reconcile_payments_command)
    app.cli.add_command(cron_command)
    app.cli.add_command(pickup_sweep_command)
    app.cli.add_command(dispatch_notifications_command)
    app.cli.add_command(campaigns_sweep_command)
    app.cli.add_command(lotteries_draw_command)
    app.cli.add_command(birthdays_sweep_command)
    from app.commissions.cli import audit_command, cash_audit_command, payouts_send_command, settle_command

    app.cli.add_command(cash_audit_command)
    app.cli.add_command(settle_command)
    app.cli.add_command(payouts_send_command)
    app.cli.add_command(audit_command)
    from app.inventory.cli import audit_command as stock_audit_command

    app.cli.add_command(stock_audit_command)
    from app.subscriptions.cli import renew_command

    app.cli.add_command(renew_command)
    from app.replenishment.cli import remind_command

    app.cli.add_command(remind_command)
    from app.preflight import preflight_command

    app.cli.add_command(preflight_command)


@click.command("create-staff")
@click.option("--email", required=True, help="Login e-mail of the staff member")
@click.option("--name", required=True, help="Display name")
@click.password_option(help="Password (prompted twice if omitted)")
def create_staff_command(email: str, name: str, password: str) -> None:
    """Create a merchant staff account."""
    from app.accounts.password_policy import WeakPassword, check_password
    from app.accounts.services import create_staff

    try:
        check_password(password, personal=(email, name))
    except WeakPassword as exc:
        raise click.BadParameter(str(exc.message), param_hint="--password") from None
    try:
        account = create_staff(name=name, email=email, password=password)
    except DomainError as exc:
        raise click.ClickException(
            f"{exc.message}. Use another e-mail, or log in with the existing account."
        ) from None
    click.echo(f"Staff account {account.id} created for {account.email}.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) if the store already has data")
@click.option("--days", type=click.IntRange(7, 730), default=365, show_default=True,
              help="How much history to build, ending now")
@click.option("--orders", type=click.IntRange(0, 20000), default=320, show_default=True,
              help="About how many orders the history holds (time grows with it: ~30 ms each on SQLite)")
def seed_demo_command(if_empty: bool, days: int, orders: int) -> None:
    """Fill an empty store with a demo: groups, leaders, pickup points, a Chinese catalogue with
    pictures, shoppers, and a year of orders, pickups, refunds, commission and payouts."""
    from app.demo import DemoExists, existing_links, seed

    try:
        result = seed(progress=click.echo, days=days, orders=orders)
    except DemoExists as exc:
        if if_empty:
            base = current_app.config["PUBLIC_BASE_URL"]
            click.echo("Store already has data; demo seeding skipped. Group links:")
            for name, rule, code in existing_links():
                click.echo(f"  {name} ({rule}): {base}/g/{code}")
            return
        raise click.ClickException(f"{exc} Use a fresh database (or --if-empty to skip).") from None
    click.echo("")
    click.echo(result.summary(current_app.config["PUBLIC_BASE_URL"]))


@click.command("worker")
@click.option("--queue", "queues", multiple=True, default=["default"], show_default=True)
@click.option("--burst", is_flag=True, help="Exit when the queues are empty")
@click.option("--with-scheduler/--without-scheduler", default=True, show_default=True,
              help="Also run RQ's scheduler (needed for jobs enqueued for later)")
@click.option("--metrics-port", type=click.IntRange(1, 65535), envvar="WORKER_METRICS_PORT",
              help="Serve this worker's Prometheus metrics (jobs, webhook failures) on this port, "
                   "on WORKER_METRICS_HOST (default 127.0.0.1); keep it on an internal network")
def worker_command(queues: tuple[str, ...], burst: bool, with_scheduler: bool, metrics_port: int | None) -> None:
    """Run an RQ worker for background jobs (needs REDIS_URL)."""
    from app.jobs.worker import make_worker

    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: without Redis, jobs already run inline.")
    if metrics_port:
        from prometheus_client import start_http_server

        host = os.environ.get("WORKER_METRICS_HOST", "127.0.0.1")
        start_http_server(metrics_port, addr=host)
        click.echo(f"Worker metrics on http://{host}:{metrics_port}/metrics")
    make_worker(current_app._get_current_object(), list(queues)).work(burst=burst, with_scheduler=with_scheduler)


@click.command("purge-tokens")
@click.option("--older-than-days", default=30, show_default=True, type=click.IntRange(1, 3650))
def purge_tokens_command(older_than_days: int) -> None:
    """Delete login tokens that expired or were revoked long ago."""
    from app.accounts.services import purge_expired_tokens

    click.echo(f"Deleted {purge_expired_tokens(older_than_days)} old tokens.")


@click.command("expire-reservations")
def expire_reservations_command() -> None:
    """Expire unpaid orders past their reservation time and put their stock back on sale."""
    from app.notifications.outbox import kick
    from app.orders.services import expire_overdue

    total = 0
    while True:
        expired, seen = expire_overdue()
        total += expired
        if seen:
            click.echo(f"… {total} orders expired so far")
        if seen < 500:
            break
    kick()
    click.echo(f"Expired {total} unpaid orders.")


@click.command("reconcile-payments")
@click.option("--older-than-minutes", type=click.IntRange(0, 7 * 24 * 60), default=None,
              help="Check payments started at least this long ago (default: PAYMENT_RECONCILE_AFTER_MINUTES)")
def reconcile_payments_command(older_than_minutes: int | None) -> None:
    """Ask the payment provider about payments still pending, and retry unconfirmed refunds."""
    from app.payments.tasks import reconcile

    counts = reconcile(older_than_minutes)
    click.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()))
    if counts["payments_not_found"]:
        # Exit 0: the provider answered; running again will not help (docs/security.md).
        click.echo(f"Warning: {counts['payments_not_found']} payments are unknown to the provider (404): "
                   "check that STRIPE_SECRET_KEY is the account and mode they were made with; "
                   "their ids are in the log.", err=True)
    if counts["errors"]:
        raise click.ClickException(f"{counts['errors']} payments could not be checked (provider unreachable?); "
                                   "run again later.")


@click.command("cron")
def cron_command() -> None:
    """Enqueue the periodic sweeps on schedule (needs REDIS_URL; run `flask worker` to execute them)."""
    from app.jobs.schedule import PERIODIC, build_cron

    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: run the sweeps from the system cron with the "
                                   "CLI commands instead (flask expire-reservations, flask reconcile-payments).")
    for job, seconds in PERIODIC:
        click.echo(f"every {seconds:>6}s  {job.__name__}")
    build_cron().start()


@click.command("pickup-sweep")
def pickup_sweep_command() -> None:
    """Remind shoppers of orders waiting at the pickup point, and apply the uncollected policy."""
    from app.notifications.outbox import kick
    from app.pickup.uncollected import sweep

    counts = sweep()
    kick()
    click.echo(f"Reminded {counts['reminded']} shoppers; {counts['uncollected']} orders marked uncollected.")


@click.command("dispatch-notifications")
def dispatch_notifications_command() -> None:
    """Dispatch pending notifications (inbox, webhook) and retry webhook deliveries that are due."""
    from app.notifications.dispatch import dispatch_pending
    from app.notifications.outbox import pending_count

    click.echo(f"{pending_count()} notifications waiting")
    click.echo(f"Dispatched {dispatch_pending()}.")


@click.command("campaigns-sweep")
def campaigns_sweep_command() -> None:
    """Settle group buys past their deadline, handle pre-sale balances, make queued refunds, and
    repair the flash-sale gate's Redis counters from the database."""
    from app.jobs.schedule import campaigns_sweep_job
    from app.notifications.outbox import kick

    result = campaigns_sweep_job()
    kick()
    for part, counts in result.items():
        click.echo(f"{part}: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))


@click.command("lotteries-draw")
@click.option("--lottery-id", type=click.IntRange(1, 2**31 - 1), default=None,
              help="Draw this lottery (default: every lottery whose entries have closed)")
@click.option("--retry-failed", is_flag=True, help="Also retry prize coupons that failed to issue")
def lotteries_draw_command(lottery_id: int | None, retry_failed: bool) -> None:
    """Draw lotteries whose entries have closed (idempotent) and issue the prize coupons still owed."""
    from app.lotteries import drawing
    from app.notifications.outbox import kick

    if lottery_id is None:
        counts = drawing.sweep(progress=click.echo)
        if retry_failed:
            for pending in drawing.with_failed_prizes():
                retried = drawing.issue_prizes(pending, retry_failed=True)
                counts["issued"] += retried["issued"]
                counts["failed"] += retried["failed"]
        click.echo(f"Drew {counts['drawn']} lotteries; {counts['issued']} prizes issued, {counts['failed']} failed.")
        return
    try:
        lottery = drawing.draw_lottery(lottery_id)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    issued = drawing.issue_prizes(lottery_id, retry_failed=retry_failed)
    kick()
    click.echo(f"Lottery {lottery.id} drawn ({lottery.entry_count} entries); seed {lottery.seed.hex()}; "
               f"{issued['issued']} prizes issued, {issued['failed']} failed.")


@click.command("birthdays-sweep")
def birthdays_sweep_command() -> None:
    """Give shoppers whose birthday it is today (store timezone) the store's birthday coupon, once a year."""
    from app.members.birthday import offer_configured, sweep
    from app.notifications.outbox import kick

    if not offer_configured():
        click.echo("No birthday coupon is configured (admin settings: birthday_coupon_template_id); nothing to do.")
        return

    def progress(counts: dict[str, int]) -> None:
        click.echo(f"… {sum(counts.values())} birthdays handled so far")
        kick()

    counts = sweep(progress=progress)
    kick()
    click.echo(f"Birthday coupons issued: {counts['issued']}, already issued this year: {counts['already_issued']}, "
               f"failed: {counts['failed']}.")
    if counts["failed"]:
        raise click.ClickException(f"{counts['failed']} coupons could not be issued (is the template active and "
                                   "not exhausted?); see the log.")
