from __future__ import annotations

import marshmallow as ma

from app.catalog.models import ProductStatus
from app.inventory.stock import overdue_held
from blueprints import fields as f
from blueprints import sort_keys
from blueprints.schemas.common import QuerySchema, Schema, currency_field
from blueprints.schemas.content import Localized, Translations


class CategoryInputSchema(Schema):
    name = f.name(60, required=True)
    position = f.Int(-10_000, 10_000, load_default=0)
    translations = Translations("category")


class CategoryUpdateSchema(Schema):
    name = f.name(60)
    position = f.Int(-10_000, 10_000)
    translations = Translations("category")


class StoreCategorySchema(Schema):
    id = ma.fields.Integer()
    name = Localized("name", metadata={"description": "In the reader's language when translated"})
    position = ma.fields.Integer()


class CategorySchema(StoreCategorySchema):
    name = ma.fields.String()
    translations = ma.fields.Dict(allow_none=True)


class SkuInputSchema(Schema):
    code = f.Str(min_length=1, max_length=64, required=True, validate=[ma.validate.Regexp(r"^[A-Za-z0-9._-]+$")])
    name = f.name(80, required=True)
    price_cents = f.Cents(required=True)
    compare_at_price_cents = f.Cents(allow_none=True)
    member_price_cents = f.Cents(allow_none=True, metadata={"description": "What members pay, if lower"})
    stock_total = f.Int(0, 10_000_000, load_default=0)
    position = f.Int(-10_000, 10_000, load_default=0)
    is_active = ma.fields.Boolean(load_default=True)
    translations = Translations("sku")


class SkuUpdateSchema(Schema):
    code = f.Str(min_length=1, max_length=64, validate=[ma.validate.Regexp(r"^[A-Za-z0-9._-]+$")])
    name = f.name(80)
    price_cents = f.Cents()
    compare_at_price_cents = f.Cents(allow_none=True)
    member_price_cents = f.Cents(allow_none=True, metadata={"description": "What members pay, if lower"})
    stock_total = f.Int(0, 10_000_000)
    position = f.Int(-10_000, 10_000)
    is_active = ma.fields.Boolean()
    translations = Translations("sku")


