from __future__ import annotations

from app.posts import services as posts
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.posts import PostInputSchema, StorePostSchema
from blueprints.store import blp


@blp.route("/posts", methods=["POST"])
@blp.requires(Role.SHOPPER)
@blp.arguments(PostInputSchema)
@blp.response(201, StorePostSchema)
@blp.errors(404, 422, 429)
def create_post(data):
    """Share a post (晒单) about a product you have picked up

    It goes to your current group's feed and the product's page. Limited to SHARE_POSTS_PER_DAY
    posts a store-local day (429 share_post_limit_reached, with Retry-After)."""
    return posts.create_post(current_account().id, data["product_id"], data["text"], data["image_urls"])


@blp.route("/posts/<id:post_id>", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, StorePostSchema)
@blp.errors(404)
def get_post(post_id):
    """One post (a hidden one only if it is yours)"""
    return posts.get_visible_post(post_id, current_account().id)


@blp.route("/posts/<id:post_id>/like", methods=["PUT"])
@blp.requires(Role.SHOPPER)
@blp.response(200, StorePostSchema)
@blp.errors(404, 409)
def like_post(post_id):
    """Like a post of your group (once per shopper: liking again changes nothing)"""
    return posts.like(post_id, current_account().id)


@blp.route("/posts/<id:post_id>/like", methods=["DELETE"])
@blp.requires(Role.SHOPPER)
@blp.response(200, StorePostSchema)
@blp.errors(404)
def unlike_post(post_id):
    """Take back your like (nothing changes if you did not like it)"""
    return posts.unlike(post_id, current_account().id)


@blp.route("/me/posts", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, StorePostSchema(many=True))
@blp.paginate(SQLPage, page_size=20)
def my_posts():
    """Your posts, newest first, hidden ones included (with the reason)"""
    return posts.posts_of(current_account().id)


@blp.route("/me/group/posts", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, StorePostSchema(many=True))
@blp.paginate(SQLPage, page_size=20)
@blp.errors(404)
def group_feed():
    """Your group's feed of share posts, newest first"""
    return posts.group_feed(current_account().id)


@blp.route("/products/<id:product_id>/posts", methods=["GET"])
@blp.requires(Role.SHOPPER)
@blp.response(200, StorePostSchema(many=True))
@blp.paginate(SQLPage, page_size=20)
@blp.errors(404)
def product_posts(product_id):
    """Share posts about a product, from every group, newest first"""
    return posts.product_feed(product_id, current_account().id)
