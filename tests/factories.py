"""Plain factory functions. They go through the real services, so the rows they make are the rows
the API would make."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.accounts import services as accounts
from app.accounts.models import Account
from app.catalog import services as catalog
from app.catalog.models import Product
from app.extensions import db
from app.groups import bindings
from app.groups import services as groups
from app.groups.models import Group
from app.leaders import services as leaders
from app.leaders.models import Leader
from app.pickup_points import services as points
from app.pickup_points.models import PickupPoint

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def seq() -> int:
    return next(_seq)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class User:
    account: Account
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.token)

    @property
    def id(self) -> int:
        return self.account.id


@dataclass
class LeaderUser(User):
    leader: Leader
    point: PickupPoint


def make_shopper(**overrides: Any) -> User:
    n = seq()
    data = {"name": f"Shopper {n}", "email": f"shopper{n}@example.com", "password": PASSWORD} | overrides
    issued = accounts.register_shopper(**data)
    return User(issued.account, issued.token)


def make_staff(**overrides: Any) -> User:
    n = seq()
    data = {"name": f"Staff {n}", "email": f"staff{n}@example.com", "password": PASSWORD} | overrides
    # Owner unless a role is given (every staff account was an owner before roles existed).
    accounts.create_staff(**data)
    from app.accounts.models import AccountKind

    issued = accounts.login(AccountKind.STAFF, data["email"], data["password"])
    return User(issued.account, issued.token)


def application_data(**overrides: Any) -> dict[str, Any]:
    n = seq()
    return {
        "name": f"Leader {n}", "phone": f"+86 138 0013 {n % 10000:04d}", "motivation": None,
        "point_name": f"Point {n}", "point_address": f"{n} Test Road",
        "point_latitude": 31.23, "point_longitude": 121.47,
    } | overrides


def make_leader(staff: User | None = None, **overrides: Any) -> LeaderUser:
    shopper = make_shopper()
    staff = staff or make_staff()
    application = leaders.apply(shopper.id, application_data(**overrides))
    application = leaders.approve(application.id, staff.id)
    leader = db.session.get(Leader, application.leader_id)
    point = db.session.get(PickupPoint, application.pickup_point_id)
    return LeaderUser(shopper.account, shopper.token, leader, point)


def make_point(**overrides: Any) -> PickupPoint:
    n = seq()
    data = {"name": f"Point {n}", "address": f"{n} Test Road", "latitude": 31.23, "longitude": 121.47} | overrides
    leader_id = data.pop("leader_id", None)
    return points.create_point(data, leader_id=leader_id)


def make_group(leader: LeaderUser | None = None, point: PickupPoint | None = None, **overrides: Any) -> Group:
    n = seq()
    point_id = point.id if point else (leader.point.id if leader else make_point().id)
    data = {
        "name": f"Group {n}", "neighbourhood": f"Block {n}", "pickup_point_id": point_id,
        "leader_id": leader.leader.id if leader else None,
    } | overrides
    return groups.create_group(data)


def code_of(group: Group) -> str:
    return groups.public_link(group.id).code


def join(user: User, group: Group, code: str | None = None) -> None:
    bindings.join(user.account, code or code_of(group))


def make_category(**overrides: Any) -> Any:
    n = seq()
    return catalog.create_category(**({"name": f"Category {n}"} | overrides))


def make_product(**overrides: Any) -> Product:
    n = seq()
    skus = overrides.pop("skus", None) or [
        {"code": f"SKU-{n}", "name": "Standard", "price_cents": 1000, "stock_total": 50}
    ]
    data = {"name": f"Product {n}", "status": "active", "skus": skus} | overrides
    return catalog.create_product(data)


# Append-only audit logs that record refused attempts too, by design (every pickup-code try).
AUDIT_LOGS = {"pickup_attempts"}


def table_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table: compare before and after a rejected request to prove nothing changed."""
    db.session.commit()
    snapshot = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in AUDIT_LOGS:
                continue
            rows = conn.execute(sa.select(table)).all()
            snapshot[table.name] = sorted(tuple(map(repr, r)) for r in rows)
    return snapshot


