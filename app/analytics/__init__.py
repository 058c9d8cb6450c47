"""Merchant analytics: repurchase, repeat rates, cohorts, lifetime and referral value, campaigns.

Everything is computed in SQL (GROUP BY and window functions) over the shared definition of a
purchase in `purchases.py`; Python only shapes the few aggregated rows that come back.
"""
