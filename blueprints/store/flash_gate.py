"""The flash-sale gate at the edge of the app: the crowd that finds a sale sold out (or closed,
or is over its limit) is turned away before Flask builds a request.

Once a flash sale's stock is gone, nearly every request it serves is a refusal, and the one call
that decides it — the Redis script, or without Redis the read-only PEEK statement — is a fraction
of what Flask spends around it (request context, routing, flask-smorest's wrappers, marshmallow,
the error handler, jsonify: measured ~130 µs of a ~260 µs Redis refusal). This WSGI middleware
answers those refusals itself, as real flash-sale systems do in front of their application
servers, and hands everything else to Flask untouched:

- it only looks at `POST /api/v1/store/flash-sales/<id>/reserve`, and only decides when the
  request is in its plain, valid form (bearer token, Idempotency-Key, a JSON body of at most a
  quantity); anything else — a malformed body, a missing header, an unknown token, a replay, an
  item Redis does not know, Redis failing — goes to the Flask route, which answers as it always
  has;
- a refusal is the very response the route would give (the route's own error handler renders
  it, from the same decision: redis_gate.admit, or flash.refusal on PEEK's row);
  tests/api/test_flash_gate.py compares the two for every outcome on both paths;
- an attempt that can go ahead goes on to the route — with its Redis admission
  (request.environ[ADMITTED]), or marked PEEKED so the route does not ask again — which writes
  the order to PostgreSQL exactly as before; if the route never takes a Redis admission over,
  the gate gives the units back.
"""
from __future__ import annotations

import io
import json
import logging
import re

import psycopg
import redis
import sqlalchemy as sa
from flask import Flask
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from app.accounts.services import digest
from app.campaigns import flash, flash_sql, redis_gate
from app.db import utcnow
from app.errors import Conflict
from app.extensions import db
from app.i18n import LOCALES, in_locale
from app.metrics import FLASH_REFUSALS
from blueprints.audit import request_id_from
from blueprints.auth import MAX_TOKEN_LENGTH
from blueprints.errors import envelope, handle_domain_error
from blueprints.fields import MAX_ID
from blueprints.locale import canonical_language, offered_languages
from blueprints.schemas.orders import IDEMPOTENCY_KEY_RE
from blueprints.security_headers import DATA_HEADERS

log = logging.getLogger(__name__)
# environ keys: not settable by a client (theirs start HTTP_)
ADMITTED = "storefront.flash_admission"
PEEKED = "storefront.flash_peeked"
PATH = re.compile(r"/api/v1/store/flash-sales/([1-9][0-9]{0,9})/reserve")
CLIENT_KEY = re.compile(IDEMPOTENCY_KEY_RE)
MAX_BODY = 64  # {"quantity": 99} with room for whitespace; anything longer is the route's to judge


