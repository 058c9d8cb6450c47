"""Merchant content on the wire: the ``translations`` input field (validated against app/content.py)
and output fields that show a name or description in the reader's language."""
from __future__ import annotations

import marshmallow as ma
from flask import has_request_context
from flask_babel import get_locale

from app.content import TRANSLATABLE, localized
from app.i18n import LOCALES, gettext_now, to_tag
from blueprints import fields as f


class Translations(ma.fields.Field):
    """{"en": {"name": "...", "description": "..."}}: only known languages and translatable fields,
    each text within the original column's length. Replaces the stored translations as a whole."""

    def __init__(self, kind: str, **kwargs):
        self.limits = TRANSLATABLE[kind]
        example = {"en": {field: "..." for field in self.limits}}
        super().__init__(allow_none=True, metadata={
            "type": "object", "example": example,
            "description": "Name/description in other languages, by language tag (" + ", ".join(LOCALES) + ")"},
            **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ma.ValidationError(gettext_now("Must be an object keyed by language."))
        result, errors = {}, {}
        for tag, texts in value.items():
            try:
                texts = self._language(tag, texts)
            except ma.ValidationError as error:
                errors[str(tag)] = error.messages
                continue
            if texts:
                result[tag] = texts
        if errors:
            raise ma.ValidationError(errors)
        return result

    def _language(self, tag, texts) -> dict[str, str]:
        if tag not in LOCALES:
            raise ma.ValidationError(gettext_now("Unknown language; use one of %(known)s.",
                                                 known=", ".join(LOCALES)))
        if not isinstance(texts, dict):
            raise ma.ValidationError(gettext_now("Must be an object of texts by field."))
        unknown = sorted(str(k) for k in texts if k not in self.limits)
        if unknown:
            raise ma.ValidationError({k: [gettext_now("Not a translatable field.")] for k in unknown})
        clean, errors = {}, {}
        for field, text in texts.items():
            try:
                clean[field] = f.name(self.limits[field]).deserialize(text)
            except ma.ValidationError as error:
                errors[field] = error.messages
        if errors:
            raise ma.ValidationError(errors)
        return clean


def reader_tag() -> str | None:
    """The negotiated language of this request (blueprints/locale.py), None outside one."""
    return to_tag(get_locale()) if has_request_context() and get_locale() is not None else None


def localized_of(row, field: str):
    """The row's ``field`` in the reader's language, falling back to the original."""
    return localized(row, field, reader_tag())


def Localized(field: str, **kwargs) -> ma.fields.Function:  # noqa: N802
    """A dump-only field: the row's ``field`` in the reader's language."""
    return f.Function(lambda row: localized_of(row, field), dump_only=True, **kwargs, returns=ma.fields.String())
