"""Orders for pickup: checkout, the order lifecycle, cancellation."""
