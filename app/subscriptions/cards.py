"""Saving a card for subscriptions: one Stripe customer per shopper, a SetupIntent the shopper
confirms with Stripe.js, and its payment method checked to be theirs before we charge it."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from app.accounts.models import Account
from app.errors import Conflict, InvalidRequest
from app.extensions import db
from app.i18n import _
from app.payments import stripe_gateway
from app.payments.stripe_gateway import GatewayDeclined
from app.subscriptions.models import StripeCustomer


def _require_stripe() -> None:
    if not stripe_gateway.configured():
        raise InvalidRequest(_("Card payments are not configured: subscribe with the wallet"),
                             code="payment_method_unavailable")


def customer_of(account_id: int) -> str:
    """The shopper's Stripe customer, created once (the idempotency key and the primary key)."""
    row = db.session.get(StripeCustomer, account_id)
    if row is not None:
        return row.customer_id
    email = db.session.get(Account, account_id).email
    db.session.commit()  # no transaction open across the call
    customer_id = stripe_gateway.create_customer(account_id=account_id, email=email)
    if db.session.get(StripeCustomer, account_id) is None:
        db.session.add(StripeCustomer(account_id=account_id, customer_id=customer_id))
        try:
            db.session.commit()
        except IntegrityError:  # a concurrent first call stored it (the same customer: same key)
            db.session.rollback()
    return db.session.get(StripeCustomer, account_id).customer_id


def start_setup(account_id: int) -> stripe_gateway.SetupInfo:
    _require_stripe()
    return stripe_gateway.create_setup_intent(customer=customer_of(account_id))


def saved_card(account_id: int, setup_intent_id: str) -> tuple[str, str]:
    """(customer, payment method) of a SetupIntent the shopper completed — refused if it is not
    theirs or not completed."""
    _require_stripe()
    row = db.session.get(StripeCustomer, account_id)
    try:
        setup = stripe_gateway.retrieve_setup_intent(setup_intent_id)
    except GatewayDeclined:
        setup = None
    if setup is None or row is None or setup.customer != row.customer_id:
        raise InvalidRequest(_("Unknown card setup"), code="unknown_setup_intent")
    if setup.status != "succeeded" or not setup.payment_method:
        raise Conflict(_("The card setup is not complete: confirm it with Stripe.js first"),
                       code="setup_incomplete", details={"status": setup.status})
    return row.customer_id, setup.payment_method
