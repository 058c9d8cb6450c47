"""The migrations, not create_all, build the test schema; here we check they match the models."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def test_migrations_match_the_models_no_drift():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_constraints_live_in_the_database():
    inspector = db.inspect(db.engine)
    checks = {c["name"] for c in inspector.get_check_constraints("skus")}
    assert "ck_skus_never_oversold" in checks
    uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints("accounts")}
    assert ("kind", "email") in uniques
    fks = {fk["referred_table"] for fk in inspector.get_foreign_keys("groups")}
    assert fks == {"leaders", "pickup_points"}
