"""Campaigns: flash sales, pre-sales with deposits, group-buy thresholds, member days."""
