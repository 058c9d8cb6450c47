"""A shop selling rice to a shopper over months, for the replenishment tests: every purchase is
made through the real checkout (paid from the wallet, so at once) at a store-local time."""
from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass

import sqlalchemy as sa
import time_machine

from app.accounts import services as accounts
from app.accounts.models import AccountKind
from app.extensions import db
from app.notifications.models import OutboxEvent
from app.replenishment.models import ReplenishmentReminder
from app.wallet import ledger as wallet
from app.wallet.models import WalletKind
from tests.factories import PASSWORD, User, auth, make_buyer, make_product

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = dt.date(2027, 3, 1)
STORE = "/api/v1/store"


def at_local(day: dt.date, hour: int = 10, minute: int = 0) -> time_machine.travel:
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI), tick=False)


def headers(user: User) -> dict[str, str]:
    """A fresh login: a token from before a jump in time may have expired after it."""
    return auth(accounts.login(AccountKind.SHOPPER, user.account.email, PASSWORD).token)


@dataclass
class Shop:
    product_id: int
    sku_id: int
    buyer: User


def make_shop(usage_days: int = 15) -> Shop:
    """Rice (5 kg bags the merchant reckons last `usage_days` each) and a buyer with a full wallet,
    all made on START so nothing exists before the first purchase."""
    with at_local(START, 8):
        rice = make_product(name="Northeast rice", repeat_use=True, usage_days_per_unit=usage_days,
                            skus=[{"code": f"RICE-{uuid.uuid4().hex[:6]}", "name": "5 kg", "price_cents": 4500,
                                   "stock_total": 1000}])
        buyer = make_buyer()
        fund(buyer)
        return Shop(rice.id, rice.skus[0].id, buyer)


def fund(buyer: User, cents: int = 10_000_000) -> None:
    wallet.post(buyer.id, WalletKind.ADJUST, cents, 0, ref=f"test-fund-{uuid.uuid4()}")
    db.session.commit()


def buy(client, buyer: User, sku_id: int, quantity: int, day: dt.date, hour: int = 10, minute: int = 0,
        method: str = "wallet") -> dict:
    with at_local(day, hour, minute):
        r = client.post(f"{STORE}/orders", json={"lines": [{"sku_id": sku_id, "quantity": quantity}],
                                                 "payment_method": method},
                        headers={**headers(buyer), "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def history(client, shop: Shop, purchases: list[tuple[int, int]]) -> list[dict]:
    """(days after START, bags) purchases, each at 10:00 local."""
    return [buy(client, shop.buyer, shop.sku_id, bags, START + dt.timedelta(days=offset))
            for offset, bags in purchases]


def outlook(client, user: User, day: dt.date) -> list[dict]:
    with at_local(day):
        r = client.get(f"{STORE}/replenishment", headers=headers(user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def reminders() -> list[ReplenishmentReminder]:
    db.session.commit()
    return list(db.session.scalars(sa.select(ReplenishmentReminder).order_by(ReplenishmentReminder.id)))


def events(event_type: str) -> list[OutboxEvent]:
    db.session.commit()
    return list(db.session.scalars(sa.select(OutboxEvent).where(OutboxEvent.event_type == event_type)
                                   .order_by(OutboxEvent.id)))
