"""How the OpenAPI document describes the API, app-wide, so that generated clients work as they are:
operation ids, typed computed fields, required output fields, enums as components, the errors and
headers every operation can answer with, servers and outbound webhooks (docs/api.md "Clients")."""
from __future__ import annotations

from blueprints.openapi.plugins import DocumentedMarshmallowPlugin, OperationIdPlugin, finish_document

__all__ = ["DocumentedMarshmallowPlugin", "OperationIdPlugin", "finish_document"]
