from __future__ import annotations

from app.posts import services as posts
from app.posts.models import HiddenBy
from blueprints.admin import blp
from blueprints.auth import Role, current_account
from blueprints.pagination import SQLPage
from blueprints.schemas.posts import HidePostSchema, PostQuerySchema, PostSchema


@blp.route("/posts", methods=["GET"])
@blp.requires(Role.STAFF, "posts.read")
@blp.arguments(PostQuerySchema, location="query")
@blp.response(200, PostSchema(many=True))
@blp.paginate(SQLPage, page_size=20)
def list_posts(query):
    """Share posts, newest first, hidden ones included; filter by group, product, author, hidden"""
    return posts.list_posts(group_id=query.get("group_id"), product_id=query.get("product_id"),
                            account_id=query.get("author_id"), hidden=query.get("hidden"))


@blp.route("/posts/<id:post_id>", methods=["GET"])
@blp.requires(Role.STAFF, "posts.read")
@blp.response(200, PostSchema)
@blp.errors(404)
def get_post(post_id):
    """One share post"""
    return posts.get_post(post_id)


@blp.route("/posts/<id:post_id>/hide", methods=["POST"])
@blp.requires(Role.STAFF, "posts.moderate")
@blp.arguments(HidePostSchema)
@blp.response(200, PostSchema)
@blp.errors(404, 409)
def hide_post(data, post_id):
    """Hide a post from shoppers' feeds (its author sees it hidden, with the reason); only the
    merchant can show it again"""
    return posts.hide(posts.get_post(post_id), by=HiddenBy.STAFF, account_id=current_account().id,
                      reason=data["reason"])


@blp.route("/posts/<id:post_id>/unhide", methods=["POST"])
@blp.requires(Role.STAFF, "posts.moderate")
@blp.response(200, PostSchema)
@blp.errors(404, 409)
def unhide_post(post_id):
    """Show a hidden post again, whoever hid it"""
    return posts.unhide(posts.get_post(post_id), by=HiddenBy.STAFF)
