"""Share posts (晒单): posting about a picked-up product, feeds, likes, and moderation."""
from __future__ import annotations

import datetime as dt
import math

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import with_expression

from app.catalog.models import Product, ProductStatus
from app.clock import local_now
from app.db import utcnow
from app.errors import Conflict, InvalidRequest, NotFound, PermissionDenied, RateLimited, not_found
from app.extensions import db
from app.groups.bindings import current_binding
from app.groups.models import Group
from app.i18n import _
from app.orders.models import Fulfilment, Order, OrderLine
from app.posts.models import HiddenBy, PostLike, PostQuota, SharePost

MAX_TEXT_LENGTH = 1000
MAX_IMAGES = 9
MAX_IMAGE_URL_LENGTH = 500
PICKED_UP = (Fulfilment.PICKED_UP, Fulfilment.PARTIALLY_PICKED_UP)
NO_SYNC = {"synchronize_session": False}


def _insert(table: sa.Table):
    return (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(table)


def _newest_first(query: sa.Select) -> sa.Select:
    return query.order_by(SharePost.created_at.desc(), SharePost.id.desc())


def for_viewer(query: sa.Select, viewer_id: int) -> sa.Select:
    """Annotate each post with whether the viewer likes it (one EXISTS per row, no extra queries)."""
    liked = sa.exists().where(PostLike.post_id == SharePost.id, PostLike.account_id == viewer_id)
    return (query.options(with_expression(SharePost.liked_by_viewer, liked))
            .execution_options(populate_existing=True))


def _visible_to(viewer_id: int):
    """Hidden posts disappear from every shopper's view except their author's."""
    return sa.or_(SharePost.hidden_at.is_(None), SharePost.account_id == viewer_id)


def get_post(post_id: int) -> SharePost:
    post = db.session.get(SharePost, post_id)
    if post is None:
        raise not_found("post", id=post_id)
    return post


def get_visible_post(post_id: int, viewer_id: int) -> SharePost:
    post = db.session.scalar(for_viewer(
        sa.select(SharePost).where(SharePost.id == post_id, _visible_to(viewer_id)), viewer_id))
    if post is None:
        raise not_found("post", id=post_id)
    return post


def _current_group_id(account_id: int) -> int:
    binding = current_binding(account_id)
    if binding is None:
        raise NotFound(_("You have not joined a group yet: open a group link"), code="not_in_a_group")
    return binding.group_id


def _picked_up_order_id(account_id: int, product_id: int) -> int:
    order_id = db.session.scalar(
        sa.select(Order.id).join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.account_id == account_id, Order.fulfilment.in_(PICKED_UP),
               OrderLine.product_id == product_id, OrderLine.picked_up_quantity > 0)
        .order_by(Order.id.desc()).limit(1))
    if order_id is None:
        raise PermissionDenied(_("You can post about a product once you have picked it up"),
                               code="product_not_picked_up", details={"product_id": product_id})
    return order_id


def _seconds_to_tomorrow() -> int:
    now = local_now()
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=now.tzinfo)
    return math.ceil((midnight.astimezone(dt.UTC) - now.astimezone(dt.UTC)).total_seconds())


def _take_daily_allowance(account_id: int) -> None:
    """One post from today's allowance, under the shopper's quota row (see PostQuota)."""
    limit = current_app.config["SHARE_POSTS_PER_DAY"]
    today = local_now().date()
    db.session.execute(_insert(PostQuota.__table__).values(account_id=account_id, day=today, used=0)
                       .on_conflict_do_nothing(index_elements=["account_id"]))
    # SET reads the row's old values on both databases: a new day starts again at 1.
    taken = db.session.execute(
        sa.update(PostQuota).where(PostQuota.account_id == account_id,
                                   sa.or_(PostQuota.day != today, PostQuota.used < limit))
        .values(used=sa.case((PostQuota.day == today, PostQuota.used + 1), else_=1), day=today)
        .execution_options(**NO_SYNC)).rowcount
    if not taken:
        retry_after = _seconds_to_tomorrow()
        raise RateLimited(_('You can share at most %(limit)s posts a day; try again tomorrow', limit=limit),
                          code="share_post_limit_reached", retry_after=retry_after,
                          details={"limit": limit, "retry_after_seconds": retry_after})


