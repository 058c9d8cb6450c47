"""Delivery routes (线路), their runs with drivers, sorting sheets and loading manifests."""
