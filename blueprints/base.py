"""The flask-smorest Api and a Blueprint that documents auth and errors alongside enforcing them."""
from __future__ import annotations

import datetime as dt
from functools import wraps

import flask_smorest
from werkzeug.routing import BaseConverter, IntegerConverter, ValidationError

from app.staff.permissions import is_known
from blueprints.auth import Role, authenticate_request
from blueprints.errors import ErrorEnvelopeSchema, handle_http_exception
from blueprints.fields import MAX_ID
from blueprints.json_body import DepthLimitedParser
from blueprints.pagination import link_header

STATUS_NAMES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
                409: "CONFLICT", 413: "REQUEST_ENTITY_TOO_LARGE", 422: "UNPROCESSABLE_ENTITY",
                429: "TOO_MANY_REQUESTS"}


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ErrorEnvelopeSchema

    def handle_http_exception(self, error):
        return handle_http_exception(error)


class IdConverter(IntegerConverter):
    """Positive 32-bit ids: a larger number can't be an id, so it is a 404 before touching the DB."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


class CodeConverter(BaseConverter):
    regex = r"[A-Za-z0-9]{4,32}"


class DateConverter(BaseConverter):
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError() from None  # no such route: 404

    def to_url(self, value: dt.date) -> str:
        return value.isoformat()


def register_converters(app, api: Api) -> None:
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["code"] = CodeConverter
    app.url_map.converters["date"] = DateConverter
    api.register_converter(IdConverter, lambda c: {"type": "integer", "minimum": 1, "maximum": MAX_ID})
    api.register_converter(CodeConverter, lambda c: {"type": "string", "pattern": "^[A-Za-z0-9]{4,32}$"})
    api.register_converter(DateConverter, lambda c: {"type": "string", "format": "date"})


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = DepthLimitedParser()  # refuses absurdly nested bodies with a 400

    def _set_pagination_metadata(self, page_params, result, headers):
        # X-Pagination (flask-smorest) plus an RFC 8288 Link header that generic clients follow.
        result, headers = super()._set_pagination_metadata(page_params, result, headers)
        links = link_header(page_params.page, page_params.page_size, page_params.item_count)
        if links:
            headers["Link"] = links
        return result, headers

    def _document_pagination_metadata(self, spec, resp_doc):
        super()._document_pagination_metadata(spec, resp_doc)
        resp_doc["headers"]["Link"] = {
            "description": 'RFC 8288 links to the first, prev, next and last pages (rel="first" …)',
            "schema": {"type": "string"}}

    def errors(self, *statuses: int):
        """Document the error statuses an operation can answer with (all use the error envelope)."""

        def decorator(func):
            # alt_response wraps the view in a pass-through per status (a call and an ensure_sync
            # each, on every request); only the documentation it attaches is wanted, so take that.
            documented = func
            for status in statuses:
                documented = self.alt_response(status, response=STATUS_NAMES[status])(documented)
            func._apidoc = documented._apidoc
            return func

        return decorator

    def csv(self, description: str, headers: dict | None = None):
        """A 200 answered as a CSV file (spreadsheets, the bank, warehouse systems), documented as
        `text/csv` so that generated clients read it as text rather than try to parse JSON."""
        documented = {"description": description, "content": {"text/csv": {"schema": {"type": "string"}}}}
        if headers:
            documented["headers"] = headers

        def decorator(func):
            func = self.response(200, description=description, content_type="text/csv")(func)
            return self.doc(responses={"200": documented})(func)

        return decorator

    def requires(self, role: Role, permission: str | None = None):
        """Enforce a role (and for staff, a permission of their staff role) and document the bearer
        security, the permission (`x-permission`) and the 401/403 they imply. A staff operation
        without a permission refuses everyone, and tests/api/test_staff_permissions.py fails on it."""
        if permission is not None and not is_known(permission):
            raise ValueError(f"unknown permission {permission!r}")

        def decorator(func):
            @wraps(func)
            def wrapper(*args, **kwargs):
                authenticate_request(role, permission)
                return func(*args, **kwargs)

            wrapper = self.doc(security=[{"bearerAuth": []}])(wrapper)
            if permission is not None:
                wrapper = self.doc(**{"x-permission": permission})(wrapper)
            return self.errors(401, 403)(wrapper)

        return decorator


api = Api()