def _own_picture(url: str) -> bool:
    """One of this store's own static pictures (the demo's share-post photos are served by it, over
    plain http on a development machine); the API's schema lets shoppers give https URLs only."""
    return url.startswith(current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/static/")


def _check_content(text: str, image_urls: list[str]) -> None:
    if not text.strip() or len(text) > MAX_TEXT_LENGTH:
        raise InvalidRequest(_('Text must be 1 to %(limit)s characters', limit=MAX_TEXT_LENGTH),
                             code="invalid_post_text")
    if len(image_urls) > MAX_IMAGES or any(not (u.startswith("https://") or _own_picture(u)) for u in image_urls):
        raise InvalidRequest(_('At most %(limit)s https image URLs', limit=MAX_IMAGES),
                             code="invalid_post_images")


def create_post(account_id: int, product_id: int, text: str, image_urls: list[str]) -> SharePost:
    """A shopper who picked up a product may post about it to their current group's feed, at most
    SHARE_POSTS_PER_DAY times a store-local day."""
    _check_content(text, image_urls)
    group_id = _current_group_id(account_id)
    if db.session.scalar(sa.select(Product.id).where(Product.id == product_id)) is None:
        raise InvalidRequest(_("Unknown product"), code="unknown_product", details={"product_id": product_id})
    order_id = _picked_up_order_id(account_id, product_id)
    _take_daily_allowance(account_id)
    post = SharePost(account_id=account_id, group_id=group_id, product_id=product_id, order_id=order_id,
                     text=text, image_urls=list(image_urls), like_count=0)
    db.session.add(post)
    db.session.commit()
    return get_visible_post(post.id, account_id)


def product_feed(product_id: int, viewer_id: int) -> sa.Select:
    """Posts about a product from every group, newest first (hidden ones only to their author)."""
    status = db.session.scalar(sa.select(Product.status).where(Product.id == product_id))
    if status is None or status is ProductStatus.DRAFT:
        raise not_found("product", id=product_id)
    return for_viewer(_newest_first(sa.select(SharePost).where(
        SharePost.product_id == product_id, _visible_to(viewer_id))), viewer_id)


def group_feed(viewer_id: int) -> sa.Select:
    """The viewer's current group's posts, newest first (hidden ones only to their author)."""
    group_id = _current_group_id(viewer_id)
    return for_viewer(_newest_first(sa.select(SharePost).where(
        SharePost.group_id == group_id, _visible_to(viewer_id))), viewer_id)


def posts_of(account_id: int) -> sa.Select:
    """A shopper's own posts, hidden ones included."""
    return for_viewer(_newest_first(sa.select(SharePost).where(SharePost.account_id == account_id)), account_id)


def list_posts(*, group_id: int | None = None, product_id: int | None = None, account_id: int | None = None,
               hidden: bool | None = None) -> sa.Select:
    """Every post for moderators, newest first, hidden ones included."""
    query = _newest_first(sa.select(SharePost))
    for column, value in ((SharePost.group_id, group_id), (SharePost.product_id, product_id),
                          (SharePost.account_id, account_id)):
        if value is not None:
            query = query.where(column == value)
    if hidden is not None:
        query = query.where(SharePost.hidden_at.is_not(None) if hidden else SharePost.hidden_at.is_(None))
    return query


# -- likes ----------------------------------------------------------------------------------------

def _add_likes(post_id: int, delta: int) -> None:
    # Relative, so concurrent likers each add theirs to the latest committed count.
    db.session.execute(sa.update(SharePost).where(SharePost.id == post_id)
                       .values(like_count=SharePost.like_count + delta).execution_options(**NO_SYNC))


def like(post_id: int, account_id: int) -> SharePost:
    """A member of the post's group likes it; liking again changes nothing."""
    post = get_visible_post(post_id, account_id)
    if post.hidden:
        raise Conflict(_("This post is hidden"), code="post_hidden")
    binding = current_binding(account_id)
    if binding is None or binding.group_id != post.group_id:
        raise PermissionDenied(_("Only members of the post's group can react to it"), code="not_a_member")
    added = db.session.execute(
        _insert(PostLike.__table__).values(post_id=post.id, account_id=account_id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["post_id", "account_id"])
        .returning(PostLike.__table__.c.post_id)).all()
    if added:
        _add_likes(post.id, 1)
    db.session.commit()
    return get_visible_post(post_id, account_id)


def unlike(post_id: int, account_id: int) -> SharePost:
    """Take back one's like (whatever group one is in now); not liking it already changes nothing."""
    post = get_visible_post(post_id, account_id)
    removed = db.session.execute(sa.delete(PostLike).where(
        PostLike.post_id == post.id, PostLike.account_id == account_id).execution_options(**NO_SYNC)).rowcount
    if removed:
        _add_likes(post.id, -1)
    db.session.commit()
    return get_visible_post(post_id, account_id)


# -- moderation -----------------------------------------------------------------------------------

def require_leader_of(post: SharePost, leader_id: int) -> None:
    group = db.session.get(Group, post.group_id)
    if group is None or group.leader_id != leader_id:
        raise PermissionDenied(_("This post is in a group led by another leader"), code="not_your_group")


def hide(post: SharePost, *, by: HiddenBy, account_id: int, reason: str) -> SharePost:
    """Hide a post from shoppers' feeds, with a reason its author sees."""
    hidden = db.session.execute(
        sa.update(SharePost).where(SharePost.id == post.id, SharePost.hidden_at.is_(None))
        .values(hidden_at=utcnow(), hidden_by=by, hidden_by_id=account_id, hidden_reason=reason)
        .execution_options(**NO_SYNC)).rowcount
    if not hidden:
        raise Conflict(_("This post is already hidden"), code="post_already_hidden")
    db.session.commit()
    return post


def unhide(post: SharePost, *, by: HiddenBy) -> SharePost:
    """Show a hidden post again. A post the merchant hid can only be shown again by the merchant."""
    guard = [SharePost.id == post.id, SharePost.hidden_at.is_not(None)]
    if by is HiddenBy.LEADER:
        guard.append(SharePost.hidden_by == HiddenBy.LEADER)
    shown = db.session.execute(
        sa.update(SharePost).where(*guard)
        .values(hidden_at=None, hidden_by=None, hidden_by_id=None, hidden_reason=None)
        .execution_options(**NO_SYNC)).rowcount
    if not shown:
        db.session.refresh(post)
        if post.hidden_at is None:
            raise Conflict(_("This post is not hidden"), code="post_not_hidden")
        raise PermissionDenied(_("The merchant hid this post; only the merchant can show it again"),
                               code="hidden_by_merchant")
    db.session.commit()
    return post
