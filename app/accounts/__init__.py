"""Shopper and staff accounts, passwords and bearer tokens."""
