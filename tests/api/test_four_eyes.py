"""Four-eyes: nobody approves their own campaign, commission change or payout proposal, nor their own
payout, however the requests race."""
from __future__ import annotations

import pytest

from app.campaigns.models import Campaign
from app.extensions import db
from tests.api.test_payouts import ask, earned
from tests.assertions import assert_error, database_unchanged
from tests.concurrency import race
from tests.factories import if_match, make_campaign, make_leader, make_staff

ADMIN = "/api/v1/admin"


def submitted_campaign(author):
    from app.campaigns import services as campaigns

    campaign = make_campaign(approve=False, staff=author)
    campaigns.submit(campaign)
    return campaign.id


def test_the_author_of_a_campaign_cannot_approve_it_but_may_reject_it(client):
    author, colleague = make_staff(role="operations"), make_staff(role="operations")
    cid = submitted_campaign(author)
    with database_unchanged():
        error = assert_error(client.post(f"{ADMIN}/campaigns/{cid}/approve", headers=author.headers),
                             403, "four_eyes_required")
    assert error["details"] == {"rule": "four_eyes", "campaign_id": cid}
    # Withdrawing one's own work needs no second pair of eyes.
    assert client.post(f"{ADMIN}/campaigns/{cid}/reject", headers=author.headers,
                       json={"reason": "prices wrong"}).status_code == 200
    cid2 = submitted_campaign(author)
    assert client.post(f"{ADMIN}/campaigns/{cid2}/approve", headers=colleague.headers).status_code == 200


def test_four_eyes_message_is_translated(client):
    author = make_staff()
    cid = submitted_campaign(author)
    r = client.post(f"{ADMIN}/campaigns/{cid}/approve", headers={**author.headers, "Accept-Language": "zh-CN"})
    assert "审核" in r.get_json()["error"]["message"]


@pytest.mark.postgres
def test_author_and_colleague_racing_to_approve_make_one_approval_by_the_colleague(app):
    author, colleague = make_staff(role="operations"), make_staff(role="operations")
    cid = submitted_campaign(author)
    heads = [author.headers, colleague.headers]
    responses = race(app, 16, lambda c, i: c.post(f"{ADMIN}/campaigns/{cid}/approve", headers=heads[i % 2]))
    by_author = [r for i, r in enumerate(responses) if i % 2 == 0]
    by_colleague = [r for i, r in enumerate(responses) if i % 2 == 1]
    assert {r.get_json()["error"]["code"] for r in by_author} == {"four_eyes_required"}
    assert sorted(r.status_code for r in by_colleague) == [200] + [409] * 7
    db.session.commit()
    campaign = db.session.get(Campaign, cid)
    assert (campaign.review.value, campaign.reviewed_by_id) == ("approved", colleague.id)


def payout_of(client, staff, payout_id):
    return client.get(f"{ADMIN}/payouts/{payout_id}", headers=staff.headers).get_json()


def test_a_payout_needs_one_staff_member_to_propose_and_another_to_approve(client):
    leader = make_leader()
    earned(leader, 10_000)
    payout_id = ask(client, leader, 5_000).get_json()["id"]
    ann, ben = make_staff(role="finance"), make_staff(role="finance")
    proposed = client.post(f"{ADMIN}/payouts/{payout_id}/approve", headers=ann.headers)
    assert proposed.status_code == 202
    request = proposed.get_json()
    assert (request["kind"], request["status"], request["subject_id"], request["amount_cents"]) == (
        "payout", "pending", payout_id, 5_000)
    payout = payout_of(client, ben, payout_id)
    assert payout["status"] == "requested"
    assert payout["pending_approval"] == {"id": request["id"], "requested_by_id": ann.id,
                                          "requested_by_name": ann.account.name}
    # Proposing again, by anyone, answers the proposal that stands.
    for who in (ann, ben):
        again = client.post(f"{ADMIN}/payouts/{payout_id}/approve", headers=who.headers)
        assert again.status_code == 202 and again.get_json()["id"] == request["id"]
    url = f"{ADMIN}/payout-requests/{request['id']}/approve"
    with database_unchanged():
        error = assert_error(client.post(url, headers=ann.headers), 403, "four_eyes_required")
    assert error["details"] == {"rule": "four_eyes", "request_id": request["id"], "kind": "payout"}
    approved = client.post(url, headers=ben.headers)
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert (body["status"], body["result_id"], body["decided_by_id"]) == ("approved", payout_id, ben.id)
    payout = payout_of(client, ann, payout_id)
    assert (payout["status"], payout["pending_approval"]) == ("approved", None)
    assert client.post(url, headers=ben.headers).get_json() == body  # approving again answers the same
    assert_error(client.post(f"{ADMIN}/payouts/{payout_id}/approve", headers=ann.headers), 409, "payout_not_pending")
    listed = client.get(f"{ADMIN}/payout-requests?status=approved", headers=ann.headers).get_json()
    assert [r["id"] for r in listed] == [request["id"]]


