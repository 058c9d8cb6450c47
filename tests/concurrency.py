"""Releasing many requests at the same instant from real threads (each its own DB connection)."""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def race(app, n: int, request: Callable[[Any, int], Any], workers: int | None = None) -> list[Any]:
    """Run request(client, i) for i in range(n) on `workers` threads (default n) started together.
    Read ORM attributes before calling: the threads have no app context of their own."""
    workers = workers or n
    barrier = threading.Barrier(workers)
    local = threading.local()

    def run(i):
        if not hasattr(local, "client"):
            local.client = app.test_client()
            barrier.wait()
        return request(local.client, i)

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, range(n)))
