"""Shared steps for the after-sales tests."""
from __future__ import annotations

from tests.stripe_helpers import intent_of, stripe_client


def cancel(client, buyer, order_id, body=None):
    return client.post(f"/api/v1/store/orders/{order_id}/cancel", headers=buyer.headers, json=body)


def stripe_refunds(order) -> list[int]:
    return sorted(r.amount for r in stripe_client().v1.refunds.list(params={"payment_intent": intent_of(order)}).data)


def picked_up(client, *, lines=((2, 1500), (3, 1000)), method="stripe"):
    """A leader's point with an order of one line per (quantity, unit price), delivered and
    collected; returns a dict with staff, leader, buyer, order (body) and skus."""
    import uuid

    from tests.factories import make_buyer, make_group, make_leader, make_product, make_staff
    from tests.flows import batch_of, deliver, paid_order, pickup_order

    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    buyer = make_buyer(group)
    skus = [make_product(skus=[{"code": f"A{uuid.uuid4().hex[:8]}", "name": "x", "price_cents": price,
                                "stock_total": 20}]).skus[0] for _, price in lines]
    wanted = [(s.id, q) for s, (q, _) in zip(skus, lines, strict=True)]
    order = paid_order(client, buyer, wanted) if method == "stripe" else pickup_order(client, buyer, wanted, group)
    deliver(client, staff, leader, batch_of(client, staff, order)["id"])
    body = {"code": order["pickup_code"]}
    if method != "stripe":
        body["collected_cents"] = order["total_cents"]
    r = client.post("/api/v1/leader/pickups", headers=leader.headers, json=body)
    assert r.status_code == 200, r.get_json()
    return {"staff": staff, "leader": leader, "buyer": buyer, "order": order, "skus": skus, "group": group}


def ask(client, buyer, order, line_index=0, **body):
    line = order["lines"][line_index]
    return client.post(f"/api/v1/store/orders/{order['id']}/after-sales", headers=buyer.headers,
                       json={"order_line_id": line["id"], "reason": "damaged", "quantity": 1, **body})


def jpeg(width=200, height=150, exif_gps=False) -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (width, height), (200, 30, 30))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}  # GPSInfo
        exif[0x010F] = "PhoneMaker"
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def upload(client, user, surface, request_id, data: bytes, name="p.jpg"):
    import io

    return client.post(f"/api/v1/{surface}/after-sales/{request_id}/photos", headers=user.headers,
                       data={"photo": (io.BytesIO(data), name)}, content_type="multipart/form-data")
