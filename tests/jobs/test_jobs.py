from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine

from app.accounts.models import AuthToken
from app.accounts.services import purge_expired_tokens
from app.extensions import db
from app.jobs import queue
from tests.factories import make_shopper


def token_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuthToken))


def _age_all_tokens(days: int) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    db.session.execute(sa.update(AuthToken).values(expires_at=past))
    db.session.commit()


def test_purge_removes_only_long_expired_tokens_and_is_safe_to_rerun():
    old, fresh = make_shopper(), make_shopper()
    db.session.execute(sa.update(AuthToken).where(AuthToken.account_id == old.id)
                       .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=40)))
    db.session.commit()
    assert purge_expired_tokens(30) == 1
    assert purge_expired_tokens(30) == 0
    assert db.session.scalars(sa.select(AuthToken.account_id)).all() == [fresh.id]


def test_purge_tokens_cli_reports_progress(app):
    make_shopper()
    _age_all_tokens(45)
    result = app.test_cli_runner().invoke(args=["purge-tokens", "--older-than-days", "30"])
    assert result.exit_code == 0 and "Deleted 1 old tokens" in result.output


def test_without_redis_enqueue_runs_the_job_inline(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    make_shopper()
    _age_all_tokens(45)
    assert queue.enqueue(purge_expired_tokens, 30) == 1
    assert token_count() == 0


def test_worker_command_explains_that_it_needs_redis(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output


@pytest.mark.redis
def test_with_redis_a_real_worker_runs_the_enqueued_job(app, monkeypatch):
    from app.jobs.worker import make_worker

    monkeypatch.setitem(app.config, "JOBS_RUN_INLINE", False)
    make_shopper()
    _age_all_tokens(45)
    get_queue = queue.get_queue()
    get_queue.empty()
    job = queue.enqueue(purge_expired_tokens, 30)
    assert token_count() == 1  # not run yet: it waits in Redis for a worker
    make_worker(app).work(burst=True, with_scheduler=False)
    job.refresh()
    assert job.get_status() == "finished" and job.return_value() == 1
    db.session.expire_all()
    assert token_count() == 0


@pytest.mark.redis
def test_job_arguments_must_be_primitives(app):
    with pytest.raises(TypeError):
        queue.enqueue(purge_expired_tokens, dt.date.today())


def test_time_machine_token_expiry_sanity():
    user = make_shopper()
    with time_machine.travel(dt.datetime(2040, 1, 1, tzinfo=dt.UTC), tick=False):
        assert purge_expired_tokens(30) == 1
    assert token_count() == 0 and user.id


def test_the_redis_client_and_its_pool_are_reused_until_the_url_changes(app, monkeypatch):
    """A client per call would open a TCP connection per request: it cost the flash-sale gate
    more than half its time before it was shared."""
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6399/0")  # never connected to
    first = queue.redis_connection()
    assert queue.redis_connection() is first
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6399/1")
    assert queue.redis_connection() is not first
