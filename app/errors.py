"""Domain errors. Each carries a stable snake_case code; blueprints/errors.py maps them to HTTP."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class NotFound(DomainError):
    code = "not_found"


class AuthenticationFailed(DomainError):
    code = "unauthenticated"


class PermissionDenied(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"


class RateLimited(DomainError):
    """Too many of something in a period (429); retry_after: seconds until it may be tried again."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None,
                 details: dict[str, Any] | None = None):
        super().__init__(message, code=code, details=details)
        self.retry_after = max(int(retry_after), 1)


class ServiceUnavailable(DomainError):
    """A service we depend on (an SMS provider) failed; nothing was changed, retry later (503)."""

    code = "service_unavailable"


class InvalidRequest(DomainError):
    """Well-formed input that breaks a business rule (422)."""

    code = "invalid_request"


def not_found(resource: str, **ident: Any) -> NotFound:
    return NotFound(f"{resource.replace('_', ' ').capitalize()} not found", code=f"{resource}_not_found", details=ident)
