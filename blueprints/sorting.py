"""The `sort` query parameter of list operations: `sort=created_at` ascending, `sort=-created_at`
descending, one key at a time, from an allow-list per operation (anything else is 422 and names the
allowed values). The primary key in the same direction breaks ties, so paging stays stable.
docs/api.md "Sorting".
"""
from __future__ import annotations

from functools import wraps

import marshmallow as ma
import sqlalchemy as sa


class SortKeys:
    """The columns an operation may be sorted by, keyed by their public name."""

    def __init__(self, tiebreak, **columns) -> None:
        self.tiebreak = tiebreak
        self.columns = columns
        self.choices = [v for name in columns for v in (name, f"-{name}")]

    def field(self) -> ma.fields.String:
        return ma.fields.String(
            validate=ma.validate.OneOf(self.choices),
            metadata={"description": "Order of the list: a key, or a key prefixed with `-` for descending. "
                                     "Without it the operation's default order applies."})

    def apply(self, stmt: sa.Select, value: str | None) -> sa.Select:
        if not value:
            return stmt
        column = self.columns[value.removeprefix("-")]
        if value.startswith("-"):
            return stmt.order_by(None).order_by(column.desc(), self.tiebreak.desc())
        return stmt.order_by(None).order_by(column.asc(), self.tiebreak.asc())


def sorted_by(keys: SortKeys):
    """Apply the validated `sort` of the query (the view's first argument) to the select it returns."""

    def decorator(func):
        @wraps(func)
        def wrapper(query, *args, **kwargs):
            value = query.pop("sort", None)
            return keys.apply(func(query, *args, **kwargs), value)

        return wrapper

    return decorator
