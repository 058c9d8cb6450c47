from __future__ import annotations

import uuid

from tests.factories import make_buyer, make_campaign, make_group, make_leader, make_product, make_staff
from tests.stripe_helpers import intent_event, intent_of, pay_intent, post_webhook


def test_stats_count_reserved_sold_revenue_and_buyers_per_item_and_group(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    staff = make_staff()
    g1, g2 = make_group(make_leader(staff)), make_group(make_leader(staff))
    sku = make_product(skus=[{"code": "ST-1", "name": "x", "price_cents": 1000, "stock_total": 50}]).skus[0]
    campaign = make_campaign(items=[(sku.id, 400, 10)], per_person_limit=3, staff=staff)
    item = campaign.items[0].id

    def reserve(buyer, qty):
        return client.post(f"/api/v1/store/flash-sales/{item}/reserve", json={"quantity": qty},
                           headers={**buyer.headers, "Idempotency-Key": str(uuid.uuid4())}).get_json()

    def pay(buyer, body):
        paying = client.post(f"/api/v1/store/orders/{body['order_id']}/pay", headers=buyer.headers).get_json()
        pay_intent(intent_of(paying))
        post_webhook(client, intent_event("payment_intent.succeeded", intent_of(paying)))

    a, b, c = make_buyer(g1), make_buyer(g1), make_buyer(g2)
    pay(a, reserve(a, 2))
    pay(c, reserve(c, 3))
    reserve(b, 1)  # held, unpaid
    stats = client.get(f"/api/v1/admin/campaigns/{campaign.id}/stats", headers=staff.headers).get_json()
    [row] = stats["items"]
    assert (row["stock_total"], row["reserved"], row["sold"], row["sell_through_pct"]) == (10, 1, 5, 50.0)
    assert (row["revenue_cents"], row["unique_buyers"]) == (2000, 2)
    assert stats["revenue_cents"] == 2000 and stats["unique_buyers"] == 2
    assert {(g["group_id"], g["units"], g["revenue_cents"]) for g in stats["groups"]} == {
        (g1.id, 2, 800), (g2.id, 3, 1200)}
