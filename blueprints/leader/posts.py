from __future__ import annotations

from app.groups import services as groups
from app.posts import services as posts
from app.posts.models import HiddenBy
from blueprints.auth import Role, current_account, current_leader
from blueprints.leader import blp
from blueprints.pagination import SQLPage
from blueprints.schemas.posts import HidePostSchema, LeaderPostQuerySchema, PostSchema


def _my_post(post_id: int):
    post = posts.get_post(post_id)
    posts.require_leader_of(post, current_leader().id)
    return post


@blp.route("/groups/<id:group_id>/posts", methods=["GET"])
@blp.requires(Role.LEADER)
@blp.arguments(LeaderPostQuerySchema, location="query")
@blp.response(200, PostSchema(many=True))
@blp.paginate(SQLPage, page_size=20)
@blp.errors(404)
def group_posts(query, group_id):
    """Share posts in one of your groups, newest first, hidden ones included"""
    groups.get_group_of_leader(group_id, current_leader().id)
    return posts.list_posts(group_id=group_id, hidden=query.get("hidden"))


@blp.route("/posts/<id:post_id>/hide", methods=["POST"])
@blp.requires(Role.LEADER)
@blp.arguments(HidePostSchema)
@blp.response(200, PostSchema)
@blp.errors(404, 409)
def hide_post(data, post_id):
    """Hide a post in your group from shoppers' feeds (its author sees it hidden, with the reason)"""
    return posts.hide(_my_post(post_id), by=HiddenBy.LEADER, account_id=current_account().id,
                      reason=data["reason"])


@blp.route("/posts/<id:post_id>/unhide", methods=["POST"])
@blp.requires(Role.LEADER)
@blp.response(200, PostSchema)
@blp.errors(404, 409)
def unhide_post(post_id):
    """Show a post you hid again (a post the merchant hid stays hidden: 403 hidden_by_merchant)"""
    return posts.unhide(_my_post(post_id), by=HiddenBy.LEADER)
