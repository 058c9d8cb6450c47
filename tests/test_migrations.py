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


def test_pickup_migration_gives_existing_orders_codes(tmp_path):
    """Upgrade a database that already has orders across the pickup migration (SQLite file)."""
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    db_file = tmp_path / "old.db"
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{db_file}", "ENV_FILE": str(tmp_path / "x"),
           "HOME": str(tmp_path)}

    def flask(*args):
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", *args], cwd=root, env=env,
                       check=True, capture_output=True)

    flask("upgrade", "4059d2a3c1f9")
    con = sqlite3.connect(db_file)
    con.executescript("""
        INSERT INTO accounts (id, kind, email, name, password_hash, is_active, lifetime_spend_cents, created_at,
                              updated_at) VALUES (1, 'shopper', 'a@b.c', 'A', 'x', 1, 0, '2026-01-01', '2026-01-01');
        INSERT INTO pickup_points (id, name, address, latitude, longitude, status, created_at, updated_at)
            VALUES (1, 'P', 'A', 0, 0, 'active', '2026-01-01', '2026-01-01');
        INSERT INTO groups (id, name, neighbourhood, admission_rule, pickup_point_id, pay_at_pickup_allowed,
                            created_at, updated_at) VALUES (1, 'G', 'N', 'open', 1, 0, '2026-01-01', '2026-01-01');
    """)
    for n in (1, 2):
        con.execute("""INSERT INTO orders (id, number, account_id, group_id, pickup_point_id, group_name,
            pickup_point_name, pickup_point_address, status, payment_method, currency, subtotal_cents, total_cents,
            paid_cents, refunded_cents, created_at, updated_at) VALUES (?, ?, 1, 1, 1, 'G', 'P', 'A', 'paid',
            'stripe', 'CNY', 100, 100, 100, 0, '2026-01-01', '2026-01-01')""", (n, f"NUMBER0{n}"))
    con.commit()
    con.close()
    flask("upgrade")
    con = sqlite3.connect(db_file)
    rows = con.execute("SELECT pickup_code, fulfilment, code_failures FROM orders ORDER BY id").fetchall()
    assert len({r[0] for r in rows}) == 2 and all(len(r[0]) == 8 for r in rows)
    assert {(r[1], r[2]) for r in rows} == {("pending", 0)}


def test_every_enum_check_constraint_lists_exactly_the_models_values():
    """Alembic does not compare CHECK constraints, so a new enum value without a migration that
    re-creates its CHECK would only fail at the first write. This catches it in CI instead."""
    import re

    import sqlalchemy as sa

    inspector = db.inspect(db.engine)
    checked = 0
    for table in db.metadata.sorted_tables:
        constraints = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table.name)}
        for column in table.columns:
            if isinstance(column.type, sa.Enum) and column.type.create_constraint:
                name = f"ck_{table.name}_{column.type.name}"
                assert name in constraints, f"{name} is missing from the database"
                in_db = set(re.findall(r"'([^']+)'", constraints[name]))
                assert in_db == set(column.type.enums), (name, in_db ^ set(column.type.enums))
                checked += 1
    assert checked >= 15


def test_every_migration_downgrades_and_upgrades_again(tmp_path):
    """A release can be rolled back: head → base → head on a SQLite file, whose batch mode copies
    tables and so trips over anything (a CHECK, an index) left pointing at a dropped column."""
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    db_file = tmp_path / "roundtrip.db"
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{db_file}", "ENV_FILE": str(tmp_path / "x"),
           "HOME": str(tmp_path)}

    def flask(*args):
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", *args], cwd=root, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]

    flask("upgrade")
    flask("downgrade", "base")
    tables = {r[0] for r in sqlite3.connect(db_file).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables <= {"alembic_version"}, tables
    flask("upgrade")
    flask("check")
