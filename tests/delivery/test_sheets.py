"""Sorting sheets and loading manifests against hand-counted orders."""
from __future__ import annotations

import csv
import io

from tests.delivery.helpers import ADMIN, night, planned_run
from tests.factories import make_buyer
from tests.flows import paid_order


def test_sorting_sheet_counts_each_stop_and_sku_in_driving_order_with_masked_bag_labels(client):
    n = night(client)
    run = planned_run(client, n)
    sheet = client.get(f"{ADMIN}/route-runs/{run['id']}/sorting-sheet", headers=n["owner"].headers).get_json()
    first, second = sheet["stops"]
    driving_order = [first["pickup_point"]["id"], second["pickup_point"]["id"]]
    assert driving_order == [n["leader_b"].point.id, n["leader_a"].point.id]
    assert [(s["sku_code"], s["quantity"]) for s in first["skus"]] == [("EGGS", 1)]
    assert [(s["sku_code"], s["quantity"]) for s in second["skus"]] == [("EGGS", 3), ("RICE", 3)]
    assert (first["bag_count"], first["units"], second["bag_count"], second["units"]) == (1, 1, 2, 6)
    assert sheet["totals"] == {"stops": 2, "bags": 3, "units": 7}
    assert [(r["sku_code"], r["quantity"]) for r in sheet["loaded"]] == [("EGGS", 4), ("RICE", 3)]
    labels = {b["order_number"]: b for b in second["bags"]}
    chen, wang = n["orders"][0], n["orders"][1]
    assert labels[chen["number"]]["shopper_name"] == "陈**" and labels[wang["number"]]["shopper_name"] == "王**"
    assert labels[chen["number"]]["qr_text"] == f"PICKUP/{chen['number']}/{chen['pickup_code']}"
    assert [(ln["sku_code"], ln["quantity"]) for ln in labels[wang["number"]]["lines"]] == [("RICE", 1), ("EGGS", 3)]
    assert first["bags"][0]["shopper_name"] == "李**"


def test_manifest_and_csvs_carry_the_same_numbers_and_never_a_full_name(client):
    n = night(client)
    run = planned_run(client, n)
    manifest = client.get(f"{ADMIN}/route-runs/{run['id']}/manifest", headers=n["owner"].headers).get_json()
    assert "bags" not in manifest["stops"][0] and manifest["totals"]["bags"] == 3
    r = client.get(f"{ADMIN}/route-runs/{run['id']}/manifest.csv", headers=n["owner"].headers)
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["stop", "pickup_point", "address", "bags", "sku", "product", "variant", "quantity"]
    assert [(row[0], row[3], row[4], row[7]) for row in rows[1:]] == [
        ("1", "1", "EGGS", "1"), ("2", "2", "EGGS", "3"), ("2", "2", "RICE", "3")]
    r = client.get(f"{ADMIN}/route-runs/{run['id']}/sorting-sheet.csv", headers=n["owner"].headers)
    text = r.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1 + 4 and sum(int(row[8]) for row in rows[1:]) == 7
    assert "陈小明" not in text and "陈**" in text and f"PICKUP/{n['orders'][0]['number']}/" in text


def test_sheets_speak_the_callers_language(client):
    n = night(client)
    run = planned_run(client, n)
    r = client.get(f"{ADMIN}/route-runs/{run['id']}/manifest.csv",
                   headers={**n["owner"].headers, "Accept-Language": "zh-CN"})
    header = next(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert header[0] == "站点" and header[3] == "袋数"


def test_units_refunded_before_dispatch_are_not_on_the_sheet(client):
    n = night(client)
    buyer = make_buyer(n["leader_a"].group, name="赵强")
    paid = paid_order(client, buyer, [(n["eggs"], 4)])
    r = client.post(f"/api/v1/store/orders/{paid['id']}/cancel", headers=buyer.headers,
                    json={"lines": [{"line_id": paid["lines"][0]["id"], "quantity": 3}]})
    assert r.status_code == 200, r.get_json()
    run = planned_run(client, n)
    sheet = client.get(f"{ADMIN}/route-runs/{run['id']}/sorting-sheet", headers=n["owner"].headers).get_json()
    assert [(s["sku_code"], s["quantity"]) for s in sheet["stops"][1]["skus"]] == [("EGGS", 4), ("RICE", 3)]
    bag = next(b for b in sheet["stops"][1]["bags"] if b["order_number"] == paid["number"])
    assert bag["units"] == 1 and bag["shopper_name"] == "赵**"
