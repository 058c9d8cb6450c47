"""Pooled connections are pinged only after sitting idle (app/db.py ping_when_idle): a stale one
is replaced before use; a busy one is not pinged at all."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.db import ping_when_idle
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.postgres


def _engine(idle_seconds: float) -> sa.engine.Engine:
    url = TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_seconds)
    return engine


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def _kill(engine, pid: int) -> None:
    with sa.create_engine(engine.url, poolclass=sa.pool.NullPool).connect() as other:
        assert other.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar_one() is True


def test_an_idle_connection_killed_by_the_server_is_replaced_before_use():
    engine = _engine(idle_seconds=0)
    first = _backend_pid(engine)
    _kill(engine, first)
    second = _backend_pid(engine)  # no error: the ping found it dead and the pool reconnected
    assert second != first
    engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged():
    engine = _engine(idle_seconds=3600)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    pid = _backend_pid(engine)
    _backend_pid(engine)
    assert statements == ["SELECT pg_backend_pid()"] * 2  # psycopg's ping would be a third statement
    # Dead while "busy": that use fails, SQLAlchemy invalidates the pool, and the next one reconnects.
    _kill(engine, pid)
    with pytest.raises(sa.exc.OperationalError) as failed:
        _backend_pid(engine)
    assert failed.value.connection_invalidated
    assert _backend_pid(engine) != pid
    engine.dispose()


def test_a_lost_database_connection_answers_503_then_reconnects(app):
    from app import create_app

    lone = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": "",
                       "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0},
                       "DATABASE_PING_AFTER_IDLE_SECONDS": 3600})
    client = lone.test_client()
    missing = "/api/v1/store/groups/ZZZZ9999/products"  # a 404 that needs the database
    assert client.get(missing).status_code == 404
    with lone.app_context():
        from app.extensions import db

        engine = db.engine
        with engine.connect() as connection:  # the pool's one connection: the one requests use
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    _kill(engine, pid)
    response = client.get(missing)  # in steady use, so not pinged: this request meets the dead connection
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == "5"
    assert client.get(missing).status_code == 404  # the pool was invalidated and reconnects
    with lone.app_context():
        db.engine.dispose()
