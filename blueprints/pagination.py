"""flask-smorest pagination over SQLAlchemy select statements (metadata in X-Pagination)."""
from __future__ import annotations

import sqlalchemy as sa
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
