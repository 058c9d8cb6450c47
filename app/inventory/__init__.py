"""Stock: reservations that expire, and the guarded counters on SKUs."""
