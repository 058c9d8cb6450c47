"""The flash-sale write on PostgreSQL in two statements, because a crowd is mostly round trips.

`context` authenticates the token, finds the shopper's group, pickup point, leader and membership,
sees whether the order already exists (a replay), how many units the shopper already has and how
many are free, and — only if the attempt can succeed — takes the shopper's lock row for the item.
Without Redis, `peek` asks the same first, without the lock and outside any transaction: for a
crowd that arrives after the stock is gone, that one round trip is all (no BEGIN, no COMMIT).

Refusals stay read-only so they can end in COMMIT: psycopg forgets its prepared statements on
every ROLLBACK, and these statements cost more to plan (~1.6 ms) than to run.

`take` then runs in a fresh snapshot under that lock, so it sees every earlier purchase of this
shopper: it counts their units against the limit, locks one bucket that can serve the whole
quantity and nobody else is changing (SKIP LOCKED), and inserts the order, its line (with its
commission rule and the shopper's referrer) and its hold — or does nothing, and says why.
Anything it cannot do in one go (stock spread over several buckets, lapsed holds to release
first, every bucket busy) falls back to the general path in flash.py.

The same guarded conditions as campaigns/stock.py hold here: a bucket is only ever changed by
`reserved + qty <= total - sold`, and the never_oversold CHECK stands behind it.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from psycopg.pq import TransactionStatus
from psycopg.rows import namedtuple_row
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect

from app.extensions import db

# Who is asking, and whether the attempt can succeed: shared by PEEK and CONTEXT.
_READ = """
WITH shopper AS (
    SELECT a.id AS account_id, a.kind
    FROM auth_tokens t JOIN accounts a ON a.id = t.account_id
    WHERE t.token_hash = :digest AND t.revoked_at IS NULL AND t.expires_at > :now AND a.is_active
), ctx AS (
    SELECT s.account_id, s.kind, g.id AS group_id, g.name AS group_name, g.leader_id,
           l.display_name AS leader_name, p.id AS point_id, p.name AS point_name, p.address AS point_address,
           EXISTS (SELECT 1 FROM memberships m WHERE m.account_id = s.account_id AND m.is_active
                   AND (m.expires_at IS NULL OR m.expires_at > :now)) AS member,
           (SELECT o.id FROM orders o WHERE o.account_id = s.account_id AND o.client_key = :client_key) AS existing,
           (SELECT COALESCE(SUM(h.quantity), 0) FROM campaign_holds h
            WHERE h.item_id = :item_id AND h.account_id = s.account_id AND (h.status = 'consumed' OR
                  (h.status = 'active' AND (h.expires_at IS NULL OR h.expires_at > :now)))) AS held
    FROM shopper s
    LEFT JOIN bindings b ON b.account_id = s.account_id AND b.ended_at IS NULL
    LEFT JOIN groups g ON g.id = b.group_id
    LEFT JOIN pickup_points p ON p.id = g.pickup_point_id
    LEFT JOIN leaders l ON l.id = g.leader_id
), free AS (
    SELECT COALESCE(SUM(total - sold - reserved), 0) AS free FROM campaign_stock_buckets WHERE item_id = :item_id
), stock AS (
    -- lapsed holds are looked for only when they matter, bucket by bucket (an index per bucket)
    SELECT free, free < :qty AND EXISTS (
        SELECT 1 FROM campaign_stock_buckets b JOIN campaign_holds h ON h.bucket_id = b.id
        WHERE b.item_id = :item_id AND h.status = 'active' AND h.expires_at <= :now) AS lapsed
    FROM free
)"""
_CAN_SUCCEED = """
    ctx.kind = 'shopper' AND ctx.existing IS NULL AND :open
    AND ctx.group_id IS NOT NULL AND (:all_groups OR ctx.group_id = ANY(CAST(:group_ids AS integer[])))
    AND (ctx.member OR NOT :members_only)
    AND (CAST(:per_person AS integer) IS NULL OR ctx.held + :qty <= :per_person)
    AND (stock.free >= :qty OR stock.lapsed)"""

PEEK = sa.text(_READ + f"""
SELECT ctx.*, stock.free, stock.lapsed, ({_CAN_SUCCEED}) AS go FROM ctx, stock
""")

CONTEXT = sa.text(_READ + f""", locked AS (
    -- only an attempt that can succeed writes (the lock); every refusal stays read-only
    INSERT INTO campaign_purchases (item_id, account_id)
    SELECT :item_id, ctx.account_id FROM ctx, stock WHERE {_CAN_SUCCEED}
    ON CONFLICT (item_id, account_id) DO UPDATE SET account_id = EXCLUDED.account_id
    RETURNING account_id
)
SELECT ctx.*, stock.free, stock.lapsed, EXISTS (SELECT 1 FROM locked) AS go FROM ctx, stock
""")

TAKE = sa.text("""
WITH existing AS (
    SELECT id FROM orders WHERE account_id = :account_id AND client_key = :client_key
), held AS (
    SELECT COALESCE(SUM(quantity), 0) AS units FROM campaign_holds
    WHERE item_id = :item_id AND account_id = :account_id
      AND (status = 'consumed' OR (status = 'active' AND (expires_at IS NULL OR expires_at > :now)))
), bucket AS (
    SELECT id FROM campaign_stock_buckets
    WHERE item_id = :item_id AND total - sold - reserved >= :qty
      AND NOT EXISTS (SELECT 1 FROM existing)
      AND (CAST(:per_person AS integer) IS NULL OR (SELECT units FROM held) + :qty <= :per_person)
    ORDER BY random() LIMIT 1
    FOR UPDATE SKIP LOCKED
), rule AS (
    -- the commission snapshot, chosen as app/commissions/rules.rates_for chooses (most specific
    -- rule valid now, then latest start, then id); tests/api/test_flash_commission.py holds them equal
    SELECT r.id, r.leader_rate_bps,
           CASE WHEN COALESCE((SELECT referrer_share_enabled FROM commission_settings WHERE id = 1), false)
                THEN r.referrer_rate_bps ELSE 0 END AS referrer_rate_bps
    FROM commission_rules r
    WHERE r.valid_from <= :now AND (r.valid_until IS NULL OR r.valid_until > :now)
      AND (r.scope = 'default'
           OR (r.scope = 'product' AND r.target_id = :product_id)
           OR (r.scope = 'category' AND r.target_id = CAST(:category_id AS integer))
           OR (r.scope = 'campaign' AND r.target_id = :campaign_id))
    ORDER BY CASE r.scope WHEN 'campaign' THEN 4 WHEN 'product' THEN 3 WHEN 'category' THEN 2 ELSE 1 END DESC,
             r.valid_from DESC, r.id DESC
    LIMIT 1
), took AS (
    UPDATE campaign_stock_buckets s SET reserved = s.reserved + :qty FROM bucket
    WHERE s.id = bucket.id AND s.sold + s.reserved + :qty <= s.total
    RETURNING s.id
), new_order AS (
    INSERT INTO orders (number, pickup_code, account_id, group_id, group_name, leader_id, leader_name,
                        pickup_point_id, pickup_point_name, pickup_point_address, status, payment_method, currency,
                        subtotal_cents, total_cents, paid_cents, refunded_cents, expires_at, pickup_date, fulfilment,
                        code_failures, balance_reminders, campaign_id, client_key, referrer_account_id, created_at,
                        updated_at)
    SELECT :number, :pickup_code, :account_id, :group_id, :group_name, :leader_id, :leader_name,
           :point_id, :point_name, :point_address, 'pending_payment', 'stripe', :currency,
           :total, :total, 0, 0, :expires_at, :pickup_date, 'pending', 0, 0, :campaign_id, :client_key,
           -- the referrer on the shopper's earliest binding that had one (app/loyalty/referrals.referrer_of)
           (SELECT referrer_account_id FROM bindings WHERE account_id = :account_id
            AND referrer_account_id IS NOT NULL ORDER BY id LIMIT 1), :now, :now
    FROM took
    ON CONFLICT (account_id, client_key) DO NOTHING
    RETURNING id
), new_hold AS (
    INSERT INTO campaign_holds (order_id, item_id, bucket_id, account_id, quantity, expires_at, status, created_at)
    SELECT new_order.id, :item_id, took.id, :account_id, :qty, :expires_at, 'active', :now FROM new_order, took
), new_move AS (
    INSERT INTO stock_movements (sku_id, campaign_item_id, reason, quantity, total_change, reserved_change,
                                 sold_change, reference_type, reference_id, created_at)
    SELECT :sku_id, :item_id, 'reserved', :qty, 0, :qty, 0, 'order', new_order.id, :now FROM new_order
), new_line AS (
    INSERT INTO order_lines (order_id, sku_id, product_id, product_name, sku_name, sku_code, unit_price_cents,
                             list_price_cents, price_rule, campaign_item_id, campaign_id, points_multiplier, quantity,
                             line_total_cents, refunded_quantity, refunded_cents, shorted_quantity,
                             picked_up_quantity, restocked_quantity, commission_rule_id, leader_rate_bps,
                             referrer_rate_bps)
    SELECT new_order.id, :sku_id, :product_id, :product_name, :sku_name, :sku_code, :unit, :list_price,
           'flash_sale', :item_id, :campaign_id, 1, :qty, :total, 0, 0, 0, 0, 0, (SELECT id FROM rule),
           COALESCE((SELECT leader_rate_bps FROM rule), 0), COALESCE((SELECT referrer_rate_bps FROM rule), 0)
    FROM new_order
)
SELECT (SELECT id FROM existing) AS existing, (SELECT units FROM held) AS held,
       (SELECT id FROM took) AS bucket_id, (SELECT id FROM new_order) AS order_id
