"""Purchase orders: confirm once per key (also racing), edit while draft, the state machine,
export for the supplier, receipt into stock and the discrepancies per supplier."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa

from app.catalog.models import Sku
from app.clock import local_today
from app.extensions import db
from app.inventory import movements
from app.purchasing.models import PurchaseOrder
from tests.assertions import assert_error, database_unchanged
from tests.concurrency import race
from tests.factories import make_product, make_staff
from tests.purchasing_flows import ADMIN, confirm, offer, po, receive, supplier


@pytest.fixture
def setup(client):
    staff = make_staff()
    rice = make_product(name="大米", skus=[{"code": "PO-RICE", "name": "5kg", "price_cents": 5000,
                                          "stock_total": 0}]).skus[0]
    eggs = make_product(name="Eggs", skus=[{"code": "PO-EGGS", "name": "30", "price_cents": 3000,
                                          "stock_total": 0}]).skus[0]
    s = supplier(client, staff, name="绿野农场", contact_name="王经理", phone="+86 138 0000 0001")
    offer(client, staff, s["id"], rice.id, 3000)
    offer(client, staff, s["id"], eggs.id, 1500)
    return {"staff": staff, "rice": rice.id, "eggs": eggs.id, "supplier": s["id"],
            "day": local_today() + dt.timedelta(days=1)}


def test_confirming_twice_with_one_key_makes_one_order(client, setup):
    s, day = setup, setup["day"]
    first = confirm(client, s["staff"], s["supplier"], day, [(s["rice"], 5)], key="proposal-key-1")
    again = confirm(client, s["staff"], s["supplier"], day, [(s["rice"], 5)], key="proposal-key-1")
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["id"] == again.get_json()["id"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrder)) == 1
    assert first.get_json()["total_cents"] == 15_000 and first.get_json()["lines"][0]["unit_cost_cents"] == 3000


@pytest.mark.postgres
def test_a_confirm_raced_by_many_requests_makes_one_order(app, client, setup):
    s = setup
    body = {"supplier_id": s["supplier"], "delivery_date": s["day"].isoformat(), "confirm_key": "raced-key-42",
            "lines": [{"sku_id": s["rice"], "quantity": 3}]}
    headers = s["staff"].headers
    responses = race(app, 8, lambda c, i: c.post(f"{ADMIN}/purchase-orders", headers=headers, json=body))
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.get_json()["id"] for r in responses}) == 1
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrder)) == 1


def test_states_move_draft_sent_partly_received_received_and_illegal_moves_are_409(client, setup):
    s, staff = setup, setup["staff"]
    order = po(client, staff, s["supplier"], s["day"], [(s["rice"], 5), (s["eggs"], 2)], send=False)
    url = f"{ADMIN}/purchase-orders/{order['id']}"
    with database_unchanged():
        assert_error(receive(client, staff, order["id"], [{"sku_id": s["rice"], "accepted": 1}]), 409,
                     "purchase_order_state_conflict")                          # not sent yet
    assert client.post(f"{url}/send", headers=staff.headers).get_json()["status"] == "sent"
    with database_unchanged():
        assert_error(client.post(f"{url}/send", headers=staff.headers), 409, "purchase_order_state_conflict")
        assert_error(client.patch(url, headers=staff.headers, json={"note": "x"}), 409,
                     "purchase_order_state_conflict")                          # the supplier's copy stays
    r = receive(client, staff, order["id"], [{"sku_id": s["rice"], "accepted": 3}])
    assert r.status_code == 201, r.get_json()
    assert client.get(url, headers=staff.headers).get_json()["status"] == "partly_received"
    with database_unchanged():
        assert_error(client.post(f"{url}/cancel", headers=staff.headers), 409, "purchase_order_state_conflict")
    r = receive(client, staff, order["id"], [{"sku_id": s["rice"], "accepted": 1, "short": 1},
                                             {"sku_id": s["eggs"], "rejected": 2, "reject_reason": "broken"}])
    assert r.status_code == 201, r.get_json()
    body = client.get(url, headers=staff.headers).get_json()
    assert body["status"] == "received" and body["received_at"]
    assert all(ln["outstanding"] == 0 for ln in body["lines"])
    with database_unchanged():
        assert_error(client.post(f"{url}/cancel", headers=staff.headers), 409, "purchase_order_state_conflict")
        assert_error(receive(client, staff, order["id"], [{"sku_id": s["eggs"], "accepted": 1}]), 409,
                     "purchase_order_state_conflict")


def test_cancel_from_draft_and_sent_only(client, setup):
    s, staff = setup, setup["staff"]
    draft = po(client, staff, s["supplier"], s["day"], [(s["rice"], 1)], send=False)
    sent = po(client, staff, s["supplier"], s["day"], [(s["rice"], 1)])
    for order in (draft, sent):
        r = client.post(f"{ADMIN}/purchase-orders/{order['id']}/cancel", headers=staff.headers)
        assert r.get_json()["status"] == "cancelled" and r.get_json()["cancelled_at"]
    assert_error(client.post(f"{ADMIN}/purchase-orders/{draft['id']}/send", headers=staff.headers), 409,
                 "purchase_order_state_conflict")


def test_staff_edit_a_draft_lines_and_the_total_follows(client, setup):
    s, staff = setup, setup["staff"]
    draft = po(client, staff, s["supplier"], s["day"], [(s["rice"], 1)], send=False)
    r = client.patch(f"{ADMIN}/purchase-orders/{draft['id']}", headers=staff.headers, json={
        "note": "早上六点前到", "lines": [{"sku_id": s["rice"], "quantity": 2},
                                       {"sku_id": s["eggs"], "quantity": 4, "unit_cost_cents": 1400}]})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["total_cents"] == 2 * 3000 + 4 * 1400 and body["note"] == "早上六点前到"
    assert sorted((ln["sku_id"], ln["quantity"]) for ln in body["lines"]) == sorted([(s["rice"], 2), (s["eggs"], 4)])


def test_receipt_puts_accepted_units_into_stock_as_movements(client, setup):
    s, staff = setup, setup["staff"]
    order = po(client, staff, s["supplier"], s["day"], [(s["rice"], 10)])
    before_hand = movements.on_hand([s["rice"]]).get(s["rice"], 0)
    before_total = db.session.get(Sku, s["rice"]).stock_total
    r = receive(client, staff, order["id"], [{"sku_id": s["rice"], "accepted": 7, "rejected": 2,
                                              "reject_reason": "发霉", "short": 1}])
    assert r.status_code == 201, r.get_json()
    db.session.expire_all()
    assert movements.on_hand([s["rice"]]).get(s["rice"], 0) == before_hand + 7
    assert db.session.get(Sku, s["rice"]).stock_total == before_total + 7
    plan_day = client.get(f"{ADMIN}/purchase-plan?delivery_date={s['day']}", headers=staff.headers).get_json()
    assert all(ln["on_order"] == 0 for ln in plan_day["lines"])   # nothing outstanding


def test_receipt_bad_input_is_refused_and_changes_nothing(client, setup):
    s, staff = setup, setup["staff"]
    order = po(client, staff, s["supplier"], s["day"], [(s["rice"], 5)])
    with database_unchanged():
        assert_error(receive(client, staff, order["id"], [{"sku_id": s["rice"], "rejected": 1}]), 422,
                     "reject_reason_required")
        assert_error(receive(client, staff, order["id"], [{"sku_id": s["eggs"], "accepted": 1}]), 422,
                     "sku_not_on_order")
        assert_error(receive(client, staff, order["id"], [{"sku_id": s["rice"]}]), 422, "empty_receipt")
        assert_error(receive(client, staff, order["id"], [{"sku_id": s["rice"], "accepted": 6}]), 409,
                     "receipt_exceeds_ordered")
        assert_error(receive(client, staff, order["id"], [{"sku_id": s["rice"], "accepted": -1}]), 422)
        assert_error(receive(client, staff, 999999, [{"sku_id": s["rice"], "accepted": 1}]), 404,
                     "purchase_order_not_found")
        assert_error(confirm(client, staff, s["supplier"], s["day"], [(s["rice"], 0)]), 422)
        assert_error(confirm(client, staff, s["supplier"], s["day"], [(s["rice"], 1), (s["rice"], 2)]), 422,
                     "duplicate_sku")
    other = make_product().skus[0].id
    with database_unchanged():
        assert_error(confirm(client, staff, s["supplier"], s["day"], [(other, 1)]), 422, "sku_not_supplied")
        assert_error(confirm(client, staff, 999999, s["day"], [(s["rice"], 1)]), 404, "supplier_not_found")


def test_export_for_the_supplier_as_csv_and_a_printable_page_in_both_languages(client, setup):
    s, staff = setup, setup["staff"]
    order = po(client, staff, s["supplier"], s["day"], [(s["rice"], 4)])
    r = client.get(f"{ADMIN}/purchase-orders/{order['id']}.csv", headers=staff.headers)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["purchase_order", "supplier", "delivery_date", "sku"]
    assert rows[1] == [order["number"], "绿野农场", s["day"].isoformat(), "PO-RICE", "大米", "5kg", "4", "3000",
                       "12000"]
    zh = client.get(f"{ADMIN}/purchase-orders/{order['id']}.csv", headers=staff.headers | {"Accept-Language": "zh-CN"})
    assert zh.get_data(as_text=True).lstrip("\ufeff").startswith("采购单,供应商,配送日期")

    en = client.get(f"{ADMIN}/purchase-orders/{order['id']}/print", headers=staff.headers | {"Accept-Language": "en"})
    assert en.status_code == 200 and en.mimetype == "text/html"
    page = en.get_data(as_text=True)
    assert f"Purchase order {order['number']}" in page and "王经理" in page and "Sent" in page and "大米" in page
    zh = client.get(f"{ADMIN}/purchase-orders/{order['id']}/print",
                    headers=staff.headers | {"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert f"采购单 {order['number']}" in zh and "已发送" in zh and "合计" in zh and 'lang="zh-CN"' in zh


def test_discrepancies_per_supplier_api_and_csv(client, setup):
    s, staff = setup, setup["staff"]
    order = po(client, staff, s["supplier"], s["day"], [(s["rice"], 10), (s["eggs"], 10)])
    receive(client, staff, order["id"], [{"sku_id": s["rice"], "accepted": 8, "rejected": 2, "reject_reason": "发霉"},
                                         {"sku_id": s["eggs"], "accepted": 7, "rejected": 1,
                                          "reject_reason": "破损", "short": 2}])
    other = supplier(client, staff)
    offer(client, staff, other["id"], s["rice"], 2900)
    po(client, staff, other["id"], s["day"], [(s["rice"], 5)])  # nothing received yet
    query = f"from_date={s['day']}&to_date={s['day']}"
    rows = {r["supplier_id"]: r for r in client.get(f"{ADMIN}/purchasing/discrepancies?{query}",
                                                   headers=staff.headers).get_json()}
    mine = rows[s["supplier"]]
    assert (mine["ordered"], mine["accepted"], mine["rejected"], mine["short"]) == (20, 15, 3, 2)
    assert mine["discrepancy_rate"] == 0.25 and mine["reject_reasons"] == {"发霉": 2, "破损": 1}
    assert rows[other["id"]]["ordered"] == 5 and rows[other["id"]]["discrepancy_rate"] == 0
    r = client.get(f"{ADMIN}/purchasing/discrepancies.csv?{query}", headers=staff.headers)
    lines = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0][0] == "supplier_id" and len(lines) == 3
    assert_error(client.get(f"{ADMIN}/purchasing/discrepancies?from_date={s['day']}&to_date=2000-01-01",
                            headers=staff.headers), 422)


def test_who_may_do_what(client, setup):
    s = setup
    order = po(client, s["staff"], s["supplier"], s["day"], [(s["rice"], 2)])
    warehouse, finance, driver = make_staff(role="warehouse"), make_staff(role="finance"), make_staff(role="driver")
    assert client.get(f"{ADMIN}/purchase-orders", headers=warehouse.headers).status_code == 200
    assert receive(client, warehouse, order["id"], [{"sku_id": s["rice"], "accepted": 1}]).status_code == 201
    with database_unchanged():
        assert_error(confirm(client, warehouse, s["supplier"], s["day"], [(s["rice"], 1)]), 403)
        assert_error(receive(client, finance, order["id"], [{"sku_id": s["rice"], "accepted": 1}]), 403)
        assert_error(client.get(f"{ADMIN}/purchase-orders", headers=driver.headers), 403)
        assert_error(client.get(f"{ADMIN}/purchase-orders"), 401)
