"""Suppliers, their SKUs and costs (an append-only history), safety stock; margin analytics."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.purchasing.models import CostPrice
from tests.assertions import assert_error, database_unchanged
from tests.factories import make_buyer, make_group, make_product, make_staff
from tests.flows import paid_order
from tests.purchasing_flows import ADMIN, offer, supplier


def test_supplier_crud_and_cost_history_appends_only_on_change(client):
    staff = make_staff()
    sku = make_product().skus[0].id
    s = supplier(client, staff, name="鲜丰蔬菜", contact_name="李", phone="+86 139 0000 0000",
                 email="Li@Example.com", min_order_cents=50_000)
    assert s["email"] == "li@example.com" and s["min_order_cents"] == 50_000 and s["active"] is True
    offer(client, staff, s["id"], sku, 1200, lead_days=1, min_units=6)
    offer(client, staff, s["id"], sku, 1200, lead_days=2, min_units=6)   # same cost: no history row
    offer(client, staff, s["id"], sku, 1100, lead_days=2, min_units=6)
    history = client.get(f"{ADMIN}/skus/{sku}/cost-history", headers=staff.headers).get_json()
    assert [h["cost_cents"] for h in history] == [1100, 1200]
    assert all(h["supplier_id"] == s["id"] and h["actor_id"] == staff.id for h in history)
    got = client.get(f"{ADMIN}/suppliers/{s['id']}", headers=staff.headers).get_json()
    assert got["offers"] == [{"supplier_id": s["id"], "sku_id": sku, "cost_cents": 1100, "lead_days": 2,
                              "min_units": 6, "preferred": False}]
    r = client.patch(f"{ADMIN}/suppliers/{s['id']}", headers=staff.headers, json={"phone": "+86 139 1111 1111"})
    assert r.get_json()["phone"] == "+86 139 1111 1111" and r.get_json()["name"] == "鲜丰蔬菜"
    assert client.delete(f"{ADMIN}/suppliers/{s['id']}/skus/{sku}", headers=staff.headers).status_code == 204
    assert client.get(f"{ADMIN}/suppliers/{s['id']}", headers=staff.headers).get_json()["offers"] == []
    assert len(client.get(f"{ADMIN}/skus/{sku}/cost-history", headers=staff.headers).get_json()) == 2


def test_cost_history_rows_cannot_be_changed(client):
    staff = make_staff()
    sku = make_product().skus[0].id
    offer(client, staff, supplier(client, staff)["id"], sku, 500)
    with pytest.raises(Exception, match="append-only|ledger"):
        db.session.execute(sa.update(CostPrice).values(cost_cents=1))
        db.session.commit()
    db.session.rollback()


def test_supplier_bad_input_is_refused_and_changes_nothing(client):
    staff = make_staff()
    s = supplier(client, staff, name="Dup")
    sku = make_product().skus[0].id
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/suppliers", headers=staff.headers, json={"name": "Dup"}), 409,
                     "supplier_name_taken")
        assert_error(client.post(f"{ADMIN}/suppliers", headers=staff.headers, json={"name": ""}), 422)
        assert_error(client.post(f"{ADMIN}/suppliers", headers=staff.headers,
                                 json={"name": "X", "min_order_cents": -1}), 422)
        assert_error(client.put(f"{ADMIN}/suppliers/{s['id']}/skus/{sku}", headers=staff.headers,
                                json={"cost_cents": -5}), 422)
        assert_error(client.put(f"{ADMIN}/suppliers/{s['id']}/skus/999999", headers=staff.headers,
                                json={"cost_cents": 5}), 404, "sku_not_found")
        assert_error(client.put(f"{ADMIN}/suppliers/999999/skus/{sku}", headers=staff.headers,
                                json={"cost_cents": 5}), 404, "supplier_not_found")
        assert_error(client.put(f"{ADMIN}/safety-stock/{sku}", headers=staff.headers, json={"units": -1}), 422)
        assert_error(client.delete(f"{ADMIN}/suppliers/{s['id']}/skus/{sku}", headers=staff.headers), 404)
    operations_less = make_staff(role="finance")
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/suppliers", headers=operations_less.headers, json={"name": "Y"}), 403)
        assert client.get(f"{ADMIN}/suppliers", headers=operations_less.headers).status_code == 200


def test_safety_stock_is_set_and_listed(client):
    staff = make_staff()
    sku = make_product().skus[0].id
    assert client.put(f"{ADMIN}/safety-stock/{sku}", headers=staff.headers, json={"units": 12}).get_json() == {
        "sku_id": sku, "units": 12}
    assert client.get(f"{ADMIN}/safety-stock", headers=staff.headers).get_json() == [{"sku_id": sku, "units": 12}]


def test_margin_per_sku_campaign_and_leader_uses_the_cost_in_effect_when_ordered(client):
    staff = make_staff()
    group = make_group()
    rice = make_product(skus=[{"code": "M-RICE", "name": "5kg", "price_cents": 5000, "stock_total": 50}]).skus[0].id
    salt = make_product(skus=[{"code": "M-SALT", "name": "1kg", "price_cents": 300, "stock_total": 50}]).skus[0].id
    s = supplier(client, staff)
    offer(client, staff, s["id"], rice, 3000)
    buyer = make_buyer(group)
    paid_order(client, buyer, [(rice, 2), (salt, 1)])        # rice at cost 3000; salt has no cost
    offer(client, staff, s["id"], rice, 3500)
    paid_order(client, buyer, [(rice, 1)])                    # rice at cost 3500
    rows = {r["key"]: r for r in client.get(f"{ADMIN}/analytics/margin?by=sku", headers=staff.headers).get_json()}
    assert rows[rice] == {"key": rice, "name": "M-RICE", "units": 3, "revenue_cents": 15_000,
                          "cost_cents": 9_500, "margin_cents": 5_500, "margin_pct": 36.67, "uncosted_units": 0}
    assert rows[salt]["uncosted_units"] == 1 and rows[salt]["margin_pct"] is None and rows[salt]["cost_cents"] == 0
    [leader_row] = client.get(f"{ADMIN}/analytics/margin?by=leader", headers=staff.headers).get_json()
    assert leader_row["revenue_cents"] == 15_300 and leader_row["margin_cents"] == 5_500
    assert leader_row["uncosted_units"] == 1
    [campaign_row] = client.get(f"{ADMIN}/analytics/margin?by=campaign", headers=staff.headers).get_json()
    assert campaign_row["key"] is None and campaign_row["cost_cents"] == 9_500   # sales outside any campaign
    r = client.get(f"{ADMIN}/analytics/margin.csv?by=sku", headers=staff.headers)
    table = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == ["key", "name", "units", "revenue_cents", "cost_cents", "margin_cents", "margin_pct",
                        "uncosted_units"]
    assert table[1][:6] == [str(rice), "M-RICE", "3", "15000", "9500", "5500"]
    assert_error(client.get(f"{ADMIN}/analytics/margin?by=shop", headers=staff.headers), 422)
    assert_error(client.get(f"{ADMIN}/analytics/margin?month=2026-13", headers=staff.headers), 422)
