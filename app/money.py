"""Money is integer minor units. Every split says how it rounds, and its parts add up to the whole."""
from __future__ import annotations


def split_cents(total: int, weights: list[int]) -> list[int]:
    """Split total in proportion to weights by largest remainder: floors first, then the leftover
    cents one each to the largest fractional parts (ties: earlier first). sum(result) == total."""
    if total < 0:
        raise ValueError("total must not be negative")
    weight_sum = sum(weights)
    if not weights or weight_sum <= 0:
        if total:
            raise ValueError("cannot split a non-zero total over zero weights")
        return [0] * len(weights)
    shares = [total * w // weight_sum for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % weight_sum), i))
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares
