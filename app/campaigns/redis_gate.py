"""The flash-sale gate in Redis: one Lua call per attempt checks the shopper's token, the sale's
window, the per-person limit and the units left, and takes them — so the crowd that arrives after
the stock is gone is turned away without touching PostgreSQL.

Redis is only a gate. Every admitted attempt is then written to PostgreSQL with guarded statements
(stock buckets, the per-person upsert), which stay the source of truth: losing or corrupting Redis
can never oversell, only turn some shoppers away until `reconcile` rebuilds the counters from the
database. Units given back in the database (expiry, cancellation, failed writes) are given back in
Redis after the commit.
"""
from __future__ import annotations

import datetime as dt
import logging

import redis
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.accounts import token_cache
from app.campaigns.models import CampaignItem
from app.errors import Conflict, DomainError
from app.extensions import db
from app.i18n import _
from app.jobs.queue import redis_connection

log = logging.getLogger(__name__)
PENDING = "redis_gate_give_back"

ADMIT = """
-- KEYS: tokens, meta, left, buyers, keys   ARGV: token_hash, now_ms, quantity, client_key
local token = redis.call('HGET', KEYS[1], ARGV[1])
if not token then return {-1, 0} end
local sep = string.find(token, ':', 1, true)
local account = string.sub(token, 1, sep - 1)
if tonumber(string.sub(token, sep + 1)) <= tonumber(ARGV[2]) then return {-1, 0} end
if redis.call('HEXISTS', KEYS[5], account .. ':' .. ARGV[4]) == 1 then return {-6, tonumber(account)} end
local start = redis.call('HGET', KEYS[2], 'start')
if not start then return {-5, tonumber(account)} end
local now, qty = tonumber(ARGV[2]), tonumber(ARGV[3])
if now < tonumber(start) or now >= tonumber(redis.call('HGET', KEYS[2], 'end')) then
  return {-2, tonumber(account)}
end
local limit = tonumber(redis.call('HGET', KEYS[2], 'limit'))
if limit > 0 and tonumber(redis.call('HGET', KEYS[4], account) or '0') + qty > limit then
  return {-4, tonumber(account)}
end
if tonumber(redis.call('GET', KEYS[3]) or '0') < qty then return {-3, tonumber(account)} end
redis.call('DECRBY', KEYS[3], qty)
redis.call('HINCRBY', KEYS[4], account, qty)
redis.call('HSET', KEYS[5], account .. ':' .. ARGV[4], 1)
return {1, tonumber(account)}
"""

GIVE_BACK = """
-- KEYS: left, buyers, keys   ARGV: account, quantity, client_key ('' for none)
redis.call('INCRBY', KEYS[1], ARGV[2])
local mine = redis.call('HINCRBY', KEYS[2], ARGV[1], -tonumber(ARGV[2]))
if mine <= 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
if ARGV[3] ~= '' then redis.call('HDEL', KEYS[3], ARGV[1] .. ':' .. ARGV[3]) end
return 1
"""

OUTCOMES = {-2: ("campaign_not_live", _("This flash sale is not open now")),
            -3: ("insufficient_stock", _("Sold out")),
            -4: ("per_person_limit_reached", _("You have reached the limit per person"))}

_scripts: dict[str, object] = {}


class Admission:
    """The gate let an attempt through. `consumed` is set once the reservation path has taken it
    over (it then writes the order or gives the units back); the edge gate gives back the units
    of an admission nobody consumed."""

    def __init__(self, account_id: int, replay: bool = False, unpublished: bool = False,
                 now: dt.datetime | None = None):
        self.account_id, self.replay, self.unpublished, self.now = account_id, replay, unpublished, now
        self.consumed = False


def enabled() -> bool:
    return bool(current_app.config["REDIS_URL"])


def _item_keys(item_id: int, app: Flask | None = None) -> list[str]:
    base = f"{(app or current_app).config.get('REDIS_PREFIX', 'sf')}:{{item:{item_id}}}"
    return [f"{base}:meta", f"{base}:left", f"{base}:buyers", f"{base}:keys"]


def _script(name: str, source: str, app: Flask | None = None):
    conn = redis_connection(app)
    key = f"{name}:{id(conn.connection_pool)}"
    if key not in _scripts:
        _scripts[key] = conn.register_script(source)
    return _scripts[key]


def admit(token_hash: str, item_id: int, quantity: int, client_key: str, now: dt.datetime,
          app: Flask | None = None) -> Admission | None:
    """Admit one attempt or raise why not; None means the token is not cached (check it in the DB).
    `app` is for callers outside an app context (the edge gate, blueprints/store/flash_gate.py)."""
    meta, left, buyers, keys = _item_keys(item_id, app)
    status, account = _script("admit", ADMIT, app)(
        keys=[token_cache.key(app), meta, left, buyers, keys],
        args=[token_hash, int(now.timestamp() * 1000), quantity, client_key])
    if status == -1:
        return None
    if status == -6:
        return Admission(int(account), replay=True)
    if status == -5:
        return Admission(int(account), unpublished=True)
    if status < 0:
        code, message = OUTCOMES[status]
        raise Conflict(message, code=code)
    return Admission(int(account), now=now)


def give_back(item_id: int, account_id: int, quantity: int, client_key: str = "", app: Flask | None = None) -> None:
    meta, left, buyers, keys = _item_keys(item_id, app)
    _script("give_back", GIVE_BACK, app)(keys=[left, buyers, keys], args=[account_id, quantity, client_key])


def publish(item: CampaignItem, total_free: int) -> None:
    """Put an approved flash item's window, limit and counters into Redis (from the database)."""
    campaign = item.campaign
    meta, left, buyers, _keys = _item_keys(item.id)
    from app.campaigns.stock import counted_units

    held = {a: int(q) for a, q in db.session.execute(counted_units(item.id)).all() if q}
    pipe = redis_connection().pipeline(transaction=True)
    pipe.hset(meta, mapping={"start": int(campaign.starts_at.timestamp() * 1000),
                             "end": int(campaign.ends_at.timestamp() * 1000),
                             "limit": campaign.per_person_limit or 0})
    pipe.set(left, max(total_free, 0))
    pipe.delete(buyers)
    if held:
        pipe.hset(buyers, mapping={str(k): v for k, v in held.items()})
    pipe.execute()


def counters(item_id: int) -> tuple[int, dict[int, int]]:
    _meta, left, buyers, _keys = _item_keys(item_id)
    conn = redis_connection()
    return int(conn.get(left) or 0), {int(k): int(v) for k, v in conn.hgetall(buyers).items()}


def after_release_later(rows: list[tuple[int, int, int]]) -> None:
    """Units given back in this transaction are given back in Redis once it commits."""
    if rows and enabled():
        db.session.info.setdefault(PENDING, []).extend(rows)


@event.listens_for(Session, "after_commit")
def _give_back_committed(session: Session) -> None:
    for item_id, account_id, quantity in session.info.pop(PENDING, []):
        try:
            give_back(item_id, account_id, quantity)
        except (redis.RedisError, DomainError) as exc:  # the reconciliation job repairs it
            log.warning("Could not give %s units of item %s back in Redis: %s", quantity, item_id, exc)


@event.listens_for(Session, "after_rollback")
def _drop_rolled_back(session: Session) -> None:
    session.info.pop(PENDING, None)
