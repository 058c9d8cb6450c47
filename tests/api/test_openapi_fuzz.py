"""Schemathesis against our own OpenAPI document, in-process: every operation, valid and invalid
input, as the right role. Fails on any 5xx and on any response that breaks the documented schema."""
from __future__ import annotations

import contextvars
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from tests.factories import code_of, join, make_group, make_leader, make_product, make_shopper, make_staff

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


# Loaded at import from a throwaway app: building the OpenAPI document touches no database.
# (schemathesis.pytest.from_fixture would reuse the session app, but trips over pytest 9 internals.)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", create_app({"APP_ENV": "test"}))


@pytest.fixture
def callers():
    """A small store, and a token per surface so the fuzzer gets past authentication."""
    staff = make_staff()
    leader = make_leader(staff)
    group = make_group(leader)
    shopper = make_shopper()
    join(shopper, group)
    make_product()
    return {"/api/v1/admin": staff.headers, "/api/v1/leader": leader.headers, "/api/v1/store": shopper.headers,
            "code": code_of(group)}


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_answers_every_input_without_5xx_and_as_documented(case, app, callers):
    headers = next(h for prefix, h in callers.items() if case.path.startswith(prefix))
    # Each call in a fresh context, so it gets its own app context and DB session as in production.
    response = contextvars.Context().run(case.call, headers=headers, app=app)
    case.validate_response(response, checks=CHECKS)
