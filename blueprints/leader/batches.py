from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, g

from app.clock import local_today
from app.errors import PermissionDenied
from app.extensions import db, limiter
from app.i18n import _
from app.orders.models import Fulfilment, Order
from app.pickup import arrival, batches
from app.pickup.uncollected import fulfilment_is
from app.pickup.verification import Verifier, verify
from app.pickup_points.models import PickupPoint
from blueprints.auth import Role, current_account, current_leader
from blueprints.inbox import add_inbox_routes
from blueprints.leader import blp
from blueprints.pagination import SQLPage
from blueprints.schemas.pickup_ops import (
    ArrivalSchema,
    BatchDetailSchema,
    BatchOrderSchema,
    BatchSchema,
    LeaderBatchQuerySchema,
    LeaderOrderQuerySchema,
    PickupAttemptQuerySchema,
    PickupAttemptSchema,
    PreviewPickupSchema,
    VerifyPickupSchema,
)


def _my_point_ids() -> list[int]:
    return list(db.session.scalars(sa.select(PickupPoint.id).where(PickupPoint.leader_id == current_leader().id)))


def _my_batch(batch_id: int):
    batch = batches.get_batch(batch_id)
    if batch.pickup_point_id not in _my_point_ids():
        raise PermissionDenied(_("This delivery is for another leader's pickup point"), code="not_your_pickup_point")
    batch.orders = batches.batch_orders(batch_id)
    return batch


@blp.route("/batches", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.arguments(LeaderBatchQuerySchema, location="query")
@blp.response(200, BatchSchema(many=True))
@blp.paginate(SQLPage)
def my_batches(query):
    """Deliveries to your pickup points: today's and upcoming (or all)"""
    return batches.list_batches(point_ids=_my_point_ids(),
                                from_date=local_today() if query["scope"] == "upcoming" else None)


@blp.route("/batches/<id:batch_id>", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.response(200, BatchDetailSchema)
@blp.errors(404)
def my_batch(batch_id):
    """One delivery with its orders and lines (pickup codes are the shoppers' to show)"""
    return _my_batch(batch_id)


@blp.route("/batches/<id:batch_id>/arrival", methods=["POST"])
@blp.requires(Role.LEADER)
@blp.arguments(ArrivalSchema)
@blp.response(200, BatchDetailSchema)
@blp.errors(404, 409, 422)
def confirm_arrival(data, batch_id):
    """Confirm the delivery arrived: list any short lines (missing or damaged); they are refunded.
    Orders become ready for pickup and their shoppers are told."""
    _my_batch(batch_id)
    arrival.confirm_arrival(batch_id, current_account().id, data["shortages"])
    return _my_batch(batch_id)


def pickup_code_limit() -> str:
    return current_app.config["PICKUP_CODE_RATE_LIMIT"]


def _failed_code(response) -> bool:
    return response.status_code in (404, 409) and getattr(response, "json", None) and \
        response.json.get("error", {}).get("code") in ("pickup_code_invalid", "pickup_code_locked")


@blp.route("/pickups", methods=["POST"])
@blp.requires(Role.LEADER)
@limiter.limit(pickup_code_limit, key_func=lambda: f"pickup-code:{g.account.id}", deduct_when=_failed_code)
@blp.arguments(VerifyPickupSchema)
@blp.response(200, BatchOrderSchema)
@blp.errors(403, 404, 409, 422, 429)
def verify_pickup(data):
    """Hand over an order against the code the shopper shows (all waiting units, or some lines).
    Pay-at-pickup orders are marked paid with the amount collected. Wrong codes are rate limited per
    leader, and lock an order after repeated failures against it."""
    return verify(data["code"], Verifier(current_account().id, current_leader().id),
                  order_number=data["order_number"], lines=data["lines"], collected_cents=data["collected_cents"])


@blp.route("/pickups/preview", methods=["POST"])
@blp.requires(Role.LEADER)
@limiter.limit(pickup_code_limit, key_func=lambda: f"pickup-code:{g.account.id}", deduct_when=_failed_code)
@blp.arguments(PreviewPickupSchema)
@blp.response(200, BatchOrderSchema)
@blp.errors(403, 404, 409, 422, 429)
def preview_pickup(data):
    """Look an order up by the code the shopper shows, before handing it over: what is waiting and
    `amount_due_cents` to collect (pay at pickup). Then confirm with POST /pickups and
    `collected_cents` equal to it (a pay-at-pickup handover without it, or with another amount, is a 422)."""
    from app.pickup.verification import preview

    return preview(data["code"], Verifier(current_account().id, current_leader().id), order_number=data["order_number"])


@blp.route("/orders", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.arguments(LeaderOrderQuerySchema, location="query")
@blp.response(200, BatchOrderSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def my_orders(query):
    """Orders at your pickup points by where they are: waiting, collected, uncollected (by the
    clock: an order past its collection deadline is listed as uncollected at once)"""
    return (sa.select(Order).where(Order.pickup_point_id.in_(_my_point_ids()),
                                   fulfilment_is(Fulfilment(query["fulfilment"])))
            .order_by(Order.pickup_date, Order.id))


@blp.route("/pickup-attempts", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.arguments(PickupAttemptQuerySchema, location="query")
@blp.response(200, PickupAttemptSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def my_pickup_attempts(query):
    """The pickup-code audit of your points: every attempt, successful or not, and by whom, newest first"""
    from app.pickup.attempts import attempts

    return attempts(point_ids=_my_point_ids(), account_id=current_account().id, **query)


add_inbox_routes(blp, Role.LEADER, "leader")
