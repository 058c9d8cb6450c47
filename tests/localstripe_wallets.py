"""localstripe plus WeChat Pay and Alipay PaymentIntents, the minimum our flows need.

localstripe 1.15 knows card and SEPA only. Stripe's reference (PaymentIntent object and create):
- `payment_method_types: ["wechat_pay"]` with `payment_method_options.wechat_pay.client` (web, ios,
  android; ios/android also need app_id); confirmed with `payment_method_data: {type: wechat_pay}` the
  intent is `requires_action` with `next_action = {type: "wechat_pay_display_qr_code",
  wechat_pay_display_qr_code: {data, hosted_instructions_url, image_data_url, image_url_png,
  image_url_svg}}`.
- `payment_method_types: ["alipay"]` confirmed with `payment_method_data: {type: alipay}` needs a
  `return_url`; then `next_action = {type: "alipay_handle_redirect", alipay_handle_redirect:
  {native_data, native_url, return_url, url}}`.
- The shopper then pays in the app (or gives up): the intent becomes `succeeded` (a charge, which
  refunds work on) or goes back to `requires_payment_method` with a `last_payment_error`;
  `payment_intent.succeeded` / `payment_intent.payment_failed` follow.

The shopper's side is a test hook here: `POST /_config/payment_intents/{id}/complete` (scanned and
paid) and `POST /_config/payment_intents/{id}/fail` (declined or abandoned). Webhooks are built and
signed by tests/stripe_helpers.py from the intent as this fake holds it, as for cards.
"""
from __future__ import annotations

from aiohttp import web
from localstripe import server
from localstripe.errors import UserError
from localstripe.resources import PaymentIntent, PaymentMethod, StripeObject, random_id

WALLET_TYPES = ("wechat_pay", "alipay")


class WalletPaymentMethod(PaymentMethod):
    """A wechat_pay / alipay PaymentMethod: no details to check, never declined at charge time
    (the shopper's decision is the test hook's)."""

    def __init__(self, type=None, metadata=None):  # noqa: A002 - Stripe's field name
        StripeObject.__init__(self)
        self.type = type
        setattr(self, type, {})
        self.billing_details = {}
        self.customer = None
        self.metadata = metadata or {}

    def _requires_authentication(self):
        return False

    def _attaching_is_declined(self):
        return False

    def _charging_is_declined(self):
        return False


class WalletPaymentIntent(PaymentIntent):
    """A PaymentIntent of a wallet type (the same store key as any intent)."""

    @property
    def last_payment_error(self):
        return getattr(self, "_wallet_error", None) or super().last_payment_error


def _validate(types, options, data, return_url) -> str:
    kind = types[0]
    if len(types) != 1 or (data or {}).get("type") not in (None, kind):
        raise UserError(400, "payment_method_data.type must match payment_method_types")
    if kind == "wechat_pay":
        client = ((options or {}).get("wechat_pay") or {}).get("client")
        if client not in ("web", "ios", "android"):
            raise UserError(400, "payment_method_options[wechat_pay][client] is required for WeChat Pay")
        if client != "web" and not options["wechat_pay"].get("app_id"):
            raise UserError(400, "payment_method_options[wechat_pay][app_id] is required for ios and android")
    if kind == "alipay" and data is not None and not return_url:
        raise UserError(400, "A return_url is required to confirm an Alipay PaymentIntent")
    return kind


def _next_action(intent: WalletPaymentIntent) -> dict:
    token = random_id(24)
    if intent._wallet_type == "wechat_pay":
        return {"type": "wechat_pay_display_qr_code", "wechat_pay_display_qr_code": {
            "data": f"weixin://wxpay/bizpayurl?pr={token}",
            "hosted_instructions_url": f"https://payments.stripe.com/qr/instructions/{token}",
            "image_data_url": "data:image/png;base64,iVBORw0KGgo=",
            "image_url_png": f"https://qr.stripe.com/{token}.png",
            "image_url_svg": f"https://qr.stripe.com/{token}.svg"}}
    return {"type": "alipay_handle_redirect", "alipay_handle_redirect": {
        "native_data": None, "native_url": None, "return_url": intent._return_url,
        "url": f"https://hooks.stripe.com/redirect/authenticate/src_{token}?client_secret=src_client_secret_{token}"}}


def _confirm_wallet(intent: WalletPaymentIntent) -> None:
    pm = WalletPaymentMethod(type=intent._wallet_type)
    intent.payment_method = pm.id
    intent._wallet_error = None
    intent.next_action = _next_action(intent)


_original_create = PaymentIntent._api_create.__func__


def _api_create(cls, confirm=None, payment_method_data=None, return_url=None, **data):
    types = data.get("payment_method_types") or []
    if not any(t in WALLET_TYPES for t in types):
        if payment_method_data is not None or return_url is not None:
            raise UserError(400, "Unexpected payment_method_data / return_url for this fake's card intents")
        return _original_create(cls, confirm=confirm, **data)
    kind = _validate(types, data.get("payment_method_options"), payment_method_data, return_url)
    obj = _original_create(cls, **data)   # not confirmed by localstripe: we do it
    obj.__class__ = WalletPaymentIntent
    obj.payment_method_types = [kind]
    obj.payment_method_options = data.get("payment_method_options") or {}
    obj._wallet_type, obj._return_url, obj._wallet_error = kind, return_url, None
    if str(confirm).lower() == "true":
        _confirm_wallet(obj)
    return obj


async def _complete(request):
    """The shopper scanned the QR code / approved in Alipay and paid."""
    intent = PaymentIntent._api_retrieve(request.match_info["id"])
    if not isinstance(intent, WalletPaymentIntent) or intent.status != "requires_action":
        return web.json_response({"error": {"message": "not a wallet intent awaiting the shopper"}}, status=400)
    intent.next_action = None
    intent._create_charge(on_failure_now=intent._report_failure)
    return web.json_response(intent._export())


async def _fail(request):
    """The shopper gave up or the wallet declined: back to requires_payment_method, with an error."""
    intent = PaymentIntent._api_retrieve(request.match_info["id"])
    if not isinstance(intent, WalletPaymentIntent) or intent.status != "requires_action":
        return web.json_response({"error": {"message": "not a wallet intent awaiting the shopper"}}, status=400)
    intent.next_action, intent.payment_method = None, None
    intent._wallet_error = {"code": "payment_intent_payment_attempt_failed", "type": "card_error",
                            "message": "The customer did not approve the payment."}
    return web.json_response(intent._export())


def register() -> None:
    PaymentIntent._api_create = classmethod(_api_create)
    router = server.app.router
    router.add_post("/_config/payment_intents/{id}/complete", _complete)
    router.add_post("/_config/payment_intents/{id}/fail", _fail)
