"""Campaign lifecycle, review, phases by the clock, and what shoppers see."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.assertions import assert_error, database_unchanged
from tests.factories import if_match, make_buyer, make_campaign, make_group, make_leader, make_product, make_staff

ADMIN = "/api/v1/admin/campaigns"


def at(minutes: float):
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes), tick=False)


@pytest.fixture
def sku():
    return make_product(skus=[{"code": "FS-1", "name": "x", "price_cents": 1000, "stock_total": 50}]).skus[0]


def body(sku, **overrides):
    return {"kind": "flash_sale", "name": "Midnight eggs", "starts_at": "2031-06-01T20:00:00",
            "ends_at": "2031-06-01T21:00:00", "warmup_minutes": 30, "per_person_limit": 2,
            "items": [{"sku_id": sku.id, "campaign_price_cents": 500, "stock_total": 10}]} | overrides


def test_draft_submit_approve_and_local_times(client, sku):
    staff = make_staff()
    r = client.post(ADMIN, headers=staff.headers, json=body(sku))
    assert r.status_code == 201, r.get_json()
    campaign = r.get_json()
    assert campaign["review"] == "draft" and campaign["phase"] == "draft"
    assert campaign["starts_at"] == "2031-06-01T12:00:00+00:00"  # 20:00 in Shanghai
    cid = campaign["id"]
    assert client.patch(f"{ADMIN}/{cid}",
                        headers=if_match(client, f"{ADMIN}/{cid}", staff.headers),
                        json={"name": "Midnight eggs!"}).status_code == 200
    assert client.post(f"{ADMIN}/{cid}/submit", headers=staff.headers).get_json()["review"] == "submitted"
    with database_unchanged():
        assert_error(client.patch(f"{ADMIN}/{cid}",
                                  headers=if_match(client, f"{ADMIN}/{cid}", staff.headers),
                                  json={"name": "x"}), 409, "campaign_locked")
    with database_unchanged():  # four-eyes: the author may not approve their own campaign
        assert_error(client.post(f"{ADMIN}/{cid}/approve", headers=staff.headers), 403, "four_eyes_required")
    colleague = make_staff(role="operations")
    approved = client.post(f"{ADMIN}/{cid}/approve", headers=colleague.headers).get_json()
    assert approved["review"] == "approved" and approved["phase"] == "scheduled"
    assert approved["items"][0]["stock_left"] == 10
    assert_error(client.post(f"{ADMIN}/{cid}/approve", headers=colleague.headers), 409, "campaign_review_conflict")
    assert_error(client.delete(f"{ADMIN}/{cid}", headers=staff.headers), 409, "campaign_locked")


def test_rejection_with_a_reason_then_resubmission(client, sku):
    staff = make_staff()
    cid = client.post(ADMIN, headers=staff.headers, json=body(sku)).get_json()["id"]
    client.post(f"{ADMIN}/{cid}/submit", headers=staff.headers)
    r = client.post(f"{ADMIN}/{cid}/reject", headers=staff.headers, json={"reason": "Price too low"})
    assert r.get_json()["review"] == "rejected" and r.get_json()["rejection_reason"] == "Price too low"
    assert client.patch(f"{ADMIN}/{cid}",
                        headers=if_match(client, f"{ADMIN}/{cid}", staff.headers),
                        json={"per_person_limit": 1}).status_code == 200
    assert client.post(f"{ADMIN}/{cid}/submit", headers=staff.headers).get_json()["rejection_reason"] is None


@pytest.mark.parametrize("override, code", [
    ({"items": []}, "campaign_incomplete"),
    ({"items": [{"sku_id": 1, "campaign_price_cents": 99999, "stock_total": 5}]}, "campaign_incomplete"),
    ({"kind": "pre_sale"}, "campaign_incomplete"),
    ({"kind": "group_buy"}, "campaign_incomplete"),
    ({"kind": "member_day"}, "campaign_incomplete"),
    ({"all_groups": False}, "campaign_incomplete"),
])
def test_submission_needs_what_the_kind_needs(client, sku, override, code):
    staff = make_staff()
    data = body(sku, **override)
    if "items" in override and override["items"]:
        data["items"][0]["sku_id"] = sku.id
    cid = client.post(ADMIN, headers=staff.headers, json=data).get_json()["id"]
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/{cid}/submit", headers=staff.headers), 422, code)


@pytest.mark.parametrize("override", [
    {"starts_at": "2031-06-01T22:00:00"}, {"kind": "bogo"}, {"per_person_limit": 0},
    {"starts_at": "1900-01-01T00:00:00"}, {"items": [{"sku_id": 999999, "campaign_price_cents": 1}]},
])
def test_bad_campaign_input_is_rejected(client, sku, override):
    staff = make_staff()
    with database_unchanged():
        assert client.post(ADMIN, headers=staff.headers, json=body(sku, **override)).status_code == 422


def test_phases_follow_the_clock_without_any_job(client):
    buyer = make_buyer()
    make_campaign(starts_in_minutes=60, minutes=30, warmup_minutes=20)
    phase = lambda: client.get("/api/v1/store/campaigns", headers=buyer.headers).get_json()[0]  # noqa: E731
    assert phase()["phase"] == "scheduled" and 3500 < phase()["seconds_to_start"] <= 3600
    with at(45):
        assert phase()["phase"] == "warming_up" and 890 < phase()["seconds_to_start"] <= 900
    with at(61):
        assert phase()["phase"] == "live" and phase()["seconds_to_start"] is None
    with at(91):
        assert client.get("/api/v1/store/campaigns", headers=buyer.headers).get_json() == []


def test_shoppers_see_only_their_groups_campaigns(client):
    staff = make_staff()
    mine, other = make_group(make_leader(staff)), make_group(make_leader(staff))
    buyer = make_buyer(mine)
    everywhere = make_campaign(staff=staff)
    only_mine = make_campaign(staff=staff, all_groups=False, group_ids=[mine.id])
    make_campaign(staff=staff, all_groups=False, group_ids=[other.id])
    make_campaign(staff=staff, approve=False)
    listed = {c["id"] for c in client.get("/api/v1/store/campaigns", headers=buyer.headers).get_json()}
    assert listed == {everywhere.id, only_mine.id}
    assert_error(client.get("/api/v1/store/campaigns/999999", headers=buyer.headers), 404, "campaign_not_found")


def test_member_days_are_live_on_their_day_of_the_month(client):
    sku = make_product(skus=[{"code": "MD-1", "name": "x", "price_cents": 1000, "stock_total": 50}]).skus[0]
    start = dt.datetime(2031, 3, 1, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        campaign = make_campaign("member_day", items=[(sku.id, 700, None)], minutes=60 * 24 * 120, day_of_month=15,
                                 members_only=True)
    from app.campaigns.phases import phase

    local = lambda d, h: dt.datetime(2031, 4, d, h, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # noqa: E731
    assert phase(campaign, local(14, 23).astimezone(dt.UTC)).value == "scheduled"
    assert phase(campaign, local(15, 0).astimezone(dt.UTC)).value == "live"
    assert phase(campaign, local(15, 23).astimezone(dt.UTC)).value == "live"
    assert phase(campaign, local(16, 0).astimezone(dt.UTC)).value == "scheduled"
