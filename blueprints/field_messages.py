"""Marshmallow's field errors (422 details.fields) in the caller's language.

Marshmallow formats its messages in English before we see them ("Length must be between 1 and 80."),
so each known message is recognised here and said again through gettext with its numbers kept.
A message we do not know (a new marshmallow release) stays English rather than failing."""
from __future__ import annotations

import re
from collections.abc import Callable

from app.i18n import gettext_now

_Rule = tuple[re.Pattern, Callable[..., str]]
_RULES: list[_Rule] = [
    (re.compile(r"Missing data for required field\."), lambda: gettext_now("This field is required.")),
    (re.compile(r"Unknown field\."), lambda: gettext_now("Unknown field.")),
    (re.compile(r"Field may not be null\."), lambda: gettext_now("This field may not be null.")),
    (re.compile(r"Invalid input type\."), lambda: gettext_now("Invalid input type.")),
    (re.compile(r"Not a valid integer\."), lambda: gettext_now("Not a valid integer.")),
    (re.compile(r"Not a valid number\."), lambda: gettext_now("Not a valid number.")),
    (re.compile(r"Not a valid string\."), lambda: gettext_now("Not a valid string.")),
    (re.compile(r"Not a valid boolean\."), lambda: gettext_now("Not true or false.")),
    (re.compile(r"Not a valid date\."), lambda: gettext_now("Not a valid date (YYYY-MM-DD).")),
    (re.compile(r"Not a valid datetime\."), lambda: gettext_now("Not a valid date and time.")),
    (re.compile(r"Not a valid time\."), lambda: gettext_now("Not a valid time (HH:MM).")),
    (re.compile(r"Not a valid (?:aware|naive) datetime\."), lambda: gettext_now("Not a valid date and time.")),
    (re.compile(r"Not a valid email address\."), lambda: gettext_now("Not a valid e-mail address.")),
    (re.compile(r"Not a valid URL\."), lambda: gettext_now("Not a valid URL.")),
    (re.compile(r"Not a valid list\."), lambda: gettext_now("Not a valid list.")),
    (re.compile(r"Not a valid mapping type\."), lambda: gettext_now("Not a valid object.")),
    (re.compile(r"Not a valid UUID\."), lambda: gettext_now("Not a valid UUID.")),
    (re.compile(r"Number too large\."), lambda: gettext_now("Number too large.")),
    (re.compile(r"Special numeric values \(nan or infinity\) are not permitted\."),
     lambda: gettext_now("NaN and infinity are not allowed.")),
    (re.compile(r"Invalid value\."), lambda: gettext_now("Invalid value.")),
    (re.compile(r"String does not match expected pattern\."), lambda: gettext_now("Not in the expected format.")),
    (re.compile(r"Length must be between (?P<min>\d+) and (?P<max>\d+)\."),
     lambda min, max: gettext_now("Length must be between %(min)s and %(max)s.", min=min, max=max)),
    (re.compile(r"Length must be (?P<equal>\d+)\."),
     lambda equal: gettext_now("Length must be %(equal)s.", equal=equal)),
    (re.compile(r"Shorter than minimum length (?P<min>\d+)\."),
     lambda min: gettext_now("Shorter than the minimum length %(min)s.", min=min)),
    (re.compile(r"Longer than maximum length (?P<max>\d+)\."),
     lambda max: gettext_now("Longer than the maximum length %(max)s.", max=max)),
    (re.compile(r"Must be greater than or equal to (?P<min>\S+) and less than or equal to (?P<max>\S+)\."),
     lambda min, max: gettext_now("Must be between %(min)s and %(max)s.", min=min, max=max)),
    (re.compile(r"Must be greater than or equal to (?P<min>\S+)\."),
     lambda min: gettext_now("Must be at least %(min)s.", min=min)),
    (re.compile(r"Must be less than or equal to (?P<max>\S+)\."),
     lambda max: gettext_now("Must be at most %(max)s.", max=max)),
    (re.compile(r"Must be greater than (?P<min>\S+)\."),
     lambda min: gettext_now("Must be greater than %(min)s.", min=min)),
    (re.compile(r"Must be one of: (?P<choices>.*)\."),
     lambda choices: gettext_now("Must be one of: %(choices)s.", choices=choices)),
    (re.compile(r"NUL characters are not allowed\."), lambda: gettext_now("NUL characters are not allowed.")),
    (re.compile(r"Not valid Unicode text\."), lambda: gettext_now("Not valid Unicode text.")),
    (re.compile(r"Invalid JSON body\."), lambda: gettext_now("Not valid JSON.")),
]


def translate_message(text: str) -> str:
    for pattern, render in _RULES:
        match = pattern.fullmatch(text)
        if match:
            return render(**match.groupdict())
    return text


def translate_fields(messages):
    """The same nested structure (dicts by field, lists, indexes), every text translated."""
    if isinstance(messages, dict):
        return {key: translate_fields(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [translate_fields(value) for value in messages]
    if isinstance(messages, str):
        return translate_message(messages)
    return str(messages) if messages is not None and not isinstance(messages, (int, float, bool)) else messages
