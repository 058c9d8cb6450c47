"""Neighbourhood groups, group links and shopper bindings (锁粉)."""
