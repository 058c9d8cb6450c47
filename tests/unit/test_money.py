from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.money import split_cents


def test_split_gives_leftover_cents_to_the_largest_remainders():
    assert split_cents(100, [1, 1, 1]) == [34, 33, 33]
    assert split_cents(10, [3, 7]) == [3, 7]
    assert split_cents(0, [5, 5]) == [0, 0]


@given(st.integers(0, 10**9), st.lists(st.integers(1, 10**6), min_size=1, max_size=20))
def test_parts_always_add_up_to_the_whole(total, weights):
    parts = split_cents(total, weights)
    assert sum(parts) == total and all(p >= 0 for p in parts)


def test_nonsense_splits_are_refused():
    with pytest.raises(ValueError):
        split_cents(-1, [1])
    with pytest.raises(ValueError):
        split_cents(5, [0, 0])
