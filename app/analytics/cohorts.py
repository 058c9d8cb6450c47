"""Customer retention by cohort: customers grouped by the store-local month of their first purchase."""
from __future__ import annotations

import sqlalchemy as sa

from app.analytics.purchases import customer_months, last_months, months_between
from app.extensions import db


def cohorts(months: int) -> list[dict]:
    """Cohorts whose first month is among the last `months` (oldest first, only those with
    customers): size, and how many of them purchased 0, 1, 2 … months on, up to the current month."""
    window = last_months(months)
    current = window[-1]
    cm = customer_months()
    rows = db.session.execute(
        sa.select(cm.c.first_month, cm.c.month, sa.func.count())
        .where(cm.c.first_month >= window[0], cm.c.month <= current)
        .group_by(cm.c.first_month, cm.c.month))
    matrix: dict[str, list[int]] = {}
    for cohort, month, n in rows:
        active = matrix.setdefault(cohort, [0] * (months_between(cohort, current) + 1))
        active[months_between(cohort, month)] = int(n)
    result = []
    for cohort, active in sorted(matrix.items()):
        size = active[0]  # everyone purchased in their first month
        result.append({"cohort": cohort, "customers": size, "active": active,
                       "retention": [round(n / size, 4) for n in active]})
    return result
