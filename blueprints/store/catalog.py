from __future__ import annotations

from app.catalog import browse
from app.catalog.services import list_categories
from app.groups.bindings import resolve_link
from blueprints.pagination import SQLPage
from blueprints.schemas.catalog import CatalogueQuerySchema, StoreCategorySchema, StoreProductSchema
from blueprints.store import blp


@blp.route("/categories", methods=["GET"])
@blp.response(200, StoreCategorySchema(many=True))
def categories():
    """Product categories in the merchant's order"""
    return list_categories()


@blp.route("/groups/<code:code>/products", methods=["GET"])
@blp.arguments(CatalogueQuerySchema, location="query")
@blp.response(200, StoreProductSchema(many=True))
@blp.paginate(SQLPage, page_size=20)
@blp.errors(404)
def group_products(query, code):
    """The group's catalogue: active products sold to this group, filterable by category and name"""
    group = resolve_link(code).group
    return browse.group_catalogue(group.id, category_id=query.get("category_id"), q=query.get("q"))


@blp.route("/groups/<code:code>/products/<id:product_id>", methods=["GET"])
@blp.response(200, StoreProductSchema)
@blp.errors(404)
def group_product(code, product_id):
    """One product of the group's catalogue"""
    return browse.group_product(resolve_link(code).group_id, product_id)
