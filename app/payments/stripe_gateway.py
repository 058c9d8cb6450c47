"""The one place that imports stripe. Pinned SDK (requirements.txt), StripeClient, deterministic
idempotency keys from our ids, webhook signatures checked on the raw body.

No provider text reaches a shopper: a failure raises one of two stable codes with a message in the
shopper's language and a retry hint; Stripe's own text is logged (with our ids) and kept as the
exception's str() for staff records, never as its message."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import stripe
from flask import current_app

from app.errors import DomainError
from app.i18n import _

log = logging.getLogger(__name__)


class GatewayError(DomainError):
    def __init__(self, message, *, detail: str | None = None, code: str | None = None,
                 details: dict[str, Any] | None = None):
        super().__init__(message, code=code, details=details)
        self.args = (detail or str(message),)   # str(exc): the provider's detail, for logs and staff


class GatewayUnavailable(GatewayError):
    """Stripe could not be reached or answered 5xx: safe to retry with the same idempotency key."""

    code = "payment_provider_unavailable"


class GatewayDeclined(GatewayError):
    """Stripe refused the request (card declined, invalid request): retrying will not help."""

    code = "payment_provider_declined"


class GatewayNotFound(GatewayDeclined):
    """Stripe answers 404: it has no such object (another account or mode's key, or deleted there).
    Asking again will not help, and it is not an outage."""

    code = "payment_provider_not_found"


class InvalidSignature(DomainError):
    code = "invalid_signature"


# Stripe decline codes a shopper can act on; anything else gets the general message.
DECLINE_MESSAGES = {
    "card_declined": lambda: _("Your card was declined. Try another card or another way to pay."),
    "expired_card": lambda: _("Your card has expired. Try another card or another way to pay."),
    "insufficient_funds": lambda: _("Your card has insufficient funds. Try another card or another way to pay."),
    "payment_intent_authentication_failure": lambda: _("The payment was not confirmed. Try again."),
}


@dataclass(frozen=True)
class IntentInfo:
    id: str
    status: str            # Stripe's: requires_payment_method … succeeded, canceled
    amount: int
    amount_received: int
    client_secret: str | None
    error_message: str | None   # Stripe's text: for our records and logs, never for the shopper
    next_action: dict | None = None   # Stripe's next_action as a plain dict (QR code, redirect)
    error_code: str | None = None


@dataclass(frozen=True)
class RefundInfo:
    id: str
    status: str            # succeeded, pending, failed, canceled
    amount: int


def configured() -> bool:
    return bool(current_app.config["STRIPE_SECRET_KEY"])


def _client() -> stripe.StripeClient:
    base = current_app.config["STRIPE_API_BASE"]
    return stripe.StripeClient(
        current_app.config["STRIPE_SECRET_KEY"],
        base_addresses={"api": base} if base else None,
        max_network_retries=2,
    )


def _call(fn, *args, **kwargs):
    context = kwargs.pop("context", None) or {}
    try:
        return fn(*args, **kwargs)
    # IdempotencyError: the same key is still in flight (a retry overlapping a slow call): try later.
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError, stripe.IdempotencyError) as exc:
        log.warning("Stripe unreachable or failing (%s): %s", context, exc)
        raise GatewayUnavailable(
            _("The payment service is unreachable right now. Nothing was charged; try again in a minute."),
            detail=f"Stripe is unreachable: {exc}", details={"retry": True, **context}) from exc
    except stripe.StripeError as exc:
        log.warning("Stripe refused the request (%s): %s %s", context, exc.code, exc)
        if exc.http_status == 404:  # no such object there: not an outage, and asking again will not help
            raise GatewayNotFound(_("The payment service has no record of this payment."),
                                  detail=exc.user_message or str(exc),
                                  details={"retry": False, "provider_code": exc.code, **context}) from exc
        message = DECLINE_MESSAGES.get(exc.code or "", lambda: _(
            "The payment could not be made. Try again, or choose another way to pay."))()
        raise GatewayDeclined(message, detail=exc.user_message or str(exc),
                              details={"retry": False, "provider_code": exc.code, **context}) from exc


def shopper_message(code: str | None) -> str:
    """A failed payment attempt, as the shopper should read it (Stripe's own text stays in the log)."""
    return str(DECLINE_MESSAGES.get(code or "", lambda: _("The payment did not go through. Try again, or "
                                                         "choose another way to pay."))())


def _plain(value: Any) -> Any:
    return value.to_dict() if hasattr(value, "to_dict") else value


def _intent(pi: Any) -> IntentInfo:
    error = _plain(getattr(pi, "last_payment_error", None))
    received = getattr(pi, "amount_received", None)
    if received is None:  # localstripe omits it; Stripe sets it when the intent succeeds
        received = pi.amount if pi.status == "succeeded" else 0
    action = _plain(getattr(pi, "next_action", None))
    return IntentInfo(id=pi.id, status=pi.status, amount=pi.amount, amount_received=received,
                      client_secret=getattr(pi, "client_secret", None),
                      error_message=(error.get("message") if error else None),
                      next_action=json.loads(json.dumps(action, default=str)) if action else None,
                      error_code=(error.get("code") if error else None))


def _method_params(method: str, return_url: str | None) -> dict[str, Any]:
    """WeChat Pay and Alipay are confirmed at once, server-side, so the response already carries
    the QR code / redirect the shop shows (Stripe.js may also confirm with the client secret)."""
    if method == "wechat_pay":
        return {"payment_method_types": ["wechat_pay"], "confirm": True,
                "payment_method_data": {"type": "wechat_pay"},
                "payment_method_options": {"wechat_pay": {"client": "web"}}}
    if method == "alipay":
        return {"payment_method_types": ["alipay"], "confirm": True, "payment_method_data": {"type": "alipay"},
                "return_url": return_url}
    return {"payment_method_types": ["card"]}


def create_intent(*, amount: int, currency: str, payment_id: int, order_id: int, order_number: str,
                  method: str = "card", return_url: str | None = None) -> IntentInfo:
    ids = {"payment_id": str(payment_id), "order_id": str(order_id), "order_number": order_number}
    pi = _call(
        _client().v1.payment_intents.create,
        params={"amount": amount, "currency": currency.lower(), "metadata": ids, **_method_params(method, return_url)},
        options={"idempotency_key": f"payment-{payment_id}-intent"},
        context={"payment_id": payment_id, "order_id": order_id},
    )
    return _intent(pi)


def create_top_up_intent(*, amount: int, currency: str, top_up_id: int, method: str = "card",
                         return_url: str | None = None) -> IntentInfo:
    pi = _call(
        _client().v1.payment_intents.create,
        params={"amount": amount, "currency": currency.lower(), "metadata": {"top_up_id": str(top_up_id)},
                **_method_params(method, return_url)},
        options={"idempotency_key": f"top-up-{top_up_id}-intent"},
        context={"top_up_id": top_up_id},
    )
    return _intent(pi)


def retrieve_intent(intent_id: str) -> IntentInfo:
    return _intent(_call(_client().v1.payment_intents.retrieve, intent_id))


def cancel_intent(intent_id: str) -> IntentInfo:
    return _intent(_call(_client().v1.payment_intents.cancel, intent_id))


def find_refund(intent_id: str, refund_id: int) -> RefundInfo | None:
    """Our refund at Stripe, found by metadata: recovers a refund whose response we never saw."""
    listed = _call(_client().v1.refunds.list, params={"payment_intent": intent_id, "limit": 100})
    for r in listed.data:
        # StripeObject is no longer a dict (stripe-python >= 15): convert before .get().
        metadata = r.metadata.to_dict() if r.metadata else {}
        if metadata.get("refund_id") == str(refund_id):
            return RefundInfo(id=r.id, status=r.status, amount=r.amount)
    return None


def create_refund(*, intent_id: str, amount: int, refund_id: int) -> RefundInfo:
    r = _call(
        _client().v1.refunds.create,
        params={"payment_intent": intent_id, "amount": amount, "metadata": {"refund_id": str(refund_id)}},
        options={"idempotency_key": f"refund-{refund_id}"},
    )
    return RefundInfo(id=r.id, status=r.status, amount=r.amount)


def verify_event(payload: bytes, signature: str | None) -> dict:
    """The event, as a plain dict, if the Stripe-Signature header is valid for this payload."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret:
        raise InvalidSignature("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)")
    try:
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), signature or "", secret,
                                              stripe.Webhook.DEFAULT_TOLERANCE)
        return json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidSignature("The webhook signature is not valid") from exc


# --- Connect: leaders' connected accounts and payout transfers -------------------------------------

@dataclass(frozen=True)
class ConnectedAccount:
    id: str
    transfers_enabled: bool   # the transfers capability is active: payouts can be sent
    details_submitted: bool   # the leader finished Stripe's onboarding


@dataclass(frozen=True)
class TransferInfo:
    id: str
    amount: int


def _account(a: Any) -> ConnectedAccount:
    capabilities = a.capabilities.to_dict() if getattr(a, "capabilities", None) else {}
    return ConnectedAccount(id=a.id, transfers_enabled=capabilities.get("transfers") == "active",
                            details_submitted=bool(getattr(a, "details_submitted", False)))


def create_connected_account(*, leader_id: int, email: str, country: str | None) -> ConnectedAccount:
    params = {"type": "express", "email": email, "capabilities": {"transfers": {"requested": True}},
              "metadata": {"leader_id": str(leader_id)}}
    if country:
        params["country"] = country
    return _account(_call(_client().v1.accounts.create, params=params,
                          options={"idempotency_key": f"leader-{leader_id}-connect-account"}))


def retrieve_connected_account(account_id: str) -> ConnectedAccount:
    return _account(_call(_client().v1.accounts.retrieve, account_id))


def onboarding_link(*, account_id: str, refresh_url: str, return_url: str) -> str:
    link = _call(_client().v1.account_links.create,
                 params={"account": account_id, "refresh_url": refresh_url, "return_url": return_url,
                         "type": "account_onboarding"})
    return link.url


def find_transfer(transfer_group: str) -> TransferInfo | None:
    """A transfer we made earlier, found by its group: recovers one whose response we never saw
    (Stripe keeps idempotency keys for 24 hours only; the group is ours forever)."""
    listed = _call(_client().v1.transfers.list, params={"transfer_group": transfer_group, "limit": 10})
    for t in listed.data:
        return TransferInfo(id=t.id, amount=t.amount)
    return None


def create_transfer(*, amount: int, currency: str, destination: str, transfer_group: str,
                    metadata: dict[str, str]) -> TransferInfo:
    t = _call(_client().v1.transfers.create,
              params={"amount": amount, "currency": currency.lower(), "destination": destination,
                      "transfer_group": transfer_group, "metadata": metadata},
              options={"idempotency_key": transfer_group})
    return TransferInfo(id=t.id, amount=t.amount)


# --- saved cards for subscriptions: a customer, SetupIntents, off-session charges ------------------

@dataclass(frozen=True)
class SetupInfo:
    id: str
    status: str
    customer: str | None
    payment_method: str | None
    client_secret: str | None


def create_customer(*, account_id: int, email: str | None) -> str:
    customer = _call(_client().v1.customers.create, params={"email": email or "", "metadata": {
        "account_id": str(account_id)}}, options={"idempotency_key": f"account-{account_id}-customer"})
    return customer.id


def _setup(si: Any) -> SetupInfo:
    return SetupInfo(id=si.id, status=si.status, customer=getattr(si, "customer", None),
                     payment_method=getattr(si, "payment_method", None),
                     client_secret=getattr(si, "client_secret", None))


def create_setup_intent(*, customer: str) -> SetupInfo:
    return _setup(_call(_client().v1.setup_intents.create, params={
        "customer": customer, "usage": "off_session", "payment_method_types": ["card"]}))


def retrieve_setup_intent(setup_intent_id: str) -> SetupInfo:
    return _setup(_call(_client().v1.setup_intents.retrieve, setup_intent_id))


def charge_saved_card(*, amount: int, currency: str, payment_id: int, customer: str, payment_method: str,
                      metadata: dict[str, str]) -> IntentInfo:
    """Charge a saved card with nobody present (a subscription renewal). A decline raises
    GatewayDeclined; a retry with the same payment id is the same charge (idempotency key)."""
    pi = _call(
        _client().v1.payment_intents.create,
        params={"amount": amount, "currency": currency.lower(), "customer": customer,
                "payment_method": payment_method, "payment_method_types": ["card"], "confirm": True,
                "off_session": True, "metadata": {"payment_id": str(payment_id), **metadata}},
        options={"idempotency_key": f"payment-{payment_id}-off-session"},
    )
    return _intent(pi)