""")


# Compiled once to psycopg's %(name)s form and run on the session's own DBAPI connection, inside
# its transaction: SQLAlchemy's execution context and result set-up for these wide rows cost about
# as much CPU as PostgreSQL spends running them (measured: ~150 µs a refusal).
_DIALECT = psycopg_dialect.dialect()
PSYCOPG_CACHED_QUERY_BYTES = 4096  # psycopg._queries.MAX_CACHED_STATEMENT_LENGTH (a unit test checks)


def _compiled(statement: sa.TextClause) -> str:
    """psycopg's %(name)s form without comments and runs of whitespace: psycopg caches the parse of
    a query only up to 4,096 bytes, and re-parsing TAKE (4.4 kB as written) cost ~0.1 ms per
    reservation. (No statement here has '--' inside a string literal.)"""
    sql = " ".join(re.sub(r"--[^\n]*", "", str(statement.compile(dialect=_DIALECT))).split())
    if len(sql.encode()) > PSYCOPG_CACHED_QUERY_BYTES:
        raise RuntimeError("a flash-sale statement outgrew psycopg's query cache: shorten it")
    return sql


_PEEK_SQL, _CONTEXT_SQL, _TAKE_SQL = (_compiled(statement) for statement in (PEEK, CONTEXT, TAKE))


def driver_connection():
    """The session's psycopg connection (checked out once per request: each SQLAlchemy
    `session.connection()` call costs tens of µs)."""
    return db.session.connection().connection.driver_connection


def _fetch_one(connection, sql: str, params: dict):
    with connection.cursor(row_factory=namedtuple_row) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def peek(connection, **params):
    """CONTEXT without the lock (go: the attempt could succeed), outside any transaction when none
    has begun: no BEGIN and no COMMIT, so a refusal is one round trip."""
    if connection.info.transaction_status != TransactionStatus.IDLE:
        return _fetch_one(connection, _PEEK_SQL, params)
    connection.autocommit = True
    try:
        return _fetch_one(connection, _PEEK_SQL, params)
    finally:
        connection.autocommit = False


def context(connection, **params):
    """One row (see CONTEXT; go: the lock is taken), or None if the token is unknown, expired or revoked."""
    return _fetch_one(connection, _CONTEXT_SQL, params)


def take(connection, **params):
    """(existing, held, bucket_id, order_id): order_id set means the reservation is written."""
    return _fetch_one(connection, _TAKE_SQL, params)
