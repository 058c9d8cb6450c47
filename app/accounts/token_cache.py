"""Tokens cached in Redis for the flash-sale gate, which authenticates without a database query.

Only a token's SHA-256 is cached, with its expiry; logging out removes it at once, so a revoked
token is refused by the gate as it is by the database.
"""
from __future__ import annotations

import datetime as dt

import redis
from flask import Flask, current_app


def key(app: Flask | None = None) -> str:
    return f"{(app or current_app).config.get('REDIS_PREFIX', 'sf')}:tokens"


def _conn() -> redis.Redis | None:
    if not current_app.config["REDIS_URL"]:
        return None
    from app.jobs.queue import redis_connection

    return redis_connection()


def remember(token_hash: str, account_id: int, expires_at: dt.datetime) -> None:
    conn = _conn()
    if conn is not None:
        conn.hset(key(), token_hash, f"{account_id}:{int(expires_at.timestamp() * 1000)}")


def forget(token_hash: str) -> None:
    conn = _conn()
    if conn is not None:
        try:
            conn.hdel(key(), token_hash)
        except redis.RedisError:
            current_app.logger.exception("Could not drop a revoked token from the Redis cache")
            raise
