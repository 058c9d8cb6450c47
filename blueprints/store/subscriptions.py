"""The shopper's subscriptions: repeat deliveries to their pickup point."""
from __future__ import annotations

from app.subscriptions import cards, plans, services, views
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.subscriptions import (
    CardSetupSchema,
    ChangeSchema,
    PauseSchema,
    PlanSchema,
    ResumeSchema,
    SkipSchema,
    SubscribeSchema,
    SubscriptionSchema,
)
from blueprints.store import blp


@blp.route("/subscription-plans", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, PlanSchema(many=True))
@blp.paginate(SQLPage, page_size=50)
def subscribable_items():
    """Items you can subscribe to, with the intervals offered and the subscription discount"""
    return plans.all_plans(active_only=True)


@blp.route("/subscriptions/card-setup", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.response(201, CardSetupSchema)
@blp.errors(422)
def start_card_setup():
    """Save a card for subscriptions: confirm `client_secret` with Stripe.js, then subscribe (or
    change the card) with `setup_intent_id`"""
    setup = cards.start_setup(current_account().id)
    return {"setup_intent_id": setup.id, "client_secret": setup.client_secret}


@blp.route("/subscriptions", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(SubscribeSchema)
@blp.response(201, SubscriptionSchema)
@blp.errors(409, 422)
def subscribe(data):
    """Subscribe to an item: delivered to your group's pickup point every interval from the start
    date, charged before each delivery's cut-off (saved card or wallet)"""
    return views.describe(services.subscribe(current_account().id, data))


@blp.route("/subscriptions", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, SubscriptionSchema(many=True))
def my_subscriptions():
    """Your subscriptions with their next delivery date, when and how much the next charge is"""
    return views.of_account(current_account().id)


@blp.route("/subscriptions/<id:subscription_id>", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, SubscriptionSchema)
@blp.errors(404)
def my_subscription(subscription_id):
    """One of your subscriptions"""
    return views.describe(services.get_own(current_account().id, subscription_id))


@blp.route("/subscriptions/<id:subscription_id>", methods=["PATCH"])
@blp.requires(Role.SHOPPER)
@blp.arguments(ChangeSchema)
@blp.response(200, SubscriptionSchema)
@blp.errors(404, 409, 422)
def change_subscription(data, subscription_id):
    """Change quantity, interval (from the next delivery; skips move with it) or the card"""
    return views.describe(services.change(current_account().id, subscription_id, data))


@blp.route("/subscriptions/<id:subscription_id>/skip", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(SkipSchema)
@blp.response(200, SubscriptionSchema)
@blp.errors(404, 409, 422)
def skip_delivery(data, subscription_id):
    """Skip a delivery (the next one by default): not ordered, not charged"""
    return views.describe(services.skip(current_account().id, subscription_id, data["cycle_date"]))


@blp.route("/subscriptions/<id:subscription_id>/skips/<date:day>", methods=["DELETE"])
@blp.requires(Role.SHOPPER)
@blp.response(200, SubscriptionSchema)
@blp.errors(404, 409)
def unskip_delivery(subscription_id, day):
    """Take back a skip (before that delivery is renewed)"""
    return views.describe(services.unskip(current_account().id, subscription_id, day))


@blp.route("/subscriptions/<id:subscription_id>/pause", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(PauseSchema)
@blp.response(200, SubscriptionSchema)
@blp.errors(404, 409)
def pause_subscription(data, subscription_id):
    """Pause until a date (or until resumed); deliveries meanwhile are not ordered or charged"""
    return views.describe(services.pause(current_account().id, subscription_id, data["until"]))


@blp.route("/subscriptions/<id:subscription_id>/resume", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(ResumeSchema)
@blp.response(200, SubscriptionSchema)
@blp.errors(404, 409, 422)
def resume_subscription(data, subscription_id):
    """Resume (after a pause, or after failed payments — with a new card if needed) from the next
    delivery whose cut-off is ahead"""
    return views.describe(services.resume_own(current_account().id, subscription_id, data["setup_intent_id"]))


@blp.route("/subscriptions/<id:subscription_id>/cancel", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.response(200, SubscriptionSchema)
@blp.errors(404)
def cancel_subscription(subscription_id):
    """Cancel: never charged again (orders already placed stay)"""
    return views.describe(services.cancel(current_account().id, subscription_id))
