"""Merchant catalogue management: categories, products, SKUs and stock totals."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.catalog.models import Category, Product, ProductStatus, Sku
from app.content import name_contains
from app.errors import Conflict, InvalidRequest, not_found
from app.extensions import db
from app.groups.models import Group
from app.i18n import _
from app.inventory import movements
from app.inventory.models import MovementReason
from app.persistence import commit_unique

PRODUCT_FIELDS = ("name", "description", "category_id", "image_urls", "position", "repeat_use", "usage_days_per_unit",
                  "members_only", "min_tier_id", "is_new", "released_at", "translations")
SKU_FIELDS = ("code", "name", "price_cents", "compare_at_price_cents", "member_price_cents", "position", "is_active",
              "translations")


# -- categories ---------------------------------------------------------------------------------

def get_category(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise not_found("category", id=category_id)
    return category


def create_category(name: str, position: int = 0, translations: dict | None = None) -> Category:
    category = Category(name=name, position=position, translations=translations)
    db.session.add(category)
    commit_unique("category", name=name)
    return category


def update_category(category: Category, changes: dict[str, Any]) -> Category:
    for key in ("name", "position", "translations"):
        if key in changes:
            setattr(category, key, changes[key])
    commit_unique("category", name=category.name)
    return category


def delete_category(category: Category) -> None:
    in_use = db.session.scalar(
        sa.select(sa.func.count()).select_from(Product).where(Product.category_id == category.id)
    )
    if in_use:
        raise Conflict(_("Products still use this category; move them first"), code="category_in_use",
                       details={"products": in_use})
    db.session.delete(category)
    db.session.commit()


def list_categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).order_by(Category.position, Category.id)))


# -- products -----------------------------------------------------------------------------------

def get_product(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        raise not_found("product", id=product_id)
    return product


def _apply_product(product: Product, data: dict[str, Any]) -> None:
    for key in PRODUCT_FIELDS:
        if key in data:
            setattr(product, key, data[key])
    if data.get("category_id") is not None:
        get_category(data["category_id"])
    if not product.repeat_use:
        product.usage_days_per_unit = None
    elif not product.usage_days_per_unit:
        raise InvalidRequest(_("A repeat-use product needs usage_days_per_unit"), code="usage_days_required")
    if "group_ids" in data:
        product.groups = _groups(data["group_ids"])
    if data.get("min_tier_id") is not None:
        from app.loyalty.models import Tier

        if db.session.get(Tier, data["min_tier_id"]) is None:
            raise InvalidRequest(_("Unknown tier"), code="tier_not_found", details={"id": data["min_tier_id"]})
    if product.is_new and product.released_at is None:
        raise InvalidRequest(_("A new product needs released_at: when everyone may buy it"),
                             code="release_time_required")


def _groups(group_ids: list[int]) -> list[Group]:
    ids = sorted(set(group_ids))
    groups = list(db.session.scalars(sa.select(Group).where(Group.id.in_(ids)))) if ids else []
    missing = sorted(set(ids) - {g.id for g in groups})
    if missing:
        raise InvalidRequest(_("Unknown group ids"), code="group_not_found", details={"ids": missing})
    return groups


def _set_status(product: Product, status: str) -> None:
    new = ProductStatus(status)
    if new is ProductStatus.ACTIVE and not any(s.is_active for s in product.skus):
        raise Conflict(_("A product needs an active SKU before it can be sold"), code="product_has_no_skus")
    product.status = new


def create_product(data: dict[str, Any]) -> Product:
    product = Product(name=data["name"])
    _apply_product(product, data)
    for sku_data in data.get("skus", []):
        product.skus.append(_new_sku(sku_data))
    _set_status(product, data.get("status", ProductStatus.DRAFT))
    db.session.add(product)
    commit_unique("sku", codes=[s.code for s in product.skus])
    return product


def update_product(product: Product, changes: dict[str, Any]) -> Product:
    _apply_product(product, changes)
    if "status" in changes:
        _set_status(product, changes["status"])
    db.session.commit()
    return product


def delete_product(product: Product) -> None:
    """Only a draft that never sold and never held stock may be deleted; everything else is archived,
    to keep order history whole — and the stock ledger, which is append-only and names the SKU."""
    from app.inventory.models import StockMovement

    sku_ids = [s.id for s in product.skus]
    touched = bool(sku_ids) and db.session.scalar(
        sa.select(sa.func.count()).select_from(StockMovement).where(StockMovement.sku_id.in_(sku_ids))) > 0
    if product.status is not ProductStatus.DRAFT or touched:
        raise Conflict(_("Only unsold drafts can be deleted; archive this product instead"),
                       code="product_not_deletable")
    db.session.delete(product)
    db.session.commit()


def list_products(*, status: str | None = None, category_id: int | None = None, q: str | None = None) -> sa.Select:
    query = sa.select(Product).options(selectinload(Product.groups)).order_by(Product.position, Product.id)
    if status:
        query = query.where(Product.status == ProductStatus(status))
    if category_id is not None:
        query = query.where(Product.category_id == category_id)
    if q:
        query = query.where(name_contains(Product, q))
    return query


# -- SKUs ---------------------------------------------------------------------------------------

def _new_sku(data: dict[str, Any]) -> Sku:
    sku = Sku(stock_total=data.get("stock_total", 0), stock_reserved=0, stock_sold=0, is_active=True, position=0)
    for key in SKU_FIELDS:
        if key in data:
            setattr(sku, key, data[key])
    _check_prices(sku)
    if sku.stock_total:
        movements.initial_stock(sku)
    return sku


def _check_prices(sku: Sku) -> None:
    if sku.compare_at_price_cents is not None and sku.compare_at_price_cents <= sku.price_cents:
        raise InvalidRequest(_("compare_at_price_cents must be above price_cents"), code="invalid_compare_at_price")
    if sku.member_price_cents is not None and sku.member_price_cents > sku.price_cents:
        raise InvalidRequest(_("member_price_cents must not be above price_cents"), code="invalid_member_price")


def get_sku(sku_id: int) -> Sku:
    sku = db.session.get(Sku, sku_id)
    if sku is None:
        raise not_found("sku", id=sku_id)
    return sku


def add_sku(product: Product, data: dict[str, Any]) -> Sku:
    sku = _new_sku(data)
    product.skus.append(sku)
    commit_unique("sku", code=sku.code)
    return sku


def update_sku(sku: Sku, changes: dict[str, Any]) -> Sku:
    for key in SKU_FIELDS:
        if key in changes:
            setattr(sku, key, changes[key])
    _check_prices(sku)
    if "stock_total" in changes:
        _set_stock_total(sku, changes["stock_total"])
    commit_unique("sku", code=sku.code)
    return sku


def _set_stock_total(sku: Sku, total: int) -> None:
    # Guarded: orders may be reserving this SKU right now; never set total below what is committed.
    db.session.flush()
    # Locked (PostgreSQL) and re-checked in the guard, so the movement records exactly the change.
    before = db.session.scalar(sa.select(Sku.stock_total).where(Sku.id == sku.id).with_for_update())
    done = before == total or movements.shift(
        sku.id, MovementReason.ADJUSTED, abs(total - before), total=total - before, reference_type="sku",
        reference_id=sku.id, guard=sa.and_(Sku.stock_total == before, Sku.stock_sold + Sku.stock_reserved <= total))
    db.session.refresh(sku, ["stock_total", "stock_reserved", "stock_sold"])
    if not done:
        committed = sku.stock_sold + sku.stock_reserved
        db.session.rollback()
        raise Conflict(_('Stock total cannot go below the %(committed)s units already sold or reserved',
                         committed=committed),
                       code="stock_below_committed", details={"committed": committed})
