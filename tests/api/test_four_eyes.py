"""Four-eyes: nobody approves their own campaign or their own payout, however the requests race."""
from __future__ import annotations

import pytest

from app.campaigns.models import Campaign
from app.extensions import db
from tests.api.test_payouts import ask, earned
from tests.assertions import assert_error, database_unchanged
from tests.concurrency import race
from tests.factories import make_campaign, make_leader, make_staff

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


def test_a_staff_member_cannot_approve_their_own_payout_as_a_leader(client):
    leader = make_leader()
    earned(leader, 10_000)
    payout_id = ask(client, leader, 5_000).get_json()["id"]
    same_person = make_staff(role="finance", email=leader.account.email)  # one person, two logins
    with database_unchanged():
        assert_error(client.post(f"{ADMIN}/payouts/{payout_id}/approve", headers=same_person.headers),
                     403, "four_eyes_required")
    finance = make_staff(role="finance")
    approved = client.post(f"{ADMIN}/payouts/{payout_id}/approve", headers=finance.headers)
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
