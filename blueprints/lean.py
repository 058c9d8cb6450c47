"""Request parsing for hot routes that skip webargs: its per-request schema set-up and location
machinery cost as much as the flash-sale gate itself. Same schemas, same errors: a body that is
not JSON is 400 malformed_json, an invalid or unknown field 422 validation_error — exactly what the
@blp.arguments routes answer. Document such a route with `documented_body` so the OpenAPI
description, and the tests that walk it, still see the body."""
from __future__ import annotations

import marshmallow as ma
from flask import request
from flask_smorest import abort

from blueprints.json_body import parse


def json_body(schema: ma.Schema) -> dict:
    """Load the JSON body with `schema` (an instance, built once); an absent body is {}."""
    raw = request.get_data(cache=True) if request.is_json else b""
    try:
        data = parse(raw) if raw else {}
    except ValueError:
        abort(400, messages={"json": ["Invalid JSON body."]})
    try:
        return schema.load(data)
    except ma.ValidationError as error:
        abort(422, messages={"json": error.messages})


def headers(schema: ma.Schema) -> dict:
    """Load the headers the schema names (by data_key); others are ignored."""
    wanted = {field.data_key or name for name, field in schema.load_fields.items()}
    try:
        return schema.load({name: request.headers[name] for name in wanted if name in request.headers})
    except ma.ValidationError as error:
        abort(422, messages={"headers": error.messages})


def documented_body(schema_cls: type[ma.Schema], header_schema_cls: type[ma.Schema] | None = None) -> dict:
    """`@blp.doc(**documented_body(...))`: the request body (and headers) in the OpenAPI document."""
    doc: dict = {"requestBody": {"required": True, "content": {"application/json": {"schema": schema_cls}}}}
    if header_schema_cls is not None:
        doc["parameters"] = [{"in": "header", "schema": header_schema_cls}]
    return doc
