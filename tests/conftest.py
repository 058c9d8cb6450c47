"""Test harness: one app per session on SQLite (default) or PostgreSQL (TEST_DATABASE_URL), the
schema built by the real migrations, and every table emptied after each test.

Emptying tables (rather than rolling back one outer transaction) lets tests commit for real, which
the concurrency tests need: several threads, several connections, real row locks.
"""
from __future__ import annotations

import atexit
import contextvars
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from app import create_app
from app.campaigns import flash
from app.config import normalise_database_url
from app.extensions import db, limiter

WEBHOOK_SECRET = "whsec_test_secret"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgres")
# scripts/mutate (mutmut) runs each mutant as a new pytest session in a process forked, one at a time,
# from one that already ran the tests. With TEST_REUSE_SESSION=1 those sessions take over the first
# session's app, SQLite file and localstripe instead of building them again (~4 s a mutant).
REUSE_SESSION = os.environ.get("TEST_REUSE_SESSION") == "1" and not ON_POSTGRES
_reused: dict[str, object] = {}


class IsolatedClient(FlaskClient):
    """Each request gets its own app context and DB session, as in production.

    Flask reuses an already pushed app context of the same app for test requests; tests push one
    (see app_ctx), so without this every request would share the test's session, and a failed
    request's half-done changes would leak into the next one.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()  # end the test's transaction: it must not pin an old snapshot
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.commit()  # and read the request's effects afresh afterwards
        return response


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    """A stateful fake Stripe (localstripe from PyPI, plus the Connect resources it lacks: see
    tests/localstripe_connect.py) for the whole session, on a loopback port. It pickles its state
    into the temp folder, so each run gets its own: two runs on one machine must not share it."""
    if "localstripe" in _reused:
        yield _reused["localstripe"]
        return
    port = _free_port()
    # Reused, it outlives this session's numbered temp folders, which later sessions prune.
    tmp = tempfile.mkdtemp(prefix="localstripe-") if REUSE_SESSION else str(tmp_path_factory.mktemp("localstripe"))
    env = {**os.environ, "TMPDIR": tmp}
    proc = subprocess.Popen([sys.executable, "-m", "tests.localstripe_connect", "--from-scratch", "--port", str(port)],
                            cwd=Path(__file__).resolve().parent.parent, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}/v1/customers", timeout=1)
            break
        except urllib.error.HTTPError:
            break  # it answers: up
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)
    if REUSE_SESSION:
        _reused["localstripe"] = url
        atexit.register(proc.terminate)  # the forked sessions end with os._exit and never run this
        yield url
        return
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app(tmp_path_factory, localstripe_url):
    if "app" in _reused:
        app = _reused["app"]
        with app.app_context():
            _empty_tables()  # a mutant stopped for taking too long may have left rows behind
    else:
        app = _make_app(tmp_path_factory, localstripe_url)
    yield app
    with app.app_context():
        db.engine.dispose()  # reused or not: a forked session must not inherit open connections


def _make_app(tmp_path_factory, localstripe_url):
    folder = Path(tempfile.mkdtemp(prefix="db-")) if REUSE_SESSION else tmp_path_factory.mktemp("db")
    url = normalise_database_url(TEST_DATABASE_URL) if TEST_DATABASE_URL else f"sqlite:///{folder / 'test.db'}"
    if ON_POSTGRES:
        _reset_postgres(url)
    app = create_app({
        "APP_ENV": "test",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "REDIS_URL": TEST_REDIS_URL,
        # Jobs run at once (through RQ when Redis is there); tests/jobs runs a real worker too.
        "JOBS_RUN_INLINE": True,
        "RATELIMIT_STORAGE_URI": TEST_REDIS_URL or "memory://",
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "REDIS_PREFIX": f"sf-test-{uuid.uuid4().hex[:8]}",
        "AUTH_RATE_LIMIT": "10000 per minute",
        "PUBLIC_BASE_URL": "http://shop.test",
        # Most API tests assert English messages, notification titles and CSV headers, so the test
        # store speaks English by default; tests of the Chinese default set zh-CN themselves
        # (the `zh_store` fixture; tests/e2e runs every browser test on a zh-CN store).
        "STORE_LOCALE": "en",
        "STRIPE_SECRET_KEY": "sk_test_localstripe",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_localstripe",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": localstripe_url,
        # Cheap hashes keep the suite fast; production cost is tested in test_passwords.
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_KIB": 1024,
        # Concurrency tests run dozens of threads, each with its own connection.
        **({"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 40, "max_overflow": 40}}
           if ON_POSTGRES else {}),
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        flask_migrate.upgrade()
    if REUSE_SESSION:
        _reused["app"] = app
    return app


@pytest.fixture(autouse=True)
def app_ctx(app):
    """Every test runs inside an app context and leaves every table empty behind it."""
    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()
        limiter.reset()
        flash.clear_caches()
        if TEST_REDIS_URL:
            _clear_redis_keys(app)


def _empty_tables() -> None:
    with db.engine.begin() as conn:
        if ON_POSTGRES:  # the ledgers refuse DELETE (append-only triggers); cleaning up is the exception
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


def _clear_redis_keys(app) -> None:
    from app.jobs.queue import redis_connection

    conn = redis_connection()
    keys = list(conn.scan_iter(f"{app.config['REDIS_PREFIX']}:*"))
    if keys:
        conn.delete(*keys)


@pytest.fixture
def zh_store(app):
    """The store's default language is Chinese (as in production) for this test."""
    app.config["STORE_LOCALE"] = "zh-CN"
    yield
    app.config["STORE_LOCALE"] = "en"


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(app):
    """The app on a loopback port, for a real browser and for localstripe's webhooks."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL")
    skip_redis = pytest.mark.skip(reason="needs Redis: set TEST_REDIS_URL")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not TEST_REDIS_URL:
            item.add_marker(skip_redis)
