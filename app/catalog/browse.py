"""What a shopper sees: the active catalogue of one group."""
from __future__ import annotations

import sqlalchemy as sa

from app.catalog.models import Product, ProductStatus, Sku, product_groups
from app.content import name_contains
from app.errors import not_found
from app.extensions import db


def _sold_to_group(group_id: int):
    restricted = sa.exists().where(product_groups.c.product_id == Product.id)
    allowed = sa.exists().where(product_groups.c.product_id == Product.id, product_groups.c.group_id == group_id)
    return sa.or_(~restricted, allowed)


def _has_active_sku():
    return sa.exists().where(Sku.product_id == Product.id, Sku.is_active.is_(True))


def group_catalogue(group_id: int, *, category_id: int | None = None, q: str | None = None) -> sa.Select:
    """Active products sold to the group, in the merchant's order (position, then id: stable across pages)."""
    query = (
        sa.select(Product)
        .where(Product.status == ProductStatus.ACTIVE, _sold_to_group(group_id), _has_active_sku())
        .order_by(Product.position, Product.id)
    )
    if category_id is not None:
        query = query.where(Product.category_id == category_id)
    if q:
        query = query.where(name_contains(Product, q))
    return query


def group_product(group_id: int, product_id: int) -> Product:
    product = db.session.scalar(group_catalogue(group_id).where(Product.id == product_id))
    if product is None:
        raise not_found("product", id=product_id)
    return product
