"""Background jobs on RQ; inline when no REDIS_URL is configured."""
