"""localstripe plus the few Stripe Connect resources our payout provider uses (and, from
tests/localstripe_wallets.py, WeChat Pay and Alipay PaymentIntents).

localstripe 1.15 has no Connect: no accounts, account links or transfers. This module adds minimal,
stateful ones in localstripe's own style (the real `stripe` SDK talks to them like to Stripe) and
then starts localstripe's server: `python -m tests.localstripe_connect --from-scratch --port N`.

Like the rest of localstripe, these ignore Idempotency-Key: that a retried payout never pays twice
is our layer's job, and the tests check it there.

As at Stripe, a new Express account cannot receive transfers until its owner completes Stripe's
onboarding form; here `POST /_config/accounts/{id}/onboard` stands in for filling it in. Until then
transfers to it are refused as Stripe refuses them (400).
"""
from __future__ import annotations

from aiohttp import web
from localstripe import server
from localstripe.errors import UserError
from localstripe.resources import List, StripeObject, random_id, store, try_convert_to_int


class Account(StripeObject):
    object = "account"
    _id_prefix = "acct_"

    def __init__(self, type=None, country=None, email=None, capabilities=None, metadata=None,
                 business_type=None, **kwargs):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs))
        if type not in ("express", "standard", "custom"):
            raise UserError(400, "Bad request: type must be express, standard or custom")
        super().__init__()
        self.type = type
        self.country = country or "US"
        self.email = email
        self.business_type = business_type
        self.metadata = metadata or {}
        self._onboarded(False)

    def _onboarded(self, done: bool) -> None:
        self.capabilities = {"transfers": "active" if done else "inactive"}
        self.payouts_enabled = self.charges_enabled = self.details_submitted = done


class AccountLink(StripeObject):
    object = "account_link"
    _id_prefix = "acctlink_"

    def __init__(self, account=None, refresh_url=None, return_url=None, type=None, **kwargs):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs))
        Account._api_retrieve(account or "")
        if type not in ("account_onboarding", "account_update") or not refresh_url or not return_url:
            raise UserError(400, "Bad request")
        super().__init__()
        self.account = account
        self.url = f"https://connect.stripe.com/setup/e/{account}/{random_id(12)}"
        self.expires_at = self.created + 300


class Transfer(StripeObject):
    object = "transfer"
    _id_prefix = "tr_"

    def __init__(self, amount=None, currency=None, destination=None, transfer_group=None, metadata=None,
                 description=None, **kwargs):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs))
        amount = try_convert_to_int(amount)
        if type(amount) is not int or amount <= 0 or not isinstance(currency, str):
            raise UserError(400, "Bad request")
        account = store.get(f"account:{destination}")
        if account is None:
            raise UserError(400, f"No such destination: '{destination}'")
        if account.capabilities.get("transfers") != "active":
            raise UserError(400, "Your destination account needs to have at least one of the following "
                                 "capabilities enabled: transfers, crypto_transfers, legacy_payments")
        super().__init__()
        self.amount = amount
        self.currency = currency
        self.destination = destination
        self.transfer_group = transfer_group
        self.metadata = metadata or {}
        self.description = description
        self.reversed = False
        self.amount_reversed = 0

    @classmethod
    def _api_list_all(cls, url, transfer_group=None, destination=None, limit=None, starting_after=None,
                      **kwargs):
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs))
        li = List(url, limit=limit, starting_after=starting_after)
        li._list = [t for key, t in store.items() if key.startswith("transfer:")
                    and transfer_group in (None, t.transfer_group) and destination in (None, t.destination)]
        return li


async def _onboard(request):
    """The account's owner completed Stripe's hosted onboarding."""
    Account._api_retrieve(request.match_info["id"])._onboarded(True)
    return web.Response()


def _register() -> None:
    router = server.app.router
    router.add_post("/_config/accounts/{id}/onboard", _onboard)
    for cls, verbs in ((Account, ("create", "retrieve")), (AccountLink, ("create",)),
                       (Transfer, ("create", "retrieve", "list"))):
        base = f"/v1/{cls.object}s"
        if "create" in verbs:
            router.add_route("POST", base, server.api_create(cls, base))
        if "retrieve" in verbs:
            router.add_route("GET", base + "/{id}", server.api_retrieve(cls, base))
        if "list" in verbs:
            router.add_route("GET", base, server.api_list_all(cls, base))


if __name__ == "__main__":
    from tests.localstripe_wallets import register as register_wallets

    _register()
    register_wallets()  # WeChat Pay and Alipay intents (tests/localstripe_wallets.py)
    server.start()
