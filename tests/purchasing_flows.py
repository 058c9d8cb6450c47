"""Suppliers, offers and purchase orders through the admin API, for the purchasing tests."""
from __future__ import annotations

import datetime as dt
import uuid

from app.clock import store_tz

ADMIN = "/api/v1/admin"


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A store-local wall time as a UTC instant (for time_machine)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=store_tz()).astimezone(dt.UTC)


def supplier(client, staff, name: str | None = None, **extra) -> dict:
    r = client.post(f"{ADMIN}/suppliers", headers=staff.headers,
                    json={"name": name or f"Supplier {uuid.uuid4().hex[:6]}", **extra})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def offer(client, staff, supplier_id: int, sku_id: int, cost_cents: int, **extra) -> dict:
    r = client.put(f"{ADMIN}/suppliers/{supplier_id}/skus/{sku_id}", headers=staff.headers,
                   json={"cost_cents": cost_cents, **extra})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def confirm(client, staff, supplier_id: int, day: dt.date, lines: list[tuple[int, int]], key: str | None = None):
    return client.post(f"{ADMIN}/purchase-orders", headers=staff.headers, json={
        "supplier_id": supplier_id, "delivery_date": day.isoformat(), "confirm_key": key or uuid.uuid4().hex,
        "lines": [{"sku_id": sku, "quantity": qty} for sku, qty in lines]})


def po(client, staff, supplier_id: int, day: dt.date, lines: list[tuple[int, int]], *, send: bool = True) -> dict:
    r = confirm(client, staff, supplier_id, day, lines)
    assert r.status_code == 201, r.get_json()
    if send:
        r = client.post(f"{ADMIN}/purchase-orders/{r.get_json()['id']}/send", headers=staff.headers)
        assert r.status_code == 200, r.get_json()
    return r.get_json()


def receive(client, staff, po_id: int, lines: list[dict]):
    return client.post(f"{ADMIN}/purchase-orders/{po_id}/receipts", headers=staff.headers, json={"lines": lines})
