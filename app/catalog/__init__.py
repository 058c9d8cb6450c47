"""Catalogue: categories, products and their SKUs with stock counters."""