def test_the_payee_may_neither_propose_nor_approve_their_own_payout(client):
    leader = make_leader()
    earned(leader, 10_000)
    payout_id = ask(client, leader, 5_000).get_json()["id"]
    same_person = make_staff(role="finance", email=leader.account.email)  # one person, two logins
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/payouts/{payout_id}/approve", headers=same_person.headers),
                     403, "four_eyes_required")
    request = client.post(f"{ADMIN}/payouts/{payout_id}/approve", headers=make_staff(role="finance").headers)
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/payout-requests/{request.get_json()['id']}/approve",
                                 headers=same_person.headers), 403, "four_eyes_required")


def test_rejecting_a_payout_closes_its_proposal_and_a_withdrawn_proposal_leaves_it_requested(client):
    leader = make_leader()
    earned(leader, 10_000)
    first, second = (ask(client, leader, 2_000, key).get_json()["id"] for key in ("a", "b"))
    ann, ben = make_staff(role="finance"), make_staff(role="finance")
    request = client.post(f"{ADMIN}/payouts/{first}/approve", headers=ann.headers).get_json()
    client.post(f"{ADMIN}/payouts/{first}/reject", headers=ben.headers, json={"reason": "wrong bank"})
    closed = client.get(f"{ADMIN}/payout-requests?status=rejected", headers=ben.headers).get_json()
    assert [(r["id"], r["rejection_reason"]) for r in closed] == [(request["id"], "wrong bank")]
    assert_error(client.post(f"{ADMIN}/payout-requests/{request['id']}/approve", headers=ben.headers), 409,
                 "approval_request_decided")
    request = client.post(f"{ADMIN}/payouts/{second}/approve", headers=ann.headers).get_json()
    withdrawn = client.post(f"{ADMIN}/payout-requests/{request['id']}/reject", headers=ann.headers, json={})
    assert withdrawn.get_json()["status"] == "rejected"
    assert payout_of(client, ann, second)["status"] == "requested"
    again = client.post(f"{ADMIN}/payouts/{second}/approve", headers=ben.headers)  # a fresh proposal
    assert again.status_code == 202 and again.get_json()["id"] != request["id"]


@pytest.mark.postgres
def test_proposer_and_two_colleagues_racing_approve_a_payout_once(app, client):
    leader = make_leader()
    earned(leader, 10_000)
    payout_id = ask(client, leader, 5_000).get_json()["id"]
    proposer, ann, ben = make_staff(role="finance"), make_staff(role="finance"), make_staff(role="finance")
    proposals = race(app, 6, lambda c, i: c.post(f"{ADMIN}/payouts/{payout_id}/approve",
                                                 headers=[proposer.headers, ann.headers][i % 2]))
    assert {r.status_code for r in proposals} == {202}
    [request_id] = {r.get_json()["id"] for r in proposals}  # one proposal, however many raced
    heads = [proposer.headers, ann.headers, ben.headers]
    proposer_id = {r.get_json()["requested_by_id"] for r in proposals}.pop()
    responses = race(app, 12, lambda c, i: c.post(f"{ADMIN}/payout-requests/{request_id}/approve",
                                                  headers=heads[i % 3]))
    ok = [r.get_json() for r in responses if r.status_code == 200]
    assert ok and len({(r["decided_by_id"], r["result_id"]) for r in ok}) == 1
    assert ok[0]["decided_by_id"] != proposer_id
    refused = [r for r in responses if r.status_code != 200]
    assert {r.status_code for r in refused} <= {403, 409}
    db.session.commit()
    from app.commissions import ledger
    from app.commissions.models import EntryKind, JournalEntry, Payout

    assert db.session.get(Payout, payout_id).status.value == "approved"
    import sqlalchemy as sa

    refs = db.session.scalars(sa.select(JournalEntry.ref).where(JournalEntry.kind == EntryKind.PAYOUT)).all()
    assert sorted(refs) == [f"payout:request:{payout_id}"]
    assert ledger.balances(leader.account.id)["withdrawing"] == 5_000


