"""Payment methods as data: which methods the store offers, for which purchase, and which provider
carries each. The client is told exactly this list (client-config, quote, the order), and checkout
refuses anything else with 422 `payment_method_not_allowed` naming the allowed ones — so the shop
never offers a method that would be refused.

Methods a shopper picks: card, wechat_pay, alipay (all through Stripe, only while Stripe keys are
set), wallet, pay_at_pickup (per group). "stripe" is the old name of card and still accepted.
"""
from __future__ import annotations

from app.errors import InvalidRequest
from app.i18n import _

ONLINE = ("card", "wechat_pay", "alipay")
OFFLINE = ("wallet", "pay_at_pickup")
ALL = (*ONLINE, *OFFLINE)
ACCEPTED = (*ALL, "stripe")          # what a request may name
CAMPAIGN_KINDS = ("flash_sale", "group_buy", "pre_sale")
# Single-use methods: Stripe cannot charge them again with nobody present (renewals).
SINGLE_USE = ("wechat_pay", "alipay")


# The currencies Stripe can present each single-use wallet in (Stripe's docs, "Determine
# compatibility": docs.stripe.com/payments/wechat-pay and /payments/alipay, read 2026-12). We
# charge in the store's currency and never convert (it is the ledgers' currency), so a method that
# cannot be presented in it cannot succeed: it is not offered, and the merchant cannot choose it.
# Cards are presentable in every currency Stripe takes (STORE_CURRENCY is checked at start-up).
PRESENTMENT = {
    "wechat_pay": frozenset({"AUD", "CAD", "CNY", "EUR", "GBP", "HKD", "JPY", "SGD", "USD", "DKK", "NOK", "SEK",
                             "CHF"}),
    "alipay": frozenset({"AUD", "CAD", "CNY", "EUR", "GBP", "HKD", "JPY", "NZD", "SGD", "USD", "MYR"}),
}


def store_currency() -> str:
    from flask import current_app

    return current_app.config["STORE_CURRENCY"]


def presentable(method: str, currency: str) -> bool:
    """Whether Stripe can charge `method` in `currency` (the store's, as our amounts are)."""
    return currency.upper() in PRESENTMENT.get(method, {currency.upper()})


class PaymentMethodCurrency(InvalidRequest):
    code = "payment_method_currency"


class PaymentMethodNotAllowed(InvalidRequest):
    code = "payment_method_not_allowed"


def normalize(method: str | None) -> str:
    return "card" if method in (None, "stripe") else method


def provider_of(method: str) -> str:
    """The provider (app/payments/providers.py) that carries a method."""
    method = normalize(method)
    return "stripe" if method in ONLINE else method


def online_offered() -> list[str]:
    """The online methods the merchant chose, in their order — none while Stripe is not configured."""
    from app.payments import stripe_gateway as gateway
    from app.settings.services import get_settings

    if not gateway.configured():
        return []
    chosen = get_settings().online_methods or []
    # Settings saved before the store's currency changed may name a method it cannot be charged in.
    currency = store_currency()
    return [m for m in chosen if m in ONLINE and presentable(m, currency)]


def allowed(*, group=None, campaign_kind: str | None = None) -> list[str]:
    """Every method that can pay this purchase now: a plain cart (wallet, pay at pickup where the
    group allows it) or a campaign's (what the merchant set for its kind)."""
    from app.settings.services import get_settings

    settings = get_settings()
    online = online_offered()
    if campaign_kind is None:
        methods = [*online, *(["wallet"] if settings.wallet_enabled else [])]
        if group is not None and group.pay_at_pickup_allowed:
            methods.append("pay_at_pickup")
        return methods
    kinds = (settings.campaign_methods or {}).get(campaign_kind, ["online"])
    methods = [m for m in online if "online" in kinds or m in kinds]
    if "wallet" in kinds and settings.wallet_enabled:
        methods.append("wallet")
    return methods


def campaign_methods() -> dict[str, list[str]]:
    """Per campaign kind, the methods that can pay it now (for the client before any cart)."""
    return {kind: allowed(campaign_kind=kind) for kind in CAMPAIGN_KINDS}


def require(method: str | None, allowed_methods: list[str]) -> str:
    """The method, normalised, if it is one of allowed_methods; else a 422 naming them."""
    method = normalize(method)
    if method not in allowed_methods:
        raise PaymentMethodNotAllowed(
            _("This cannot be paid with %(method)s. Choose one of: %(allowed)s", method=method,
              allowed=", ".join(allowed_methods) or "-"),
            details={"method": method, "allowed": allowed_methods})
    return method


def top_up_methods() -> list[str]:
    """Top-ups (and membership fees paid online) go through Stripe: the online methods offered."""
    return online_offered()


def validate_settings(online_methods: list[str] | None, campaign: dict | None) -> None:
    if online_methods is not None and (set(online_methods) - set(ONLINE) or
                                       len(set(online_methods)) != len(online_methods)):
        raise InvalidRequest(_("Online methods are card, wechat_pay and alipay, each once"),
                             code="invalid_payment_methods", details={"online": list(ONLINE)})
    currency = store_currency()
    unpresentable = [m for m in online_methods or [] if not presentable(m, currency)]
    if unpresentable:
        raise PaymentMethodCurrency(
            _("%(methods)s cannot be charged in %(currency)s, the store's currency. Stripe charges WeChat Pay "
              "in %(wechat_pay)s and Alipay in %(alipay)s.", methods=", ".join(unpresentable), currency=currency,
              wechat_pay=", ".join(sorted(PRESENTMENT["wechat_pay"])), alipay=", ".join(sorted(PRESENTMENT["alipay"]))),
            details={"methods": unpresentable, "currency": currency,
                     "presentment": {m: sorted(PRESENTMENT[m]) for m in unpresentable}})
    for kind, names in (campaign or {}).items():
        if kind not in CAMPAIGN_KINDS or not isinstance(names, list) or \
                set(names) - {"online", "wallet", *ONLINE}:
            raise InvalidRequest(_("Campaign payment methods: for flash_sale, group_buy or pre_sale, a list "
                                   "of online, wallet, card, wechat_pay, alipay"),
                                 code="invalid_payment_methods", details={"kind": kind})


def next_action_view(action: dict | None) -> dict | None:
    """What the shop needs from Stripe's next_action, in one flat shape for both methods:
    WeChat Pay: the QR payload (render it as a QR code) and Stripe's hosted page with the code;
    Alipay: the URL to send the shopper to (they come back to return_url)."""
    if not action:
        return None
    kind = action.get("type")
    if kind == "wechat_pay_display_qr_code":
        qr = action.get("wechat_pay_display_qr_code") or {}
        return {"type": kind, "qr_code_data": qr.get("data"), "hosted_url": qr.get("hosted_instructions_url"),
                "image_url_png": qr.get("image_url_png"), "image_url_svg": qr.get("image_url_svg"),
                "redirect_url": None}
    if kind == "alipay_handle_redirect":
        redirect = action.get("alipay_handle_redirect") or {}
        return {"type": kind, "qr_code_data": None, "hosted_url": None, "image_url_png": None,
                "image_url_svg": None, "redirect_url": redirect.get("url"), "return_url": redirect.get("return_url")}
    return {"type": kind}


def require_renewable(method: str | None) -> None:
    """Subscriptions renew with nobody present: only a saved card or the wallet can do that."""
    if method in SINGLE_USE:
        raise InvalidRequest(_("WeChat Pay and Alipay cannot renew a subscription by themselves: pay with a saved "
                               "card or the wallet"), code="renewal_needs_card_or_wallet",
                             details={"pay_with": ["card", "wallet"]})
