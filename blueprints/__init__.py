"""HTTP layer: routes, schemas, auth and error mapping. Depends on app/, never the reverse."""
from __future__ import annotations

import apispec.ext.marshmallow.common as ma_common
from flask import Flask

from blueprints.base import api, register_converters
from blueprints.errors import register_error_handlers


def schema_name(schema) -> str:
    """Component names for the OpenAPI document; partial (PATCH) variants get their own name."""
    name = ma_common.resolve_schema_cls(schema).__name__.removesuffix("Schema")
    return name + "Patch" if getattr(schema, "partial", False) else name


def register_blueprints(app: Flask) -> None:
    from blueprints import admin, leader, ops, store, web, webhooks
    from blueprints.openapi import DocumentedMarshmallowPlugin, OperationIdPlugin, finish_document
    from blueprints.store.flash_gate import FlashGate

    api.init_app(app, spec_kwargs={"marshmallow_plugin": DocumentedMarshmallowPlugin(schema_name_resolver=schema_name),
                                   "extra_plugins": [OperationIdPlugin()]})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "Token from the auth/login routes"}
    )
    register_converters(app, api)
    for blp in (store.blp, leader.blp, admin.blp):
        api.register_blueprint(blp)
    finish_document(api.spec)
    app.register_blueprint(web.bp)
    app.register_blueprint(ops.bp)
    app.register_blueprint(webhooks.bp)
    register_error_handlers(app)
    from blueprints.locale import register_locale
    from blueprints.security_headers import register_security_headers

    register_security_headers(app)
    from blueprints.cors import register_cors

    register_cors(app)

    register_locale(app)
    from blueprints.audit import register_audit

    register_audit(app)
    from blueprints.metrics import register_metrics

    register_metrics(app)
    from blueprints.rate_limit_headers import register_rate_limit_headers

    register_rate_limit_headers(app)
    app.wsgi_app = FlashGate(app, app.wsgi_app)  # turns a flash-sale crowd away before Flask

    @app.after_request
    def dispatch_notifications(response):
        # Notifications committed by this request go out now (a job with Redis, inline without).
        # A failure here must not fail a request whose work is already committed: the periodic
        # dispatcher sends whatever is left.
        from app.extensions import db
        from app.notifications.outbox import kick

        if not db.session.registry.has():
            return response  # this request never opened a database session: nothing to send
        try:
            kick()
        except Exception:
            app.logger.exception("Dispatching notifications failed; the sweep will retry")
            db.session.rollback()
        return response
