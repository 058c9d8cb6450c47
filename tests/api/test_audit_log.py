"""The audit log: every staff write that changes something leaves an entry written in the same
transaction; rejected writes leave none; owners read, filter and export it; it is append-only."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.staff.models import AuditEntry
from tests.api.test_every_endpoint import OPERATIONS, call, url, valid_body
from tests.factories import code_of, make_campaign, make_group, make_leader, make_shopper, make_staff, table_snapshot

ADMIN = "/api/v1/admin"
WRITES = [(m, p) for m, p, op in OPERATIONS
          if p.startswith(("/api/v1/admin", "/api/v1/leader")) and m != "get" and op.get("security")
          and not p.endswith("/auth/logout")]
succeeded: list[str] = []


def _without_log(snapshot: dict) -> dict:
    return {t: rows for t, rows in snapshot.items() if t not in {"audit_log", "auth_tokens", "idempotency_keys"}}


@pytest.fixture
def world():
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    return {"staff": staff, "leader": leader, "shopper": make_shopper(), "code": code_of(group),
            "group_id": group.id, "point_id": leader.point.id}


@pytest.mark.parametrize("method, path", WRITES, ids=[f"{m.upper()} {p}" for m, p in WRITES])
def test_every_write_that_changes_something_is_audited(client, world, method, path):
    who = world["staff"] if path.startswith("/api/v1/admin") else world["leader"]
    target = url(path, world)
    before = table_snapshot()
    response = call(client, method, target, who.headers, json=valid_body(method, path) or {})
    changed = _without_log(table_snapshot()) != _without_log(before)
    rows = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.path == target)).all()
    if changed:
        assert response.status_code < 300, response.get_json()
        assert rows, f"{method.upper()} {path} changed the database without an audit entry"
        assert {r.actor_id for r in rows} == {who.id} and all(r.changes for r in rows)
        succeeded.append(path)
    else:
        assert rows == [], "an entry for a write that changed nothing"


def test_the_walk_reached_enough_writes():
    # Run after the walk (same module); a walk where nothing succeeds proves nothing. The walk's
    # minimal bodies get 9 (PostgreSQL) to 10 (SQLite) writes through; the rest are covered by the
    # hooks being generic, and by the entry tests below.
    if not succeeded:
        pytest.skip("the walk did not run in this session")
    assert len(succeeded) >= 8, succeeded


def test_an_entry_has_who_what_where_and_before_after(client):
    author, approver = make_staff(), make_staff(role="operations")
    campaign = make_campaign(approve=False, staff=author)
    client.post(f"{ADMIN}/campaigns/{campaign.id}/submit", headers=author.headers)
    r = client.post(f"{ADMIN}/campaigns/{campaign.id}/approve", headers={
        **approver.headers, "X-Request-Id": "req-12345678"}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert r.status_code == 200, r.get_json()
    assert r.headers["X-Request-Id"] == "req-12345678"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.request_id == "req-12345678")).one()
    assert (entry.actor_id, entry.actor_role, entry.method) == (approver.id, "operations", "POST")
    assert (entry.object_type, entry.object_id) == ("campaign", str(campaign.id))
    assert entry.action == "admin.approve_campaign" and entry.ip_address == "203.0.113.9"
    update = next(c for c in entry.changes if c["table"] == "campaigns")
    assert update["values"]["review"] == "approved" if update.get("statement") else \
        update["fields"]["review"] == {"before": "submitted", "after": "approved"}


def test_a_rejected_write_leaves_no_entry(client):
    owner = make_staff()
    r = client.post(f"{ADMIN}/campaigns/2147483000/approve", headers=owner.headers)
    assert r.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_owners_filter_and_export_the_log(client):
    owner, ops = make_staff(), make_staff(role="operations")
    client.post(f"{ADMIN}/categories", headers=ops.headers, json={"name": "蔬菜"})
    client.post(f"{ADMIN}/categories", headers=owner.headers, json={"name": "水果"})
    listed = client.get(f"{ADMIN}/audit-log?actor_id={ops.id}", headers=owner.headers).get_json()
    assert [e["actor_role"] for e in listed] == ["operations"]
    assert listed[0]["changes"][0]["after"]["name"] == "蔬菜"
    csv = client.get(f"{ADMIN}/audit-log.csv", headers=owner.headers)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("id,at,actor_id") and len(lines) == 3 and "水果" in lines[1]


def test_secrets_never_reach_the_log(client):
    owner = make_staff()
    client.post(f"{ADMIN}/staff", headers=owner.headers, json={"name": "A", "email": "a@example.com", "role": "driver"})
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    account = next(c for c in entry.changes if c["table"] == "accounts")
    assert account["after"]["password_hash"] == "***"


def test_the_log_is_append_only(client):
    owner = make_staff()
    client.post(f"{ADMIN}/categories", headers=owner.headers, json={"name": "x"})
    with pytest.raises(sa.exc.DatabaseError), db.engine.begin() as conn:
        conn.execute(sa.update(AuditEntry).values(actor_name="someone else"))


def test_leader_operational_writes_are_logged(client):
    leader = make_leader()
    r = client.patch(f"/api/v1/leader/pickup-points/{leader.point.id}", headers=leader.headers,
                     json={"name": "新名字"})
    assert r.status_code == 200, r.get_json()
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert (entry.actor_id, entry.actor_role) == (leader.id, "leader")
