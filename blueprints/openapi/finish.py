"""The last pass over the generated document: what apispec cannot say from one field or one view.

- `required` on schemas that only responses use: every key a dump always writes;
- enums as named components, one per distinct set of values, referenced where used;
- the errors and headers every operation can answer with (503 with Retry-After everywhere, 400/413
  where there is a body, 404 where there is a path id), and the headers of success responses
  (X-Request-Id, Link next to X-Pagination, Idempotent-Replayed where an Idempotency-Key is taken).
"""
from __future__ import annotations

import re
from collections import defaultdict

from blueprints.openapi.responses import COMMON_HEADERS, COMMON_RESPONSES, add_common_answers, add_error_headers

REF = "#/components/schemas/"


def finish(doc: dict, *, marker: str) -> dict:
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    _mark_output_required(doc, schemas, marker)
    _name_enums(doc, schemas)
    doc["components"].setdefault("headers", {}).update(COMMON_HEADERS)
    doc["components"].setdefault("responses", {}).update(COMMON_RESPONSES)
    add_error_headers(doc["components"]["responses"])
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            if method != "parameters":
                add_common_answers(operation, has_path_parameters="{" in path)
    return doc


def _operations(doc: dict):
    for item in doc.get("paths", {}).values():
        for method, operation in item.items():
            if method != "parameters":
                yield operation


# --- required -------------------------------------------------------------------------------------

def _refs(node, found: set) -> set:
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith(REF):
            found.add(ref[len(REF):])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def _closure(names: set, schemas: dict) -> set:
    seen: set = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        todo.extend(_refs(schemas[name], set()) - seen)
    return seen


def _mark_output_required(doc: dict, schemas: dict, marker: str) -> None:
    read, written = set(), set()
    for operation in _operations(doc):
        _refs(operation.get("responses", {}), read)
        _refs(operation.get("requestBody", {}), written)
        _refs(operation.get("parameters", []), written)
    for webhook in doc.get("webhooks", {}).values():
        _refs(webhook, read)
    output_only = _closure(read, schemas) - _closure(written, schemas)
    for name, schema in schemas.items():
        always = schema.pop(marker, None)
        if always and name in output_only:
            schema["required"] = sorted(set(schema.get("required", [])) | set(always))


# --- enums ----------------------------------------------------------------------------------------

KEPT_ON_USE = {"description", "default", "readOnly", "writeOnly", "title", "example", "deprecated"}


def _pascal(*words: str) -> str:
    return "".join(part[:1].upper() + part[1:] for word in words for part in re.split(r"[^A-Za-z0-9]+", word) if part)


def _enum_uses(doc: dict, schemas: dict):
    """(suggested name, the node holding the enum) for every inline enum, properties first."""
    def walk(node, name):
        if not isinstance(node, dict):
            return
        if "enum" in node:
            yield name, node
        for prop, sub in node.get("properties", {}).items():
            yield from walk(sub, _pascal(name, prop))
        for key in ("items", "additionalProperties"):
            yield from walk(node.get(key), name)
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in node.get(key, []):
                yield from walk(sub, name)

    for schema_name in sorted(schemas):
        yield from walk(schemas[schema_name], schema_name)
    for operation in _operations(doc):
        for parameter in operation.get("parameters", []):
            if "$ref" in parameter:  # a shared parameter (flask-smorest's If-Match): its schema has no enum
                continue
            yield from walk(parameter.get("schema"), _pascal(operation.get("operationId", ""), parameter["name"]))


def _name_enums(doc: dict, schemas: dict) -> None:
    uses = list(_enum_uses(doc, schemas))
    by_values: dict[tuple, list] = defaultdict(list)
    for name, node in uses:
        values = tuple(v for v in node["enum"] if v is not None)
        types = node.get("type", "string")
        base_type = next(t for t in ([types] if isinstance(types, str) else types) if t != "null")
        by_values[(base_type, values)].append((name, node))
    taken = set(schemas)
    for (base_type, values), nodes in sorted(by_values.items(), key=lambda kv: min(n for n, _ in kv[1])):
        # The shortest use names it (Order.status rather than StaffOrder.status): stable across runs
        # as long as the schemas and fields keep their names.
        component = min((n for n, _ in nodes), key=lambda n: (len(n), n))
        if component in taken:
            component += "Enum"
        taken.add(component)
        schemas[component] = {"type": base_type, "enum": list(values)}
        for _, node in nodes:
            nullable = None in node["enum"] or "null" in (node.get("type") or [])
            kept = {k: v for k, v in node.items() if k in KEPT_ON_USE}
            node.clear()
            ref = {"$ref": REF + component}
            node.update({"anyOf": [ref, {"type": "null"}]} if nullable else ref)
            node.update(kept)