def make_buyer(group: Group | None = None, **overrides: Any) -> User:
    """A shopper who has joined a group (one is made if not given)."""
    user = make_shopper(**overrides)
    join(user, group or make_group(make_leader()))
    return user


def checkout(client, user: User, lines: list[tuple[int, int]], *, method: str = "stripe", key: str | None = None):
    """POST /store/orders with [(sku_id, quantity)]; a fresh Idempotency-Key unless one is given."""
    import uuid

    body = {"lines": [{"sku_id": s, "quantity": q} for s, q in lines], "payment_method": method}
    return client.post("/api/v1/store/orders", json=body,
                       headers={**user.headers, "Idempotency-Key": key or str(uuid.uuid4())})


def sku_counts(sku_id: int) -> tuple[int, int, int]:
    """(total, reserved, sold) as committed in the database."""
    from app.catalog.models import Sku

    db.session.commit()  # a fresh transaction sees what other connections committed
    sku = db.session.get(Sku, sku_id)
    return sku.stock_total, sku.stock_reserved, sku.stock_sold


def make_campaign(kind: str = "flash_sale", items=None, *, approve: bool = True, starts_in_minutes: int = -1,
                  minutes: int = 60, staff: User | None = None, **overrides: Any):
    """A campaign (approved by default) starting `starts_in_minutes` from now, open for `minutes`.
    items: (sku_id, campaign_price_cents, stock_total) tuples or full item dicts; a fresh SKU if not given."""
    import datetime as dt

    from app.campaigns import services as campaigns
    from app.db import utcnow

    staff = staff or make_staff()
    if items is None:
        sku = make_product(skus=[{"code": f"CAMP-{seq()}", "name": "x", "price_cents": 1000,
                                  "stock_total": 500}]).skus[0]
        items = [(sku.id, 600, 100)]
    start = utcnow() + dt.timedelta(minutes=starts_in_minutes)
    data = {"kind": kind, "name": f"Campaign {seq()}", "starts_at": start,
            "ends_at": start + dt.timedelta(minutes=minutes), "items": [
                i if isinstance(i, dict) else {"sku_id": i[0], "campaign_price_cents": i[1], "stock_total": i[2]}
                for i in items]} | overrides
    campaign = campaigns.create(data, staff.id)
    if approve:
        campaigns.submit(campaign)
        campaigns.approve(campaign, make_staff(role="operations").id)  # four-eyes: not the author
    return campaign


def approve_change(client, response, approver: User | None = None) -> dict[str, Any]:
    """A proposed commission change (202, four-eyes) approved by a colleague; the approved request."""
    assert response.status_code == 202, response.get_json()
    approver = approver or make_staff(role="finance")
    r = client.post(f"/api/v1/admin/commission-changes/{response.get_json()['id']}/approve",
                    headers=approver.headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def approve_payout(client, staff: User, payout_id: int, approver: User | None = None):
    """Four-eyes: `staff` proposes approving the payout and a finance colleague approves. The refused
    proposal's response if it was refused, else the approval's."""
    proposed = client.post(f"/api/v1/admin/payouts/{payout_id}/approve", headers=staff.headers)
    if proposed.status_code != 202:
        return proposed
    approver = approver or make_staff(role="finance")
    return client.post(f"/api/v1/admin/payout-requests/{proposed.get_json()['id']}/approve", headers=approver.headers)


def if_match(client, url: str, headers: dict[str, str]) -> dict[str, str]:
    """`headers` plus the If-Match a PATCH of `url` needs: the ETag of reading it now (docs/api.md ETags)."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.headers.get("ETag"), response.get_data(as_text=True)
    return headers | {"If-Match": response.headers["ETag"]}