class StoreSkuSchema(Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = Localized("name", metadata={"description": "In the reader's language when translated"})
    price_cents = ma.fields.Integer()
    compare_at_price_cents = ma.fields.Integer(allow_none=True)
    member_price_cents = ma.fields.Integer(allow_none=True, metadata={
        "description": "The member price (a teaser for non-members: what they would pay as members)"})
    currency = currency_field()
    stock_available = ma.fields.Integer()


class SkuSchema(StoreSkuSchema):
    name = ma.fields.String()
    translations = ma.fields.Dict(allow_none=True)
    product_id = ma.fields.Integer()
    stock_total = ma.fields.Integer()
    stock_reserved = ma.fields.Integer()
    stock_sold = ma.fields.Integer()
    position = ma.fields.Integer()
    is_active = ma.fields.Boolean()


class ProductInputSchema(Schema):
    name = f.name(120, required=True)
    description = f.Str(max_length=5000, allow_none=True)
    category_id = f.Id(allow_none=True)
    status = f.Choice(ProductStatus, load_default=ProductStatus.DRAFT.value)
    image_urls = ma.fields.List(f.HttpUrl(), validate=ma.validate.Length(max=10), load_default=list)
    position = f.Int(-10_000, 10_000, load_default=0)
    repeat_use = ma.fields.Boolean(load_default=False)
    usage_days_per_unit = f.Int(1, 3650, allow_none=True)
    members_only = ma.fields.Boolean(metadata={"description": "Member zone: only members may buy"})
    min_tier_id = f.Id(allow_none=True, metadata={"description": "Member zone from this tier up"})
    is_new = ma.fields.Boolean(metadata={"description": "New product: members may buy before released_at"})
    released_at = ma.fields.AwareDateTime(allow_none=True, metadata={"description": "On sale to everyone from"})
    group_ids = ma.fields.List(f.Id(), validate=ma.validate.Length(max=500),
                               metadata={"description": "Sell only to these groups; empty = all groups"})
    skus = ma.fields.List(ma.fields.Nested(SkuInputSchema), validate=ma.validate.Length(max=50), load_default=list)
    translations = Translations("product")


class ProductUpdateSchema(Schema):
    name = f.name(120)
    description = f.Str(max_length=5000, allow_none=True)
    category_id = f.Id(allow_none=True)
    status = f.Choice(ProductStatus)
    image_urls = ma.fields.List(f.HttpUrl(), validate=ma.validate.Length(max=10))
    position = f.Int(-10_000, 10_000)
    repeat_use = ma.fields.Boolean()
    usage_days_per_unit = f.Int(1, 3650, allow_none=True)
    members_only = ma.fields.Boolean(metadata={"description": "Member zone: only members may buy"})
    min_tier_id = f.Id(allow_none=True, metadata={"description": "Member zone from this tier up"})
    is_new = ma.fields.Boolean(metadata={"description": "New product: members may buy before released_at"})
    released_at = ma.fields.AwareDateTime(allow_none=True, metadata={"description": "On sale to everyone from"})
    group_ids = ma.fields.List(f.Id(), validate=ma.validate.Length(max=500))
    translations = Translations("product")


def annotate_overdue_holds(products) -> None:
    """One query for the page: lapsed holds not yet released count as available (never against stock)."""
    skus = [sku for product in products for sku in product.skus]
    held = overdue_held([sku.id for sku in skus])
    for sku in skus:
        sku.overdue_held = held.get(sku.id, 0)


class StoreProductSchema(Schema):
    id = ma.fields.Integer()
    name = Localized("name", metadata={"description": "In the reader's language when translated"})
    description = Localized("description", allow_none=True)
    original_name = ma.fields.String(attribute="name", dump_only=True,
                                     metadata={"description": "As the merchant wrote it (labels at pickup)"})
    category = ma.fields.Nested(StoreCategorySchema, allow_none=True)
    image_urls = ma.fields.List(ma.fields.String())
    repeat_use = ma.fields.Boolean()
    usage_days_per_unit = ma.fields.Integer(allow_none=True)
    members_only = ma.fields.Boolean()
    min_tier = f.Method("_min_tier", allow_none=True, metadata={"description": "Tier name needed, if any"},
                        returns=ma.fields.String())
    is_new = ma.fields.Boolean()
    released_at = ma.fields.DateTime(allow_none=True, metadata={"description": "On sale to everyone from"})
    members_from = f.Method("_members_from", allow_none=True,
                            metadata={"description": "New products: members may buy from (earliest tier)"},
                            returns=ma.fields.DateTime())
    skus = f.Method("_active_skus",
                    returns=ma.fields.List(ma.fields.Nested(StoreSkuSchema)))

    def _min_tier(self, product):
        from app.extensions import db
        from app.loyalty.models import Tier

        tier = db.session.get(Tier, product.min_tier_id) if product.min_tier_id else None
        return tier.name if tier else None

    def _members_from(self, product):
        from app.loyalty.zone import members_from

        when = members_from(product)
        return when.isoformat() if when else None

    @ma.pre_dump(pass_collection=True)
    def _annotate(self, data, many, **kwargs):
        annotate_overdue_holds(data if many else [data])
        return data

    def _active_skus(self, product):
        return StoreSkuSchema(many=True).dump([s for s in product.skus if s.is_active])


class ProductSchema(StoreProductSchema):
    name = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    category = ma.fields.Nested(CategorySchema, allow_none=True)
    translations = ma.fields.Dict(allow_none=True)
    min_tier_id = ma.fields.Integer(allow_none=True)
    status = ma.fields.String()
    position = ma.fields.Integer()
    group_ids = f.Function(lambda p: sorted(g.id for g in p.groups), returns=ma.fields.List(ma.fields.Integer()))
    skus = ma.fields.List(ma.fields.Nested(SkuSchema))
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class CatalogueQuerySchema(QuerySchema):
    category_id = f.QueryInt(1)
    q = f.Str(max_length=80, metadata={"description": "Search in product names"})


class AdminProductQuerySchema(CatalogueQuerySchema):
    sort = sort_keys.PRODUCTS.field()
    status = f.Choice(ProductStatus)
