"""Merchant content in the reader's language: names and descriptions of products, SKUs, categories and
campaigns are written once (in the store's language) and may carry translations, stored on the row as
``{"en": {"name": ..., "description": ...}}``. Reading them costs no query: the JSON is on the row."""
from __future__ import annotations

from typing import Any

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
