"""Who may buy what now: the member zone (members only, optionally from a tier up) and new
products (members first, by the programme's hours or their tier's early access if longer).
Checked at checkout; shown to everyone in the catalogue (the teaser)."""
from __future__ import annotations

import datetime as dt

from app.catalog.models import Product, Sku
from app.db import utcnow
from app.errors import Conflict, PermissionDenied
from app.extensions import db
from app.i18n import _
from app.loyalty.models import Tier


def _member_hours(standing=None) -> int:
    from app.loyalty.services import program

    hours = program().new_product_member_hours
    if standing is not None:
        hours = max(hours, standing.early_access_hours)
    return hours


def members_from(product: Product) -> dt.datetime | None:
    """The earliest a member (of no special tier) may buy a new product."""
    if not (product.is_new and product.released_at):
        return None
    return product.released_at - dt.timedelta(hours=_member_hours())


def check(skus: dict[int, Sku], standing, now: dt.datetime | None = None) -> None:
    """Raise if any of these SKUs is not for this shopper to buy now."""
    now = now or utcnow()
    zone = sorted(s.id for s in skus.values() if s.product.members_only and not standing.member)
    if zone:
        raise PermissionDenied(_("Some items are for members only: join the membership to buy them"),
                               code="members_only", details={"sku_ids": zone})
    for sku in skus.values():
        product = sku.product
        if product.members_only and product.min_tier_id is not None:
            needed = db.session.get(Tier, product.min_tier_id)
            if needed is not None and standing.growth_points < needed.min_growth:
                raise PermissionDenied(_('%(product)s is for %(tier)s members and above',
                                         product=product.name, tier=needed.name),
                                       code="tier_required", details={"sku_id": sku.id, "tier": needed.name})
        if product.is_new and product.released_at and now < product.released_at:
            opens = product.released_at
            if standing.member:
                opens = product.released_at - dt.timedelta(hours=_member_hours(standing))
            if now < opens:
                raise Conflict(_('%(name)s is not on sale yet', name=product.name), code="not_on_sale_yet",
                               details={"sku_id": sku.id, "opens_at": opens.isoformat(),
                                        "members_from": members_from(product).isoformat()})
