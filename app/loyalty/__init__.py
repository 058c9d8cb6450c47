"""Loyalty: the program settings, tiers, and the points ledger."""
