"""The merchant's stock API: movements with filters, write-offs, transfers, locations, stock-takes."""
from __future__ import annotations

import sqlalchemy as sa

from app.catalog.models import Sku
from app.extensions import db
from app.staff.models import AuditEntry
from tests.assertions import assert_error
from tests.factories import make_product, make_staff, sku_counts, table_snapshot

ADMIN = "/api/v1/admin/stock"


def _skus(*totals):
    return [make_product(skus=[{"code": f"ST-{i}-{t}", "name": "x", "price_cents": 100, "stock_total": t}]).skus[0].id
            for i, t in enumerate(totals)]


def test_write_off_lowers_stock_and_shows_in_the_movements(client):
    staff = make_staff(role="warehouse")
    (sku,) = _skus(10)
    r = client.post(f"{ADMIN}/write-offs", headers=staff.headers,
                    json={"sku_id": sku, "quantity": 3, "cause": "spoiled", "note": "发霉"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["reason"], body["cause"], body["total_change"]) == ("written_off", "spoiled", -3)
    assert sku_counts(sku) == (7, 0, 0)
    listed = client.get(f"{ADMIN}/movements?sku_id={sku}&reason=written_off", headers=staff.headers).get_json()
    assert [(m["quantity"], m["actor_id"], m["note"]) for m in listed] == [(3, staff.id, "发霉")]
    everything = client.get(f"{ADMIN}/movements?sku_id={sku}", headers=staff.headers).get_json()
    assert [m["reason"] for m in everything] == ["written_off", "adjusted"]   # newest first
    assert db.session.scalars(sa.select(AuditEntry.action)).all()   # the staff write is in the audit log


def test_bad_write_offs_are_clear_errors_and_change_nothing(client):
    staff = make_staff()
    (sku,) = _skus(2)
    before = table_snapshot()
    assert_error(client.post(f"{ADMIN}/write-offs", headers=staff.headers,
                             json={"sku_id": sku, "quantity": 3, "cause": "spoiled"}), 409,
                 "write_off_exceeds_free_stock")
    assert_error(client.post(f"{ADMIN}/write-offs", headers=staff.headers,
                             json={"sku_id": sku, "quantity": 1, "cause": "other"}), 422, "write_off_note_required")
    assert_error(client.post(f"{ADMIN}/write-offs", headers=staff.headers,
                             json={"sku_id": sku, "quantity": 1, "cause": "stolen"}), 422)
    assert_error(client.post(f"{ADMIN}/write-offs", headers=staff.headers,
                             json={"sku_id": sku, "quantity": 0, "cause": "damaged"}), 422)
    assert_error(client.post(f"{ADMIN}/write-offs", headers=staff.headers,
                             json={"sku_id": 999999, "quantity": 1, "cause": "damaged"}), 404, "sku_not_found")
    assert table_snapshot() == before


def test_only_staff_with_stock_permissions(client):
    driver = make_staff(role="driver")
    (sku,) = _skus(5)
    assert_error(client.get(f"{ADMIN}/movements", headers=driver.headers), 403)
    assert_error(client.post(f"{ADMIN}/write-offs", headers=driver.headers,
                             json={"sku_id": sku, "quantity": 1, "cause": "damaged"}), 403)
    finance = make_staff(role="finance")   # reads everything, changes no stock
    assert client.get(f"{ADMIN}/movements", headers=finance.headers).status_code == 200
    assert_error(client.post(f"{ADMIN}/stock-takes", headers=finance.headers, json={}), 403)
    assert sku_counts(sku) == (5, 0, 0)


def test_a_stock_take_adjusts_each_differing_sku_once(client):
    staff = make_staff(role="warehouse")
    a, b, c = _skus(10, 5, 7)
    sheet = client.post(f"{ADMIN}/stock-takes", headers=staff.headers, json={"sku_ids": [a, b, c]}).get_json()
    assert [(ln["sku_id"], ln["expected"], ln["counted"]) for ln in sheet["lines"]] == [
        (a, 10, None), (b, 5, None), (c, 7, None)]
    r = client.put(f"{ADMIN}/stock-takes/{sheet['id']}/counts", headers=staff.headers,
                   json={"counts": [{"sku_id": a, "counted": 8}, {"sku_id": b, "counted": 5}]})
    assert r.status_code == 200, r.get_json()
    first = client.post(f"{ADMIN}/stock-takes/{sheet['id']}/confirm", headers=staff.headers)
    again = client.post(f"{ADMIN}/stock-takes/{sheet['id']}/confirm", headers=staff.headers)
    assert first.status_code == again.status_code == 200
    assert [(ln["sku_id"], ln["adjustment"]) for ln in again.get_json()["lines"]] == [(a, -2), (b, 0), (c, None)]
    assert [sku_counts(s)[0] for s in (a, b, c)] == [8, 5, 7]
    counted = client.get(f"{ADMIN}/movements?reason=counted", headers=staff.headers).get_json()
    assert [(m["sku_id"], m["total_change"], m["reference_type"], m["reference_id"]) for m in counted] == [
        (a, -2, "stock_take", sheet["id"])]
    assert_error(client.put(f"{ADMIN}/stock-takes/{sheet['id']}/counts", headers=staff.headers,
                            json={"counts": [{"sku_id": a, "counted": 1}]}), 409, "stock_take_closed")


def test_stock_take_input_errors(client):
    staff = make_staff()
    (a,) = _skus(3)
    assert_error(client.post(f"{ADMIN}/stock-takes", headers=staff.headers, json={"sku_ids": [a, 999999]}), 422,
                 "unknown_sku")
    sheet = client.post(f"{ADMIN}/stock-takes", headers=staff.headers, json={"sku_ids": [a]}).get_json()
    assert_error(client.put(f"{ADMIN}/stock-takes/{sheet['id']}/counts", headers=staff.headers,
                            json={"counts": [{"sku_id": a, "counted": -1}]}), 422)
    (b,) = _skus(4)
    assert_error(client.put(f"{ADMIN}/stock-takes/{sheet['id']}/counts", headers=staff.headers,
                            json={"counts": [{"sku_id": b, "counted": 1}]}), 422, "sku_not_on_sheet")
    assert_error(client.get(f"{ADMIN}/stock-takes/999999", headers=staff.headers), 404)
    cancelled = client.post(f"{ADMIN}/stock-takes/{sheet['id']}/cancel", headers=staff.headers).get_json()
    assert cancelled["status"] == "cancelled"
    assert_error(client.post(f"{ADMIN}/stock-takes/{sheet['id']}/confirm", headers=staff.headers), 409,
                 "stock_take_closed")
    assert db.session.get(Sku, a).stock_total == 3


def test_locations_and_transfers(client):
    staff = make_staff()
    (sku,) = _skus(6)
    main = client.get(f"{ADMIN}/locations", headers=staff.headers).get_json()
    assert [loc["code"] for loc in main] == ["MAIN"]
    north = client.post(f"{ADMIN}/locations", headers=staff.headers, json={"code": "north", "name": "北仓"}).get_json()
    assert_error(client.post(f"{ADMIN}/locations", headers=staff.headers, json={"code": "NORTH", "name": "x"}), 409)
    r = client.post(f"{ADMIN}/transfers", headers=staff.headers, json={
        "sku_id": sku, "quantity": 2, "from_location_id": main[0]["id"], "to_location_id": north["id"]})
    assert r.status_code == 201, r.get_json()
    assert [(m["reason"], m["location_id"]) for m in r.get_json()] == [
        ("transferred_out", main[0]["id"]), ("transferred_in", north["id"])]
    assert sku_counts(sku) == (6, 0, 0)
    assert_error(client.post(f"{ADMIN}/transfers", headers=staff.headers, json={
        "sku_id": sku, "quantity": 2, "from_location_id": north["id"], "to_location_id": north["id"]}), 422,
        "transfer_same_location")
