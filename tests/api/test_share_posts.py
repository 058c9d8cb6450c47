"""Share posts (晒单): who may post, feeds, likes, moderation by the leader and the merchant, the daily
limit; and on PostgreSQL, that concurrent posts and likes count exactly."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.config import ConfigError, load_settings
from app.extensions import db
from app.posts import services as post_services
from app.posts.models import PostLike, PostQuota, SharePost
from tests.assertions import assert_error, database_unchanged
from tests.concurrency import race
from tests.factories import join, make_buyer, make_group, make_leader, make_product, make_shopper, make_staff
from tests.flows import batch_of, deliver, pickup_order

STORE, LEADER, ADMIN = "/api/v1/store", "/api/v1/leader", "/api/v1/admin"
IMAGE = "https://img.example.com/rice.jpg"


@pytest.fixture
def shop(client):
    """Chen ordered rice and eggs (pay at pickup); both arrived; she has collected the rice only."""
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    rice, eggs = (make_product(name=name, skus=[{"code": f"P-{name}", "name": "x", "price_cents": 500,
                                                 "stock_total": 50}]) for name in ("Rice", "Eggs"))
    buyer = make_buyer(group, name="Chen Jing")
    order = pickup_order(client, buyer, [(rice.skus[0].id, 1), (eggs.skus[0].id, 2)], group=group)
    deliver(client, staff, leader, batch_of(client, staff, order)["id"])
    line = {ln["sku_id"]: ln["id"] for ln in order["lines"]}[rice.skus[0].id]
    r = client.post(f"{LEADER}/pickups", headers=leader.headers,
                    json={"code": order["pickup_code"], "lines": [{"order_line_id": line, "quantity": 1}],
                          "collected_cents": 1500})  # pay at pickup: the whole order is paid at the first handover
    assert r.get_json().get("fulfilment") == "partially_picked_up", r.get_json()
    return {"staff": staff, "leader": leader, "group": group, "buyer": buyer, "order": order,
            "rice": rice.id, "eggs": eggs.id, "neighbour": make_buyer(group, name="Wang Fang")}


def share(client, user, product_id, text="Cooks soft, smells great", **extra):
    return client.post(f"{STORE}/posts", headers=user.headers, json={"product_id": product_id, "text": text, **extra})


def posted(client, shop, **extra) -> dict:
    r = share(client, shop["buyer"], shop["rice"], **extra)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def listing(client, user, path, **params):
    r = client.get(f"{STORE}{path}", headers=user.headers, query_string=params)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


# -- posting --------------------------------------------------------------------------------------

def test_a_shopper_posts_about_a_picked_up_product_to_the_group_and_product(client, shop):
    body = posted(client, shop, image_urls=[IMAGE, "https://img.example.com/bowl.png?w=800"])
    assert body | {"created_at": None} == {
        "id": body["id"], "group_id": shop["group"].id, "product_id": shop["rice"], "product_name": "Rice",
        "author_name": "Chen Jing", "mine": True, "text": "Cooks soft, smells great",
        "image_urls": [IMAGE, "https://img.example.com/bowl.png?w=800"], "like_count": 0, "liked": False,
        "hidden": False, "hidden_reason": None, "created_at": None}
    seen = listing(client, shop["neighbour"], f"/products/{shop['rice']}/posts")
    assert [(p["id"], p["author_name"], p["mine"]) for p in seen] == [(body["id"], "C**", False)]
    assert [p["id"] for p in listing(client, shop["neighbour"], "/me/group/posts")] == [body["id"]]
    assert [p["id"] for p in listing(client, shop["buyer"], "/me/posts")] == [body["id"]]
    staff_view = client.get(f"{ADMIN}/posts/{body['id']}", headers=shop["staff"].headers).get_json()
    assert (staff_view["order_id"], staff_view["author_id"]) == (shop["order"]["id"], shop["buyer"].id)


def test_posting_about_a_product_not_picked_up_is_refused_and_changes_nothing(client, shop):
    stranger_product, loner = make_product().id, make_shopper()
    with database_unchanged():
        # Ordered and waiting at the point, but not collected yet.
        assert_error(share(client, shop["buyer"], shop["eggs"]), 403, "product_not_picked_up")
        assert_error(share(client, shop["buyer"], stranger_product), 403, "product_not_picked_up")
        # Someone else's pickup does not count.
        assert_error(share(client, shop["neighbour"], shop["rice"]), 403, "product_not_picked_up")
        assert_error(share(client, shop["buyer"], 2_000_000), 422, "unknown_product")
        assert_error(share(client, loner, shop["rice"]), 404, "not_in_a_group")


def test_once_the_rest_is_picked_up_the_other_product_qualifies(client, shop):
    r = client.post(f"{LEADER}/pickups", headers=shop["leader"].headers, json={"code": shop["order"]["pickup_code"]})
    assert r.get_json()["fulfilment"] == "picked_up"
    assert share(client, shop["buyer"], shop["eggs"]).status_code == 201


@pytest.mark.parametrize("body, field", [
    ({"text": "x"}, "product_id"),
    ({"product_id": 1}, "text"),
    ({"product_id": 1, "text": "   "}, "text"),
    ({"product_id": 1, "text": "x" * 1001}, "text"),
    ({"product_id": 1, "text": "nul\x00"}, "text"),
    ({"product_id": "1", "text": "x"}, "product_id"),
    ({"product_id": 0, "text": "x"}, "product_id"),
    ({"product_id": 2**31, "text": "x"}, "product_id"),
    ({"product_id": 1, "text": "x", "image_urls": ["http://img.example.com/a.jpg"]}, "image_urls"),
    ({"product_id": 1, "text": "x", "image_urls": ["javascript:alert(1)"]}, "image_urls"),
    ({"product_id": 1, "text": "x", "image_urls": ["ftp://img.example.com/a.jpg"]}, "image_urls"),
    ({"product_id": 1, "text": "x", "image_urls": ["https://localhost/a.jpg"]}, "image_urls"),
    ({"product_id": 1, "text": "x", "image_urls": ["https://10.0.0.1/a.jpg"]}, "image_urls"),
    ({"product_id": 1, "text": "x", "image_urls": ["https://[::1]/a.jpg"]}, "image_urls"),
    ({"product_id": 1, "text": "x", "image_urls": ["https:///a.jpg"]}, "image_urls"),
    ({"product_id": 1, "text": "x", "image_urls": ["https://[::1"]}, "image_urls"),  # urlsplit raised: was a 500
    ({"product_id": 1, "text": "x", "image_urls": ["https://img.example.com:99999999/a.jpg"]}, "image_urls"),
    ({"product_id": 1, "text": "x", "image_urls": ["https://img.example.com/a b.jpg"]}, "image_urls"),
    ({"product_id": 1, "text": "x", "image_urls": ["https://user:pw@img.example.com/a.jpg"]}, "image_urls"),
    ({"product_id": 1, "text": "x", "image_urls": ["https://img.example.com/" + "a" * 500]}, "image_urls"),
    ({"product_id": 1, "text": "x", "image_urls": [IMAGE, IMAGE]}, "image_urls"),
    ({"product_id": 1, "text": "x", "image_urls": [f"https://img.example.com/{i}.jpg" for i in range(10)]},
     "image_urls"),
    ({"product_id": 1, "text": "x", "image_urls": IMAGE}, "image_urls"),
    ({"product_id": 1, "text": "x", "image_urls": [42]}, "image_urls"),
    ({"product_id": 1, "text": "x", "author_id": 3}, "author_id"),
])
def test_bad_post_input_is_a_clear_422_and_changes_nothing(client, shop, body, field):
    with database_unchanged():
        error = assert_error(client.post(f"{STORE}/posts", headers=shop["buyer"].headers, json=body), 422,
                             "validation_error")
    assert field in error["details"]["fields"]["json"]


def test_nine_https_images_are_accepted(client, shop):
    urls = [f"https://cdn.example.com/p/{i}.webp" for i in range(9)]
    assert posted(client, shop, image_urls=urls)["image_urls"] == urls


def test_malformed_json_is_400(client, shop):
    with database_unchanged():
        assert_error(client.post(f"{STORE}/posts", headers=shop["buyer"].headers, data="{oops",
                                 content_type="application/json"), 400, "malformed_json")


def test_who_may_not_post_or_moderate(client, shop):
    post = posted(client, shop)
    with database_unchanged():
        assert_error(client.post(f"{STORE}/posts", json={"product_id": shop["rice"], "text": "x"}), 401)
        assert_error(share(client, shop["staff"], shop["rice"]), 403, "shoppers_only")
        assert_error(client.post(f"{LEADER}/posts/{post['id']}/hide", headers=shop["buyer"].headers,
                                 json={"reason": "x"}), 403)
        assert_error(client.post(f"{ADMIN}/posts/{post['id']}/hide", headers=shop["leader"].headers,
                                 json={"reason": "x"}), 403, "staff_only")


# -- the daily limit ------------------------------------------------------------------------------

def test_the_daily_limit_is_429_with_retry_after_until_the_next_store_day(app, client, shop, monkeypatch):
    monkeypatch.setitem(app.config, "SHARE_POSTS_PER_DAY", 2)
    # A refused post takes nothing from the allowance.
    assert_error(share(client, shop["buyer"], shop["eggs"]), 403, "product_not_picked_up")
    posted(client, shop)
    posted(client, shop)
    with database_unchanged():
        r = share(client, shop["buyer"], shop["rice"])
        error = assert_error(r, 429, "share_post_limit_reached")
    assert error["details"]["limit"] == 2
    assert 1 <= int(r.headers["Retry-After"]) == error["details"]["retry_after_seconds"] <= 24 * 3600
    # The allowance is each shopper's own.
    post_services._take_daily_allowance(shop["neighbour"].id)
    db.session.rollback()
    tomorrow = post_services.local_now() + dt.timedelta(days=1)
    monkeypatch.setattr(post_services, "local_now", lambda: tomorrow)
    posted(client, shop)
    assert db.session.scalar(sa.select(PostQuota.used).where(PostQuota.account_id == shop["buyer"].id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SharePost)) == 3


def test_retry_after_counts_to_the_store_midnight(app, monkeypatch):
    store_time = dt.datetime(2031, 5, 1, 23, 59, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    monkeypatch.setattr(post_services, "local_now", lambda: store_time)
    assert post_services._seconds_to_tomorrow() == 30


def test_the_daily_limit_setting_is_validated(monkeypatch, tmp_path):
    monkeypatch.setenv("ENV_FILE", str(tmp_path / "none.env"))
    monkeypatch.delenv("SHARE_POSTS_PER_DAY", raising=False)
    assert load_settings(tmp_path)["SHARE_POSTS_PER_DAY"] == 5
    monkeypatch.setenv("SHARE_POSTS_PER_DAY", "0")
    with pytest.raises(ConfigError, match="SHARE_POSTS_PER_DAY"):
        load_settings(tmp_path)


# -- feeds ----------------------------------------------------------------------------------------

def test_feeds_are_newest_first_and_paginated(client, shop):
    ids = [posted(client, shop, text=f"Post {i}")["id"] for i in range(3)]
    r = client.get(f"{STORE}/products/{shop['rice']}/posts", headers=shop["neighbour"].headers,
                   query_string={"page_size": 2})
    assert [p["id"] for p in r.get_json()] == ids[::-1][:2]
    assert '"total": 3' in r.headers["X-Pagination"]
    page2 = listing(client, shop["neighbour"], f"/products/{shop['rice']}/posts", page_size=2, page=2)
    assert [p["id"] for p in page2] == ids[:1]
    assert [p["id"] for p in listing(client, shop["neighbour"], "/me/group/posts")] == ids[::-1]


def test_the_group_feed_is_the_current_groups_and_the_product_page_spans_groups(client, shop):
    post = posted(client, shop)
    elsewhere = make_group(make_leader(shop["staff"]))
    outsider = make_buyer(elsewhere)
    assert listing(client, outsider, "/me/group/posts") == []
    assert [p["id"] for p in listing(client, outsider, f"/products/{shop['rice']}/posts")] == [post["id"]]
    join(shop["buyer"], elsewhere)  # the author moves: her post stays in the group she posted to
    assert listing(client, shop["buyer"], "/me/group/posts") == []
    assert [p["id"] for p in listing(client, shop["neighbour"], "/me/group/posts")] == [post["id"]]
    loner = make_shopper()
    with database_unchanged():
        assert_error(client.get(f"{STORE}/me/group/posts", headers=loner.headers), 404, "not_in_a_group")
        assert_error(client.get(f"{STORE}/products/2000000/posts", headers=outsider.headers), 404,
                     "product_not_found")
        assert_error(client.get(f"{STORE}/posts/2000000", headers=outsider.headers), 404, "post_not_found")


def test_draft_products_have_no_post_page(client, shop):
    draft = make_product(status="draft").id
    assert_error(client.get(f"{STORE}/products/{draft}/posts", headers=shop["buyer"].headers), 404,
                 "product_not_found")


# -- likes ----------------------------------------------------------------------------------------

def like(client, user, post_id, method="put"):
    return getattr(client, method)(f"{STORE}/posts/{post_id}/like", headers=user.headers)


def stored_likes(post_id: int) -> tuple[int, int]:
    db.session.commit()
    count = db.session.scalar(sa.select(SharePost.like_count).where(SharePost.id == post_id))
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(PostLike).where(PostLike.post_id == post_id))
    return count, rows


def test_likes_are_one_per_shopper_idempotent_and_can_be_taken_back(client, shop):
    post = posted(client, shop)["id"]
    first = like(client, shop["neighbour"], post).get_json()
    assert (first["like_count"], first["liked"]) == (1, True)
    assert like(client, shop["neighbour"], post).get_json()["like_count"] == 1
    assert like(client, shop["buyer"], post).get_json()["like_count"] == 2  # one's own post too
    assert stored_likes(post) == (2, 2)
    feed = listing(client, shop["neighbour"], "/me/group/posts")
    assert [(p["like_count"], p["liked"]) for p in feed] == [(2, True)]
    third = make_buyer(shop["group"])
    assert [p["liked"] for p in listing(client, third, "/me/group/posts")] == [False]
    undone = like(client, shop["neighbour"], post, "delete").get_json()
    assert (undone["like_count"], undone["liked"]) == (1, False)
    with database_unchanged():
        assert like(client, shop["neighbour"], post, "delete").get_json()["like_count"] == 1
    assert stored_likes(post) == (1, 1)


def test_only_members_of_the_posts_group_may_like(client, shop):
    post = posted(client, shop)["id"]
    outsider, loner = make_buyer(make_group(make_leader(shop["staff"]))), make_shopper()
    with database_unchanged():
        assert_error(like(client, outsider, post), 403, "not_a_member")
        assert_error(like(client, loner, post), 403, "not_a_member")
        assert_error(like(client, shop["neighbour"], 2_000_000), 404, "post_not_found")


def test_hidden_posts_cannot_be_liked(client, shop):
    post = posted(client, shop)["id"]
    like(client, shop["neighbour"], post)
    hide(client, shop["leader"], post)
    member = make_buyer(shop["group"])
    with database_unchanged():
        assert_error(like(client, shop["buyer"], post), 409, "post_hidden")
        assert_error(like(client, member, post), 404, "post_not_found")
        assert_error(like(client, shop["neighbour"], post, "delete"), 404, "post_not_found")


# -- moderation -----------------------------------------------------------------------------------

def hide(client, user, post_id, reason="Advertising", surface=LEADER):
    return client.post(f"{surface}/posts/{post_id}/hide", headers=user.headers, json={"reason": reason})


def unhide(client, user, post_id, surface=LEADER):
    return client.post(f"{surface}/posts/{post_id}/unhide", headers=user.headers)


def test_the_leader_hides_a_post_and_only_its_author_still_sees_it(client, shop):
    post = posted(client, shop)["id"]
    body = hide(client, shop["leader"], post, "Off topic").get_json()
    assert (body["hidden"], body["hidden_by"], body["hidden_reason"]) == (True, "leader", "Off topic")
    neighbour = shop["neighbour"]
    assert listing(client, neighbour, "/me/group/posts") == []
    assert listing(client, neighbour, f"/products/{shop['rice']}/posts") == []
    assert_error(client.get(f"{STORE}/posts/{post}", headers=neighbour.headers), 404, "post_not_found")
    for path in ("/me/posts", "/me/group/posts", f"/products/{shop['rice']}/posts"):
        assert [(p["hidden"], p["hidden_reason"]) for p in listing(client, shop["buyer"], path)] == [
            (True, "Off topic")], path
    with database_unchanged():
        assert_error(hide(client, shop["leader"], post), 409, "post_already_hidden")
    assert unhide(client, shop["leader"], post).get_json()["hidden"] is False
    assert [p["id"] for p in listing(client, neighbour, "/me/group/posts")] == [post]
    with database_unchanged():
        assert_error(unhide(client, shop["leader"], post), 409, "post_not_hidden")


def test_a_leader_moderates_only_the_groups_they_lead(client, shop):
    post = posted(client, shop)["id"]
    other = make_leader(shop["staff"])
    make_group(other)
    with database_unchanged():
        assert_error(hide(client, other, post), 403, "not_your_group")
        assert_error(unhide(client, other, post), 403, "not_your_group")
        assert_error(client.get(f"{LEADER}/groups/{shop['group'].id}/posts", headers=other.headers), 403,
                     "not_your_group")
        assert_error(hide(client, other, 2_000_000), 404, "post_not_found")


def test_the_leader_lists_the_groups_posts_hidden_ones_included(client, shop):
    kept, dropped = posted(client, shop)["id"], posted(client, shop)["id"]
    hide(client, shop["leader"], dropped)
    path = f"{LEADER}/groups/{shop['group'].id}/posts"
    everything = client.get(path, headers=shop["leader"].headers).get_json()
    assert [(p["id"], p["hidden"], p["author_name"]) for p in everything] == [
        (dropped, True, "Chen Jing"), (kept, False, "Chen Jing")]
    only_hidden = client.get(path, headers=shop["leader"].headers, query_string={"hidden": "true"}).get_json()
    assert [p["id"] for p in only_hidden] == [dropped]


def test_the_merchant_hides_any_post_and_only_the_merchant_shows_it_again(client, shop):
    post = posted(client, shop)["id"]
    body = hide(client, shop["staff"], post, "Misleading claims", surface=ADMIN).get_json()
    assert (body["hidden_by"], body["hidden_reason"]) == ("staff", "Misleading claims")
    with database_unchanged():
        assert_error(unhide(client, shop["leader"], post), 403, "hidden_by_merchant")
        assert_error(hide(client, shop["leader"], post), 409, "post_already_hidden")
    assert unhide(client, shop["staff"], post, surface=ADMIN).get_json()["hidden"] is False
    # And a post the leader hid, the merchant may show again.
    hide(client, shop["leader"], post)
    assert unhide(client, shop["staff"], post, surface=ADMIN).status_code == 200


def test_the_merchant_lists_posts_with_filters(client, shop):
    first, second = posted(client, shop)["id"], posted(client, shop)["id"]
    hide(client, shop["staff"], first, surface=ADMIN)

    def ids(**params):
        r = client.get(f"{ADMIN}/posts", headers=shop["staff"].headers, query_string=params)
        assert r.status_code == 200, r.get_json()
        return [p["id"] for p in r.get_json()]

    assert ids() == [second, first]
    assert ids(hidden="true") == [first] and ids(hidden="false") == [second]
    assert ids(group_id=shop["group"].id, product_id=shop["rice"], author_id=shop["buyer"].id) == [second, first]
    assert ids(product_id=shop["eggs"]) == [] and ids(author_id=shop["neighbour"].id) == []
    assert_error(client.get(f"{ADMIN}/posts", headers=shop["staff"].headers, query_string={"hidden": "maybe"}),
                 422, "validation_error")


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 501}, {"reason": 5},
                                  {"reason": "x", "extra": 1}])
def test_hiding_needs_a_reason(client, shop, body):
    post = posted(client, shop)["id"]
    with database_unchanged():
        for user, surface in ((shop["leader"], LEADER), (shop["staff"], ADMIN)):
            assert_error(client.post(f"{surface}/posts/{post}/hide", headers=user.headers, json=body), 422,
                         "validation_error")


# -- concurrency (PostgreSQL) ---------------------------------------------------------------------

@pytest.mark.postgres
def test_concurrent_posts_never_pass_the_daily_limit(app, client, shop, monkeypatch):
    monkeypatch.setitem(app.config, "SHARE_POSTS_PER_DAY", 3)
    headers, body = shop["buyer"].headers, {"product_id": shop["rice"], "text": "Race"}
    db.session.commit()
    statuses = race(app, 16, lambda c, i: c.post(f"{STORE}/posts", headers=headers, json=body).status_code)
    assert sorted(statuses) == [201] * 3 + [429] * 13
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SharePost)) == 3
    assert db.session.scalar(sa.select(PostQuota.used).where(PostQuota.account_id == shop["buyer"].id)) == 3


@pytest.mark.postgres
def test_concurrent_likes_and_unlikes_count_exactly(app, client, shop):
    post = posted(client, shop)["id"]
    likers = [make_buyer(shop["group"]).headers for _ in range(20)]
    db.session.commit()
    # Each of 20 members likes twice at once: 20 likes, whatever the interleaving.
    statuses = race(app, 40, lambda c, i: c.put(f"{STORE}/posts/{post}/like", headers=likers[i % 20]).status_code)
    assert set(statuses) == {200}
    assert stored_likes(post) == (20, 20)
    # Half of them take it back, twice each, while the others like again.
    statuses = race(app, 40, lambda c, i: (c.delete if i % 20 < 10 else c.put)(
        f"{STORE}/posts/{post}/like", headers=likers[i % 20]).status_code)
    assert set(statuses) == {200}
    assert stored_likes(post) == (10, 10)
