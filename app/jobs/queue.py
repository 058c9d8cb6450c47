"""Enqueue work after commit. With REDIS_URL the job goes to RQ; without it, it runs inline."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from redis import Redis
from rq import Queue

from app.request_context import current_request_id

DEFAULT_QUEUE = "default"


def redis_connection(app: Flask | None = None) -> Redis:
    """The app's Redis client: one connection pool per app and URL, reused by every request (a
    new client per call would open a TCP connection each time). redis-py resets the pool in a
    forked worker by itself. `app` is for callers outside an app context (the flash-sale gate)."""
    app = app or current_app
    url = app.config["REDIS_URL"]
    cached = app.extensions.get("redis")
    if cached is None or cached[0] != url:
        cached = app.extensions["redis"] = (url, Redis.from_url(url))
    return cached[1]


def get_queue(name: str = DEFAULT_QUEUE) -> Queue:
    # RQ's default serializer, because RQ's CronScheduler can only enqueue with it; the
    # "ids and primitives only" rule is enforced in enqueue() instead. JOBS_RUN_INLINE (tests) runs
    # each job at once, still through RQ and Redis.
    return Queue(name, connection=redis_connection(), is_async=not current_app.config.get("JOBS_RUN_INLINE"))


def _check_primitives(args: tuple, kwargs: dict) -> None:
    try:
        json.dumps([args, kwargs])
    except TypeError as exc:
        raise TypeError(f"job arguments must be ids and primitives, not objects: {exc}") from None


def enqueue(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run func later on a worker, or now when there is no Redis. Callers enqueue only after commit."""
    _check_primitives(args, kwargs)
    if not current_app.config["REDIS_URL"]:
        return func(*args, **kwargs)
    # The request id travels in the job's meta; the worker logs the job's lines under it.
    return get_queue().enqueue(func, args=args, kwargs=kwargs, meta={"request_id": current_request_id()})
