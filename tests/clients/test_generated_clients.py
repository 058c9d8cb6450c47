"""A front-end team's view (issue 22): clients generated from /api/openapi.json with no warnings and
no hand fixes, and the shopper, leader and merchant flow run through the generated Python client
against the app on a real HTTP server."""
from __future__ import annotations

import uuid

import pytest

from app.groups.services import update_group
from tests.clients.conftest import ROOT, generate, node_or_skip
from tests.conftest import ON_POSTGRES
from tests.factories import PASSWORD, code_of, make_group, make_leader, make_product, make_staff

pytestmark = pytest.mark.slow


@pytest.mark.skipif(ON_POSTGRES, reason="the document and its TypeScript types do not depend on the database: "
                                        "checked once, in the SQLite run")
def test_typescript_types_generate_without_warnings_and_pass_tsc_strict(document, tmp_path):
    node_or_skip()
    generate(document, tmp_path, "typescript")  # fails on any warning, or on a tsc --strict error
    types = (ROOT / "clients" / "ts" / "generated" / "schema.d.ts").read_text()
    assert 'post: operations["store_place_order"]' in types and "export interface webhooks" in types


def test_the_whole_flow_through_the_generated_python_client(generated_python, live_server):
    sc = generated_python
    from storefront_client.api.admin import (
        admin_close_batch,
        admin_dispatch_batch,
        admin_get_order,
        admin_list_batches,
    )
    from storefront_client.api.leader import leader_confirm_arrival, leader_verify_pickup
    from storefront_client.api.store import (
        store_group_landing,
        store_group_products,
        store_join_group,
        store_my_orders,
        store_place_order,
        store_price_quote,
        store_register,
    )
    from storefront_client.models import (
        Arrival,
        Checkout,
        CheckoutLine,
        CheckoutPaymentMethod,
        OrderStatus,
        QuoteLine,
        QuoteRequest,
        Register,
        VerifyPickup,
    )

    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    update_group(group, {"pay_at_pickup_allowed": True}, as_staff=True)
    make_product(skus=[{"code": "RICE-5KG", "name": "5 kg", "price_cents": 4990, "stock_total": 20}])
    code = code_of(group)
    anonymous = sc.Client(base_url=live_server, raise_on_unexpected_status=True)

    # A shopper arrives through the group link, registers and joins.
    landing = store_group_landing.sync(code, client=anonymous)
    assert landing.group.name == group.name
    token = store_register.sync(client=anonymous, body=Register(
        name="Wang Fang", email=f"wang-{uuid.uuid4().hex[:8]}@example.com", password=PASSWORD))
    shopper = sc.AuthenticatedClient(base_url=live_server, token=token.token, raise_on_unexpected_status=True)
    joined = store_join_group.sync(code, client=shopper)
    assert joined.joined and joined.binding.group.id == group.id

    # Browse, quote, order to pay at pickup; the replay answers the same order.
    products = store_group_products.sync(code, client=shopper)
    sku = next(s for p in products for s in p.skus if s.code == "RICE-5KG")
    quote = store_price_quote.sync(client=shopper, body=QuoteRequest(lines=[QuoteLine(sku_id=sku.id, quantity=2)]))
    assert quote.lines[0].unit_price_cents == 4990
    checkout = Checkout(lines=[CheckoutLine(sku_id=sku.id, quantity=2)],
                        payment_method=CheckoutPaymentMethod.PAY_AT_PICKUP)
    key = str(uuid.uuid4())
    placed = store_place_order.sync_detailed(client=shopper, body=checkout, idempotency_key=key)
    assert placed.status_code == 201 and "Idempotent-Replayed" not in placed.headers
    order = placed.parsed
    assert (order.status, order.total_cents, order.amount_due_cents) == (OrderStatus.CONFIRMED, 9980, 9980)
    replay = store_place_order.sync_detailed(client=shopper, body=checkout, idempotency_key=key)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.parsed.id == order.id
    listed = store_my_orders.sync_detailed(client=shopper)
    assert [o.id for o in listed.parsed] == [order.id] and "X-Pagination" in listed.headers

    # The merchant sends the batch; the leader receives it and hands the order over for the cash.
    merchant = sc.AuthenticatedClient(base_url=live_server, token=staff.token, raise_on_unexpected_status=True)
    leader_client = sc.AuthenticatedClient(base_url=live_server, token=leader.token, raise_on_unexpected_status=True)
    batch = next(b for b in admin_list_batches.sync(client=merchant) if b.pickup_point.id == leader.point.id)
    admin_close_batch.sync(batch.id, client=merchant)
    admin_dispatch_batch.sync(batch.id, client=merchant)
    leader_confirm_arrival.sync(batch.id, client=leader_client, body=Arrival(shortages=[]))
    ready = store_my_orders.sync(client=shopper)[0]
    handed = leader_verify_pickup.sync(client=leader_client, body=VerifyPickup(
        code=ready.pickup_code, order_number=ready.number, collected_cents=ready.amount_due_cents))
    assert handed.number == order.number

    # The merchant sees it picked up and paid.
    seen = admin_get_order.sync(order.id, client=merchant)
    assert (seen.status, seen.paid_cents, seen.fulfilment) == (OrderStatus.PAID, 9980, "picked_up")
