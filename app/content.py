"""Merchant content in the reader's language: names and descriptions of products, SKUs, categories and
campaigns are written once (in the store's language) and may carry translations, stored on the row as
``{"en": {"name": ..., "description": ...}}``. Reading them costs no query: the JSON is on the row."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.i18n import LOCALES

# Which fields each kind of row may translate, and their length limits (the original column's).
TRANSLATABLE = {
    "category": {"name": 60},
    "product": {"name": 120, "description": 5000},
    "sku": {"name": 80},
    "campaign": {"name": 120, "description": 2000},
}


def localized(row: Any, field: str, tag: str | None) -> Any:
    """The field in language ``tag`` when the merchant translated it, else the original text."""
    original = getattr(row, field)
    if not tag:
        return original
    translation = (getattr(row, "translations", None) or {}).get(tag) or {}
    return translation.get(field) or original


def name_contains(model: Any, q: str) -> sa.ColumnElement[bool]:
    """The row's name, or its name in any language it is translated into, contains ``q`` (any case):
    a shopper reading in English finds 鸡蛋 by "egg". The JSON path is read in SQL on both databases
    (SQLite JSON_EXTRACT, PostgreSQL #>>); a catalogue is small enough that no index is needed."""
    names = [model.name, *(model.translations[(tag, "name")].as_string() for tag in LOCALES)]
    return sa.or_(*(name.icontains(q, autoescape=True) for name in names))
