"""One price engine: every line's unit price, and why."""
