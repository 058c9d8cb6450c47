"""Test harness: one app per session on SQLite (default) or PostgreSQL (TEST_DATABASE_URL), the
schema built by the real migrations, and every table emptied after each test.

Emptying tables (rather than rolling back one outer transaction) lets tests commit for real, which
the concurrency tests need: several threads, several connections, real row locks.
"""
from __future__ import annotations

import contextvars
import os
import uuid

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

from app import create_app
from app.config import normalise_database_url
from app.extensions import db, limiter

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgres")


class IsolatedClient(FlaskClient):
    """Each request gets its own app context and DB session, as in production.

    Flask reuses an already pushed app context of the same app for test requests; tests push one
    (see app_ctx), so without this every request would share the test's session, and a failed
    request's half-done changes would leak into the next one.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()  # the test's own session must not serve stale rows afterwards
        return response


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = normalise_database_url(TEST_DATABASE_URL) if TEST_DATABASE_URL else (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}")
    if ON_POSTGRES:
        _reset_postgres(url)
    app = create_app({
        "APP_ENV": "test",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "REDIS_URL": TEST_REDIS_URL,
        "RATELIMIT_STORAGE_URI": TEST_REDIS_URL or "memory://",
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "AUTH_RATE_LIMIT": "10000 per minute",
        "PUBLIC_BASE_URL": "http://shop.test",
        # Cheap hashes keep the suite fast; production cost is tested in test_passwords.
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_KIB": 1024,
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def app_ctx(app):
    """Every test runs inside an app context and leaves every table empty behind it."""
    with app.app_context():
        yield
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        limiter.reset()


@pytest.fixture
def client(app):
    return app.test_client()


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL")
    skip_redis = pytest.mark.skip(reason="needs Redis: set TEST_REDIS_URL")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not TEST_REDIS_URL:
            item.add_marker(skip_redis)