RULE = {"scope": "default", "leader_rate_bps": 900, "valid_from": "2020-01-01T00:00:00Z"}


def rule_count():
    import sqlalchemy as sa

    from app.commissions.models import CommissionRule

    db.session.commit()
    return db.session.scalar(sa.select(sa.func.count()).select_from(CommissionRule))


def test_a_commission_rule_takes_effect_only_when_a_colleague_approves_it(client):
    proposer, colleague = make_staff(role="finance"), make_staff(role="finance")
    proposed = client.post(f"{ADMIN}/commission-rules", headers=proposer.headers, json=RULE)
    assert proposed.status_code == 202 and proposed.get_json()["status"] == "pending"
    request_id = proposed.get_json()["id"]
    assert rule_count() == 0
    with database_unchanged():
        error = assert_error(client.post(f"{ADMIN}/commission-changes/{request_id}/approve",
                                         headers=proposer.headers), 403, "four_eyes_required")
    assert error["details"] == {"rule": "four_eyes", "request_id": request_id, "kind": "commission_rule"}
    approved = client.post(f"{ADMIN}/commission-changes/{request_id}/approve", headers=colleague.headers)
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert (body["status"], body["decided_by_id"], body["requested_by_id"]) == ("approved", colleague.id, proposer.id)
    rules = client.get(f"{ADMIN}/commission-rules", headers=colleague.headers).get_json()
    assert [(r["id"], r["leader_rate_bps"]) for r in rules] == [(body["result_id"], 900)]
    # Approving again answers the same; rejecting what is approved is a conflict.
    again = client.post(f"{ADMIN}/commission-changes/{request_id}/approve", headers=colleague.headers)
    assert again.status_code == 200 and again.get_json()["result_id"] == body["result_id"]
    assert_error(client.post(f"{ADMIN}/commission-changes/{request_id}/reject", headers=proposer.headers,
                             json={}), 409, "approval_request_decided")
    assert rule_count() == 1


def test_settings_and_rule_ends_wait_for_approval_and_a_proposer_may_withdraw(client):
    proposer, colleague = make_staff(role="finance"), make_staff()
    r = client.patch(f"{ADMIN}/commission-settings",
                     headers=if_match(client, f"{ADMIN}/commission-settings", proposer.headers),
                     json={"after_sale_days": 9})
    assert r.status_code == 202
    assert client.get(f"{ADMIN}/commission-settings", headers=proposer.headers).get_json()["after_sale_days"] != 9
    withdrawn = client.post(f"{ADMIN}/commission-changes/{r.get_json()['id']}/reject", headers=proposer.headers,
                            json={"reason": "typo"})
    assert withdrawn.get_json()["status"] == "rejected"
    assert_error(client.post(f"{ADMIN}/commission-changes/{r.get_json()['id']}/approve",
                             headers=colleague.headers), 409, "approval_request_decided")
    r = client.patch(f"{ADMIN}/commission-settings",
                     headers=if_match(client, f"{ADMIN}/commission-settings", proposer.headers),
                     json={"after_sale_days": 9})
    assert client.post(f"{ADMIN}/commission-changes/{r.get_json()['id']}/approve",
                       headers=colleague.headers).status_code == 200
    assert client.get(f"{ADMIN}/commission-settings", headers=proposer.headers).get_json()["after_sale_days"] == 9
    pending = client.get(f"{ADMIN}/commission-changes?status=rejected", headers=colleague.headers).get_json()
    assert [p["rejection_reason"] for p in pending] == ["typo"]


@pytest.mark.postgres
def test_two_colleagues_and_the_proposer_racing_apply_a_rule_change_once(app, client):
    proposer, ann, ben = make_staff(role="finance"), make_staff(role="finance"), make_staff()
    request_id = client.post(f"{ADMIN}/commission-rules", headers=proposer.headers, json=RULE).get_json()["id"]
    heads = [proposer.headers, ann.headers, ben.headers]
    responses = race(app, 12, lambda c, i: c.post(f"{ADMIN}/commission-changes/{request_id}/approve",
                                                  headers=heads[i % 3]))
    assert {responses[i].get_json()["error"]["code"] for i in range(0, 12, 3)} == {"four_eyes_required"}
    colleagues = [r for i, r in enumerate(responses) if i % 3]
    ok = [r.get_json() for r in colleagues if r.status_code == 200]
    assert {r.status_code for r in colleagues} <= {200, 409} and ok
    assert len({(r["decided_by_id"], r["result_id"]) for r in ok}) == 1  # one decision, repeated
    assert rule_count() == 1
