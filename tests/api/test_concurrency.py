"""Races on PostgreSQL with real threads and connections: each contested path ends in exactly one
outcome, and every loser gets a clean 4xx."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Account
from app.extensions import db
from app.groups.models import Binding, GroupLink
from app.leaders.models import Leader
from tests.concurrency import race
from tests.factories import application_data, code_of, join, make_group, make_leader, make_shopper, make_staff

pytestmark = pytest.mark.postgres
N = 16


def test_concurrent_joins_leave_exactly_one_current_binding(app):
    a, b = make_group(make_leader()), make_group(make_leader())
    shopper = make_shopper()
    codes = [code_of(a), code_of(b)]
    responses = race(app, N, lambda c, i: c.post(f"/api/v1/store/groups/{codes[i % 2]}/join",
                                                 headers=shopper.headers))
    assert {r.status_code for r in responses} <= {200, 201, 409}
    current = db.session.scalars(sa.select(Binding).where(Binding.account_id == shopper.id,
                                                          Binding.ended_at.is_(None))).all()
    assert len(current) == 1


def test_concurrent_approvals_make_one_leader(app):
    staff, shopper = make_staff(), make_shopper()
    app_id = app.test_client().post("/api/v1/store/leader-applications", headers=shopper.headers,
                                    json=application_data()).get_json()["id"]
    responses = race(app, N, lambda c, i: c.post(f"/api/v1/admin/leader-applications/{app_id}/approve",
                                                 headers=staff.headers))
    assert sorted(r.status_code for r in responses) == [200] + [409] * (N - 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Leader)
                             .where(Leader.account_id == shopper.id)) == 1


def test_concurrent_link_minting_gives_everyone_the_same_link(app):
    group = make_group(make_leader())
    member = make_shopper()
    join(member, group)
    group_id, headers = group.id, member.headers  # read here: threads have no app context
    responses = race(app, N, lambda c, i: c.post("/api/v1/store/links", headers=headers,
                                                 json={"group_id": group_id}))
    assert {r.status_code for r in responses} == {201}
    assert len({r.get_json()["code"] for r in responses}) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupLink)
                             .where(GroupLink.owner_account_id == member.id)) == 1


def test_concurrent_registrations_with_one_email_make_one_account(app):
    body = {"name": "Racer", "email": "race@example.com", "password": "s3cret-pass"}
    responses = race(app, N, lambda c, i: c.post("/api/v1/store/auth/register", json=body))
    assert sorted(r.status_code for r in responses) == [201] + [409] * (N - 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Account)
                             .where(Account.email == "race@example.com")) == 1


def test_concurrent_applications_by_one_shopper_leave_one_pending(app):
    shopper = make_shopper()
    responses = race(app, N, lambda c, i: c.post("/api/v1/store/leader-applications", headers=shopper.headers,
                                                 json=application_data()))
    assert sorted(r.status_code for r in responses) == [201] + [409] * (N - 1)
