"""Small persistence idioms shared by the services: a commit that turns a unique-constraint
clash into a 409, and the get-or-create of a single settings row."""
from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from app.errors import Conflict
from app.extensions import db
from app.i18n import _

T = TypeVar("T")


# A whole sentence per kind of row, so each translates naturally.
DUPLICATE_MESSAGES = {
    "bonus_tier": _("A bonus tier with this threshold already exists"),
    "category": _("A category with this name already exists"),
    "payout_account": _("This payout account is already linked"),
    "sku": _("A SKU with this code already exists"),
    "subscription_plan": _("A subscription plan with this name already exists"),
    "tier": _("A membership tier with this name or threshold already exists"),
}


def commit_unique(what: str, code: str | None = None, **details: Any) -> None:
    """Commit; a unique-constraint clash is a Conflict (duplicate_<what>) and changes nothing."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        message = DUPLICATE_MESSAGES[what] if what in DUPLICATE_MESSAGES else _(
            "A %(thing)s with this value already exists", thing=what.replace("_", " "))
        raise Conflict(message,
                       code=code or f"duplicate_{what}", details=details) from None


def single_row(model: type[T], **defaults: Any) -> T:
    """The model's one row (id 1), created with its defaults on first use; a concurrent first use
    finds the row the other request created. Does not commit."""
    row = db.session.get(model, 1)
    if row is None:
        try:
            with db.session.begin_nested():
                row = model(id=1, **defaults)
                db.session.add(row)
        except IntegrityError:
            row = db.session.get(model, 1)
    return row
