"""Declarative base, time helpers and column types shared by every domain package."""
from __future__ import annotations

import datetime as dt
import sqlite3
import time

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

# Stable constraint names: Alembic needs them to alter or drop constraints (SQLite batch mode
# recreates tables and must find each constraint by name), and they make error messages readable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Set only by app.clock.frozen_at (the demo builds its year of history through the real services
# with the clock moved); None everywhere else, so utcnow() is the wall clock.
_frozen_now: dt.datetime | None = None


def utcnow() -> dt.datetime:
    return _frozen_now if _frozen_now is not None else dt.datetime.now(dt.UTC)


def frozen_now() -> dt.datetime | None:
    return _frozen_now


def set_frozen_now(moment: dt.datetime | None) -> None:
    """Use app.clock.frozen_at / set_now, which check their use; this only holds the value."""
    global _frozen_now
    _frozen_now = None if moment is None else moment.astimezone(dt.UTC)


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend.

    SQLite has no timezone type and hands back naive values; PostgreSQL returns aware ones.
    Normalising here means domain code can always compare against utcnow().
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use app.db.utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    # One registry carrying both, so Flask-SQLAlchemy's generated subclass inherits them.
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


class CreatedAt:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Timestamps(CreatedAt):
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def str_enum(enum_cls: type, name: str) -> sa.Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint, storing the enum's values."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def render_migration_item(type_: str, obj, autogen_context):
    """Write UTCDateTime into migrations as the plain type it stores, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite leaves foreign keys unenforced unless asked, per connection; WAL lets readers run
    alongside the one writer (the demo server runs two gunicorn workers).

    pysqlite's own transaction handling is switched off (isolation_level=None): it emits no BEGIN
    before a SAVEPOINT, so SQLite would take the savepoint as the outer transaction and its RELEASE
    would commit half a unit of work. We emit BEGIN ourselves (below), SQLAlchemy's documented recipe."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@sa.event.listens_for(sa.engine.Engine, "begin")
def _sqlite_begin(connection) -> None:
    # Deferred, not IMMEDIATE: IMMEDIATE would let any open read transaction block every writer.
    # SQLite stays a single-writer database for development and demos; PostgreSQL is for production.
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")


def ping_when_idle(engine: sa.engine.Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use only if it sat idle for `idle_seconds` or more.

    pool_pre_ping pings on every checkout — a round trip on every request, a fifth of a flash-sale
    refusal's cost. Connections in steady use do not go stale unnoticed; idle ones are what a
    database restart, a failover or a firewall's idle timeout leave dead. A connection that dies
    while in use is still caught: SQLAlchemy recognises the disconnect error, fails that request
    (503) and invalidates the whole pool, so the next checkouts reconnect. Raising
    DisconnectionError from a checkout listener makes the pool replace the connection and retry
    (SQLAlchemy's documented custom-ping hook)."""

    @sa.event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise sa.exc.DisconnectionError(f"stale pooled connection: {error}") from error
        if alive is False:
            raise sa.exc.DisconnectionError("stale pooled connection")
