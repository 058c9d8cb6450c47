from __future__ import annotations

from app.catalog import services as catalog
from blueprints import sort_keys
from blueprints.admin import blp
from blueprints.auth import Role
from blueprints.pagination import SQLPage
from blueprints.schemas.catalog import (
    AdminProductQuerySchema,
    CategoryInputSchema,
    CategorySchema,
    CategoryUpdateSchema,
    ProductInputSchema,
    ProductSchema,
    ProductUpdateSchema,
    SkuInputSchema,
    SkuSchema,
    SkuUpdateSchema,
)
from blueprints.sorting import sorted_by


@blp.route("/categories", methods=["GET"])
@blp.requires(Role.STAFF, "catalog.read")
@blp.response(200, CategorySchema(many=True))
def list_categories():
    """Categories in display order"""
    return catalog.list_categories()


@blp.route("/categories", methods=["POST"])
@blp.requires(Role.STAFF, "catalog.edit")
@blp.arguments(CategoryInputSchema)
@blp.response(201, CategorySchema)
@blp.errors(409)
def create_category(data):
    """Create a category (names are unique)"""
    return catalog.create_category(**data)


@blp.route("/categories/<id:category_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "catalog.edit")
@blp.arguments(CategoryUpdateSchema)
@blp.response(200, CategorySchema)
@blp.errors(404, 409)
def update_category(changes, category_id):
    """Rename or reorder a category"""
    return catalog.update_category(catalog.get_category(category_id), changes)


@blp.route("/categories/<id:category_id>", methods=["DELETE"])
@blp.requires(Role.STAFF, "catalog.edit")
@blp.response(204)
@blp.errors(404, 409)
def delete_category(category_id):
    """Delete an unused category"""
    catalog.delete_category(catalog.get_category(category_id))


@blp.route("/products", methods=["GET"])
@blp.requires(Role.STAFF, "catalog.read")
@blp.arguments(AdminProductQuerySchema, location="query")
@blp.response(200, ProductSchema(many=True))
@blp.paginate(SQLPage, page_size=20)
@sorted_by(sort_keys.PRODUCTS)
def list_products(query):
    """All products in any status; filter by status, category, name"""
    return catalog.list_products(**query)


@blp.route("/products", methods=["POST"])
@blp.requires(Role.STAFF, "catalog.edit")
@blp.arguments(ProductInputSchema)
@blp.response(201, ProductSchema)
@blp.errors(409)
def create_product(data):
    """Create a product with its SKUs; only a product with an active SKU can be made active"""
    return catalog.create_product(data)


@blp.route("/products/<id:product_id>", methods=["GET"])
@blp.requires(Role.STAFF, "catalog.read")
@blp.etag
@blp.response(200, ProductSchema)
@blp.errors(404)
def get_product(product_id):
    """One product with stock counters"""
    return catalog.get_product(product_id)


@blp.route("/products/<id:product_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "catalog.edit")
@blp.etag
@blp.arguments(ProductUpdateSchema)
@blp.response(200, ProductSchema)
@blp.errors(404, 409)
def update_product(changes, product_id):
    """Edit a product, publish (active) or archive it, restrict it to groups. Send the ETag of
    your read as `If-Match`: 412 if someone changed it since, 428 without it."""
    product = catalog.get_product(product_id)
    blp.check_etag(product, ProductSchema)
    return catalog.update_product(product, changes)


@blp.route("/products/<id:product_id>", methods=["DELETE"])
@blp.requires(Role.STAFF, "catalog.edit")
@blp.response(204)
@blp.errors(404, 409)
def delete_product(product_id):
    """Delete an unsold draft (anything else is archived instead)"""
    catalog.delete_product(catalog.get_product(product_id))


@blp.route("/products/<id:product_id>/skus", methods=["POST"])
@blp.requires(Role.STAFF, "catalog.edit")
@blp.arguments(SkuInputSchema)
@blp.response(201, SkuSchema)
@blp.errors(404, 409)
def add_sku(data, product_id):
    """Add a variant (SKU codes are unique across the store)"""
    return catalog.add_sku(catalog.get_product(product_id), data)


@blp.route("/skus/<id:sku_id>", methods=["GET"])
@blp.requires(Role.STAFF, "catalog.read")
@blp.etag
@blp.response(200, SkuSchema)
@blp.errors(404)
def get_sku(sku_id):
    """One SKU, with the ETag its PATCH needs as If-Match"""
    return catalog.get_sku(sku_id)


@blp.route("/skus/<id:sku_id>", methods=["PATCH"])
@blp.requires(Role.STAFF, "catalog.edit")
@blp.etag
@blp.arguments(SkuUpdateSchema)
@blp.response(200, SkuSchema)
@blp.errors(404, 409)
def update_sku(changes, sku_id):
    """Change price, code, name or stock total (never below what is sold or reserved). `If-Match`:
    the SKU's ETag (GET /skus/{id} or the previous PATCH's answer); 412/428 as for products."""
    sku = catalog.get_sku(sku_id)
    blp.check_etag(sku, SkuSchema)
    return catalog.update_sku(sku, changes)
