from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import marshmallow as ma

from app.i18n import gettext_now
from app.posts.models import HiddenBy
from app.posts.services import MAX_IMAGE_URL_LENGTH, MAX_IMAGES, MAX_TEXT_LENGTH
from blueprints import fields as f
from blueprints.auth import current_account
from blueprints.schemas.common import QuerySchema, Schema


class HttpsImageUrl(ma.fields.Url):
    """An image hosted elsewhere, shown to other shoppers: https only, on a public host name (not
    localhost, not an IP address), with no credentials in it."""

    def __init__(self, **kwargs):
        super().__init__(schemes={"https"}, require_tld=True, validate=[ma.validate.Length(max=MAX_IMAGE_URL_LENGTH)],
                         **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        url = super()._deserialize(value, attr, data, **kwargs)
        try:  # urlsplit and .port raise ValueError on malformed hosts and ports
            parts = urlsplit(url)
            host, _port = parts.hostname, parts.port
        except ValueError:
            raise ma.ValidationError(gettext_now("Not a valid URL.")) from None
        if parts.username is not None:
            raise ma.ValidationError(gettext_now("URLs may not carry a user name or password."))
        if "." not in (host or "") or _is_ip(host):
            raise ma.ValidationError(gettext_now("Use an image on a public host name."))
        return url


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class PostInputSchema(Schema):
    product_id = f.Id(required=True, metadata={"description": "A product you have picked up"})
    text = f.Str(min_length=1, max_length=MAX_TEXT_LENGTH, required=True)
    image_urls = ma.fields.List(HttpsImageUrl(), load_default=list, validate=ma.validate.Length(max=MAX_IMAGES),
                                metadata={"description": f"Up to {MAX_IMAGES} https image URLs, no repeats"})

    @ma.validates("image_urls")
    def _no_repeats(self, urls, **_kwargs):
        if len(set(urls)) != len(urls):
            raise ma.ValidationError(gettext_now("The same image URL appears twice."))


def masked(name: str) -> str:
    """Shoppers see other shoppers by their initial (陈**), as product pages reach other groups."""
    return f"{name[:1]}**"


class StorePostSchema(Schema):
    id = ma.fields.Integer()
    group_id = ma.fields.Integer()
    product_id = ma.fields.Integer()
    product_name = ma.fields.String()
    author_name = f.Function(lambda p: p.author_name if _mine(p) else masked(p.author_name),
                             metadata={"description": "Others' names are masked to their initial"},
                             returns=ma.fields.String())
    mine = f.Function(lambda p: _mine(p), metadata={"description": "You wrote it"}, returns=ma.fields.Boolean())
    text = ma.fields.String()
    image_urls = ma.fields.List(ma.fields.String())
    like_count = ma.fields.Integer()
    liked = f.Function(lambda p: bool(p.liked_by_viewer), metadata={"description": "You like it"},
                       returns=ma.fields.Boolean())
    hidden = ma.fields.Boolean(metadata={"description": "Hidden by the leader or merchant: only you see it"})
    hidden_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


def _mine(post) -> bool:
    return post.account_id == current_account().id


class PostSchema(Schema):
    """A post as leaders and staff see it: who wrote it, the order it rests on, and its moderation."""

    id = ma.fields.Integer()
    group_id = ma.fields.Integer()
    product_id = ma.fields.Integer()
    product_name = ma.fields.String()
    author_id = ma.fields.Integer(attribute="account_id")
    author_name = ma.fields.String()
    order_id = ma.fields.Integer()
    text = ma.fields.String()
    image_urls = ma.fields.List(ma.fields.String())
    like_count = ma.fields.Integer()
    hidden = ma.fields.Boolean()
    hidden_at = ma.fields.DateTime(allow_none=True)
    hidden_by = ma.fields.String(allow_none=True, metadata={"enum": [h.value for h in HiddenBy]})
    hidden_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class HidePostSchema(Schema):
    reason = f.name(500, required=True, metadata={"description": "Shown to the post's author"})


class PostQuerySchema(QuerySchema):
    group_id = f.QueryInt(1)
    product_id = f.QueryInt(1)
    author_id = f.QueryInt(1)
    hidden = ma.fields.Boolean(metadata={"description": "true: only hidden posts; false: only visible ones"})


class LeaderPostQuerySchema(QuerySchema):
    hidden = ma.fields.Boolean(metadata={"description": "true: only hidden posts; false: only visible ones"})