class FlashGate:
    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        with app.app_context():
            # Pre-rendered in every language: the gate answers before Flask, so before negotiation.
            self.refusals = {(code, tag): _rendered(code, message, tag)
                             for code, message in redis_gate.OUTCOMES.values() for tag in LOCALES}
            self.engine = db.engine if db.engine.dialect.name == "postgresql" else None

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST":
            return self.wsgi_app(environ, start_response)
        match = PATH.fullmatch(environ.get("PATH_INFO", ""))
        attempt = _plain_attempt(environ, int(match[1])) if match else None
        # A cross-origin caller needs Flask's CORS headers on the answer (blueprints/cors.py).
        if attempt is None or (environ.get("HTTP_ORIGIN") and self.app.config["CORS_ALLOWED_ORIGINS"]):
            return self.wsgi_app(environ, start_response)
        if self.app.config["REDIS_URL"]:
            return self._through_redis(environ, start_response, attempt)
        if self.engine is not None:
            return self._through_database(environ, start_response, attempt)
        return self.wsgi_app(environ, start_response)

    def _through_redis(self, environ, start_response, attempt):
        try:
            admission = redis_gate.admit(*attempt, utcnow(), app=self.app)
        except Conflict as refusal:
            FLASH_REFUSALS.labels(refusal.code).inc()
            status, headers, body = self.refusals[(refusal.code, self._language(environ))]
            start_response(status, [*headers, _request_id_header(environ)])
            return [body]
        except redis.RedisError:
            log.warning("Flash-sale gate: Redis failed; the route decides", exc_info=True)
            return self.wsgi_app(environ, start_response)
        if admission is None or admission.replay or admission.unpublished:
            return self.wsgi_app(environ, start_response)  # the route handles these (and asks again)
        environ[ADMITTED] = admission
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            if not admission.consumed:  # the route failed before taking it over: give the units back
                self._give_back(attempt, admission)

    def _give_back(self, attempt, admission) -> None:
        _token_hash, item_id, quantity, client_key = attempt
        try:
            redis_gate.give_back(item_id, admission.account_id, quantity, client_key, app=self.app)
        except redis.RedisError:  # the reconciliation job repairs the counters
            log.warning("Flash-sale gate: could not give back %s units of item %s", quantity, item_id, exc_info=True)

    def _through_database(self, environ, start_response, attempt):
        """Without Redis: the route's own first question (flash_sql.PEEK, read-only, autocommit)
        on a pooled connection, and the route's own answer to it (flash.refusal)."""
        token_hash, item_id, quantity, client_key = attempt
        item = flash.cached_item(item_id)
        if item is None:  # not loaded in this process yet: the route loads it (or answers 404)
            return self.wsgi_app(environ, start_response)
        now = utcnow()
        try:
            pooled = self.engine.raw_connection()
            try:
                row = flash_sql.peek(pooled.driver_connection,
                                     **flash.statement_params(item, token_hash, quantity, client_key, now))
            finally:
                pooled.close()
        except (psycopg.Error, sa.exc.SQLAlchemyError):
            log.warning("Flash-sale gate: the database failed; the route decides", exc_info=True)
            return self.wsgi_app(environ, start_response)
        error = flash.refusal(item, row, quantity, now)
        if error is None:  # it can go ahead (or is a replay): the route writes it, without asking again
            environ[PEEKED] = True
            return self.wsgi_app(environ, start_response)
        tag = self._language(environ)
        with self.app.app_context(), in_locale(tag):
            response = handle_domain_error(error)
            response.headers["Content-Language"] = tag
            response.headers.extend(DATA_HEADERS)
            response.headers.set(*_request_id_header(environ))
        return response(environ, start_response)

    def _language(self, environ) -> str:
        """Accept-Language, else the store's: the gate knows the caller only by token (no account
        row, so not their saved language — the route, when it answers, does know it)."""
        accepted = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
        best = accepted.best_match(offered_languages(), default=None)
        return canonical_language(best) if best else self.app.config["STORE_LOCALE"]


def _plain_attempt(environ, item_id: int) -> tuple[str, int, int, str] | None:
    """(token digest, item, quantity, Idempotency-Key) when the request is plainly valid, else None.
    The body is read and put back, so the route can read it again."""
    if item_id > MAX_ID:
        return None
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    token = token.strip()
    client_key = environ.get("HTTP_IDEMPOTENCY_KEY", "")
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH or not CLIENT_KEY.fullmatch(client_key):
        return None
    if environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != "application/json":
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY:
        return None
    raw = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(raw)
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    quantity = body.get("quantity", 1) if isinstance(body, dict) and body.keys() <= {"quantity"} else None
    if type(quantity) is not int or not 1 <= quantity <= 99:
        return None
    return digest(token), item_id, quantity, client_key


def _rendered(code: str, message, tag: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """The route's own refusal (its error handler's envelope) in one language, as WSGI status,
    headers and body."""
    with in_locale(tag):
        response = envelope(409, code, message)
    response.headers["Content-Language"] = tag
    response.headers.extend(DATA_HEADERS)   # Flask's after_request never sees the gate's answers
    return response.status, response.headers.to_wsgi_list(), response.get_data()


def _request_id_header(environ) -> tuple[str, str]:
    # Every answer carries a request id, the gate's refusals too (blueprints/audit.py).
    return "X-Request-Id", request_id_from(environ.get("HTTP_X_REQUEST_ID", ""))
