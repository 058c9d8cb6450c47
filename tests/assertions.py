"""Assertions shared by the API tests."""
from __future__ import annotations

from contextlib import contextmanager

from tests.factories import table_snapshot


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is the one error envelope, with the given status (and code)."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body is not None and set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


@contextmanager
def database_unchanged():
    before = table_snapshot()
    yield
    after = table_snapshot()
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    assert after == before, f"a rejected request changed the database: {changed}"
