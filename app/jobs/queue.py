"""Enqueue work after commit. With REDIS_URL the job goes to RQ; without it, it runs inline."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

DEFAULT_QUEUE = "default"


def redis_connection() -> Redis:
    return Redis.from_url(current_app.config["REDIS_URL"])


def get_queue(name: str = DEFAULT_QUEUE) -> Queue:
    # JSON, not pickle: job arguments must be ids and primitives, never ORM objects.
    return Queue(name, connection=redis_connection(), serializer=JSONSerializer)


def enqueue(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run func later on a worker, or now when there is no Redis. Callers enqueue only after commit."""
    if not current_app.config["REDIS_URL"]:
        return func(*args, **kwargs)
    return get_queue().enqueue(func, *args, **kwargs)
