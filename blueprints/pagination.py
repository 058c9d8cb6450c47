"""flask-smorest pagination over SQLAlchemy select statements (metadata in X-Pagination, links in Link)."""
from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa
from flask import request
from flask_smorest import Page

from app.extensions import db


class SQLPage(Page):
    """Counts with one query and fetches only the requested page."""

    @property
    def item_count(self) -> int:
        if not hasattr(self, "_count"):
            counted = self.collection.order_by(None).subquery()
            self._count = db.session.scalar(sa.select(sa.func.count()).select_from(counted))
        return self._count

    @property
    def items(self) -> list:
        first = self.page_params.first_item
        if first >= self.item_count:
            return []  # past the end; also keeps absurd page numbers away from the database
        return self._fetch(self.collection.limit(self.page_params.page_size).offset(first))

    def _fetch(self, stmt) -> list:
        return list(db.session.scalars(stmt))


class RowPage(SQLPage):
    """SQLPage for selects of several columns: each item is a row mapping (dumped by name)."""

    def _fetch(self, stmt) -> list:
        return [dict(row) for row in db.session.execute(stmt).mappings()]


def link_header(page: int, page_size: int, item_count: int) -> str | None:
    """RFC 8288 links to the first, previous, next and last pages, keeping the other query parameters
    (filters, sort, page_size) as the client sent them."""
    if item_count == 0:
        return None
    last = (item_count - 1) // page_size + 1
    pages = {"first": 1, "prev": page - 1 if 1 < page <= last + 1 else None,
             "next": page + 1 if page < last else None, "last": last}
    base = request.base_url
    links = []
    for rel, number in pages.items():
        if number is not None:
            query = urlencode([*((k, v) for k, v in request.args.items(multi=True) if k != "page"), ("page", number)])
            links.append(f'<{base}?{query}>; rel="{rel}"')
    return ", ".join(links)
