"""The flash-sale statements stay within psycopg's query-parse cache (a longer query is parsed
again on every execution: ~0.1 ms per reservation for TAKE before it was compacted)."""
from psycopg import _queries

from app.campaigns import flash_sql


def test_the_cache_limit_is_psycopgs():
    assert flash_sql.PSYCOPG_CACHED_QUERY_BYTES == _queries.MAX_CACHED_STATEMENT_LENGTH


def test_each_statement_fits_the_cache_and_lost_no_parameter():
    for written, compiled in ((flash_sql.PEEK, flash_sql._PEEK_SQL), (flash_sql.CONTEXT, flash_sql._CONTEXT_SQL),
                              (flash_sql.TAKE, flash_sql._TAKE_SQL)):
        assert len(compiled.encode()) <= _queries.MAX_CACHED_STATEMENT_LENGTH
        assert "--" not in compiled and "\n" not in compiled
        missing = [name for name in written._bindparams if f"%({name})s" not in compiled]
        assert written._bindparams and not missing
