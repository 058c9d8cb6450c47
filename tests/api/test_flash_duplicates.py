"""Concurrent duplicates of one flash-sale reservation (the same Idempotency-Key, sent at the same
instant) all get the original reservation back, on the Redis path and the database path — never
`409 idempotency_key_in_use` while the original is still being written (issue 20)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.orders.models import Order
from tests.api.test_flash_sales import free, sale
from tests.concurrency import race
from tests.conftest import TEST_REDIS_URL
from tests.factories import make_buyer

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("path", ["redis", "db"])
@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_duplicates_wait_for_and_return_the_original(app, path, attempt, monkeypatch):
    if path == "redis" and not TEST_REDIS_URL:
        pytest.skip("needs Redis: set TEST_REDIS_URL")
    if path == "db":
        monkeypatch.setitem(app.config, "REDIS_URL", "")
    item = sale(stock=5, limit=2)
    headers = {**make_buyer().headers, "Idempotency-Key": f"dup-{attempt}"}

    def reserve(client, _i):
        return client.post(f"/api/v1/store/flash-sales/{item}/reserve", json={"quantity": 1}, headers=headers)

    responses = race(app, 12, reserve)
    bodies = [(r.status_code, r.get_json()) for r in responses]
    assert all(status == 201 for status, _ in bodies), bodies
    assert len({body["order_id"] for _, body in bodies}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 11
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
    assert free(item) == 4
