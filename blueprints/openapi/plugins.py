"""apispec plugins: operation ids from Flask endpoints; computed fields typed; dump-required fields."""
from __future__ import annotations

from copy import deepcopy

import marshmallow as ma
from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.openapi import OpenAPIConverter

from blueprints.openapi.finish import finish
from blueprints.openapi.webhooks import register_webhooks

JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}
# Private marker carried from the converter to finish(): the fields a dump always writes.
DUMP_REQUIRED = "x-dump-required"


def operation_id(endpoint: str) -> str:
    """`store.place_order` → `store_place_order`: the surface and the view function, which is stable
    as long as the function keeps its name, and unique because Flask endpoints are."""
    return endpoint.replace(".", "_")


class OperationIdPlugin(BasePlugin):
    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        for operation in operations.values():
            operation.setdefault("operationId", operation_id(rule.endpoint))


class DocumentedConverter(OpenAPIConverter):
    def schema2jsonschema(self, schema):
        jsonschema = super().schema2jsonschema(schema)
        # Keys a dump always writes: every field that is dumped, unless declared `optional` in its
        # metadata (a key the schema leaves out at times). finish() turns this into `required` on
        # the schemas only responses use; input schemas keep their load-time `required`.
        always = [field.data_key or name for name, field in self._fields_of(schema).items()
                  if not field.load_only and not field.metadata.get("optional")]
        if always:
            jsonschema[DUMP_REQUIRED] = always
        return jsonschema

    @staticmethod
    def _fields_of(schema):
        from apispec.ext.marshmallow.common import get_fields

        return get_fields(schema, exclude_dump_only=False)


class DocumentedMarshmallowPlugin(MarshmallowPlugin):
    Converter = DocumentedConverter

    def init_spec(self, spec):
        super().init_spec(spec)
        # First, so that the field's own allow_none then makes the declared type nullable.
        self.converter.attribute_functions.insert(0, computed_field_type.__get__(self.converter))


def computed_field_type(converter, field, ret, **kwargs):
    """A Method/Function field declares what it returns (blueprints.fields.Computed): document that."""
    if isinstance(field, ma.fields.Constant):
        return {"type": JSON_TYPES[type(field.constant)], "const": field.constant}
    returns = getattr(field, "returns", None)
    if returns is None:
        return {}
    described = converter.field2property(returns)
    described.pop("readOnly", None)
    return described


def finish_document(spec) -> None:
    """Add the outbound webhooks, and make spec.to_dict() answer the finished document (flask-smorest
    serves and prints that)."""
    register_webhooks(spec)
    build = spec.to_dict

    def to_dict():
        return finish(deepcopy(build()), marker=DUMP_REQUIRED)

    spec.to_dict = to_dict
