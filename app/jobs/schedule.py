"""Periodic sweeps, enqueued by RQ's CronScheduler (`flask cron`) and run by `flask worker`.
Each sweep is also a CLI command, and each is safe to run twice or concurrently."""
from __future__ import annotations

from flask import current_app
from rq.cron import CronScheduler

from app.jobs.queue import DEFAULT_QUEUE, redis_connection


def expire_reservations_job() -> dict[str, int]:
    from app.orders.services import expire_overdue

    expired, seen = expire_overdue()
    return {"expired": expired, "seen": seen}


def reconcile_payments_job() -> dict[str, int]:
    from app.payments.tasks import reconcile

    return reconcile()


def retry_refunds_job() -> dict[str, int]:
    from app.payments.tasks import retry_refunds

    return retry_refunds()


def pickup_sweep_job() -> dict[str, int]:
    from app.pickup.cutoff import close_due
    from app.pickup.uncollected import sweep

    return {**sweep(), "batches_closed": close_due()}


def dispatch_notifications_job() -> int:
    from app.notifications.dispatch import dispatch_pending

    return dispatch_pending()


def campaigns_sweep_job() -> dict[str, dict]:
    """Group-buy deadlines, pre-sale balances, queued refunds, the flash-sale gate's counters, and
    member-day coupons."""
    from app.campaigns import flash, groupbuy, presale, refund_outbox
    from app.loyalty import member_day

    return {"group_buys": groupbuy.settle(), "pre_sales": presale.sweep(),
            "refunds": {"queued": refund_outbox.process_pending()}, "flash_gate": flash.reconcile(),
            "member_day_coupons": member_day.sweep()}


def lotteries_sweep_job() -> dict[str, int]:
    """Draw lotteries whose entries have closed; issue prize coupons still owed."""
    from app.lotteries.drawing import sweep

    return sweep()


def birthdays_sweep_job() -> dict[str, int]:
    """Birthday coupons for shoppers whose birthday it is in the store's timezone, once a year each."""
    from app.members.birthday import sweep

    return sweep()


def commissions_settle_job() -> dict[str, int]:
    """Commission past pickup plus the after-sale window becomes withdrawable."""
    from app.commissions.services import settle_due

    return settle_due()


def payouts_sweep_job() -> dict[str, int]:
    """Stripe Connect payouts approved but never sent, or whose sender died mid-call."""
    from app.commissions.stripe_payouts import sweep

    return sweep()


def subscriptions_renew_job() -> dict[str, int]:
    """Renew due subscription cycles, retry declined charges, resume pauses that ended."""
    from app.subscriptions.sweep import run

    return run()


def replenishment_remind_job() -> dict[str, int]:
    """Replenishment reminders due today (store timezone), once per predicted cycle, and subscription suggestions."""
    from app.replenishment.reminders import sweep

    return sweep()


def purge_tokens_job() -> int:
    from app.accounts.services import purge_expired_tokens

    return purge_expired_tokens()


def purge_idempotency_keys_job() -> int:
    from app.idempotency.service import purge_expired

    return purge_expired(current_app.config["IDEMPOTENCY_KEY_TTL_HOURS"])


# (job, every N seconds)
PERIODIC = [
    (expire_reservations_job, 60),
    (dispatch_notifications_job, 60),
    (campaigns_sweep_job, 60),
    (lotteries_sweep_job, 60),
    (pickup_sweep_job, 600),
    (commissions_settle_job, 600),
    (payouts_sweep_job, 300),
    (subscriptions_renew_job, 600),
    # Hourly, so a birthday starts within the hour after local midnight (each shopper gets one coupon a year).
    (birthdays_sweep_job, 3600),
    # Hourly, so a reminder arrives within the hour after local midnight of its day (once per predicted cycle).
    (replenishment_remind_job, 3600),
    (reconcile_payments_job, 300),
    # Every minute: a refund whose process died mid-call is sent again as soon as its claim lapses.
    (retry_refunds_job, 60),
    (purge_idempotency_keys_job, 3600),
    (purge_tokens_job, 24 * 3600),
]


def build_cron() -> CronScheduler:
    cron = CronScheduler(connection=redis_connection(), name="storefront-cron")
    for job, seconds in PERIODIC:
        cron.register(job, queue_name=DEFAULT_QUEUE, interval=seconds)
    return cron
