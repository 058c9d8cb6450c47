"""One interface over payment providers. A provider starts a payment, reports its state, cancels it
and refunds it; the order and ledger logic stays outside, the same for every provider."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.payments import stripe_gateway as gateway


@dataclass(frozen=True)
class ProviderState:
    status: str               # pending | succeeded | failed | cancelled
    amount_received: int = 0
    message: str | None = None


@dataclass(frozen=True)
class ProviderRefund:
    status: str               # succeeded | pending | failed
    provider_ref: str | None = None
    message: str | None = None


class PaymentProvider(Protocol):
    """Providers take plain values, never ORM rows: callers end their transaction before calling out."""

    name: str
    # True: the shopper pays online before the order counts as paid (stock is only held meanwhile).
    online: bool

    def available(self) -> bool: ...
    def start(self, *, payment_id: int, order_id: int, order_number: str, amount: int,
              method: str | None = None) -> Started: ...
    def state(self, ref: str) -> ProviderState: ...
    def cancel(self, ref: str) -> None: ...
    def refund(self, *, ref: str | None, refund_id: int, amount: int) -> ProviderRefund: ...


@dataclass(frozen=True)
class Started:
    ref: str | None = None
    client_secret: str | None = None
    next_action: dict | None = None     # what the shopper does next (QR code, redirect), if anything


STRIPE_STATES = {"succeeded": "succeeded", "canceled": "cancelled", "requires_payment_method": "pending",
                 "requires_confirmation": "pending", "requires_action": "pending", "processing": "pending",
                 "requires_capture": "pending"}


class StripeProvider:
    name = "stripe"
    online = True

    def available(self) -> bool:
        return gateway.configured()

    def start(self, *, payment_id: int, order_id: int, order_number: str, amount: int,
              method: str | None = None) -> Started:
        from flask import current_app

        # Alipay sends the shopper back here (the shop page opens the order and refreshes it).
        back = f"{current_app.config['PUBLIC_BASE_URL']}/?order={order_id}#orders"
        intent = gateway.create_intent(amount=amount, currency=current_app.config["STORE_CURRENCY"],
                                       payment_id=payment_id, order_id=order_id, order_number=order_number,
                                       method=method or "card", return_url=back)
        return Started(intent.id, intent.client_secret, intent.next_action)

    def state(self, ref: str) -> ProviderState:
        intent = gateway.retrieve_intent(ref)
        return ProviderState(STRIPE_STATES.get(intent.status, "pending"), intent.amount_received,
                             intent.error_message)

    def cancel(self, ref: str) -> None:
        if self.state(ref).status == "pending":
            gateway.cancel_intent(ref)

    def refund(self, *, ref: str | None, refund_id: int, amount: int) -> ProviderRefund:
        found = gateway.find_refund(ref, refund_id)
        if found is None:
            try:
                found = gateway.create_refund(intent_id=ref, amount=amount, refund_id=refund_id)
            except gateway.GatewayDeclined as exc:
                return ProviderRefund("failed", message=str(exc))
        status = {"succeeded": "succeeded", "failed": "failed", "canceled": "failed"}.get(found.status, "pending")
        return ProviderRefund(status, found.id)


class PayAtPickupProvider:
    """Money changes hands at the pickup point: nothing to start online; a refund is paid in cash by
    the leader or credited to the shopper's wallet (cash_refunds.py), confirmed at once."""

    name = "pay_at_pickup"
    online = False

    def available(self) -> bool:
        return True

    def start(self, *, payment_id: int, order_id: int, order_number: str, amount: int,
              method: str | None = None) -> Started:
        return Started()

    def state(self, ref: str) -> ProviderState:
        return ProviderState("pending")

    def cancel(self, ref: str) -> None:
        return None

    def refund(self, *, ref: str | None, refund_id: int, amount: int) -> ProviderRefund:
        from app.payments.cash_refunds import pay_back

        provider_ref, note = pay_back(refund_id, amount)
        return ProviderRefund("succeeded", provider_ref, note)


class WalletProvider:
    """The shopper's stored value: paid at checkout by debiting the wallet (app/wallet/ledger.py);
    a refund credits it back. The ledger's ref makes a repeated refund call a no-op."""

    name = "wallet"
    online = False

    def available(self) -> bool:
        return True

    def start(self, *, payment_id: int, order_id: int, order_number: str, amount: int,
              method: str | None = None) -> Started:
        return Started()

    def state(self, ref: str) -> ProviderState:
        return ProviderState("succeeded")

    def cancel(self, ref: str) -> None:
        return None

    def refund(self, *, ref: str | None, refund_id: int, amount: int) -> ProviderRefund:
        import sqlalchemy as sa

        from app.extensions import db
        from app.payments.models import Payment
        from app.wallet.ledger import give_back

        payment_id = db.session.scalar(sa.select(Payment.id).where(Payment.provider_ref == ref))
        entry = give_back(payment_id, amount, ref=f"refund:{refund_id}") if payment_id else None
        db.session.commit()  # providers run outside the caller's transaction
        if entry is None:
            return ProviderRefund("failed", message="no wallet payment to refund")
        return ProviderRefund("succeeded", f"wallet-entry-{entry.id}")


PROVIDERS: dict[str, PaymentProvider] = {"stripe": StripeProvider(), "pay_at_pickup": PayAtPickupProvider(),
                                         "wallet": WalletProvider()}
METHODS = tuple(PROVIDERS)


def get_provider(name: str) -> PaymentProvider:
    return PROVIDERS[name]
