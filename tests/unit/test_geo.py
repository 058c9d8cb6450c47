from __future__ import annotations

import pytest

from app.codes import ALPHABET, new_code, normalise_code
from app.pickup_points.geo import bounding_box, distance_m


def test_distance_between_known_cities_is_right_to_a_few_km():
    # Shanghai People's Square to Beijing Tiananmen: about 1,067 km.
    assert distance_m(31.2304, 121.4737, 39.9087, 116.3975) == pytest.approx(1_067_000, rel=0.01)
    assert distance_m(10, 10, 10, 10) == 0


def test_bounding_box_contains_the_circle():
    min_lat, max_lat, min_lng, max_lng = bounding_box(31.23, 121.47, 5000)
    assert distance_m(31.23, 121.47, max_lat, 121.47) == pytest.approx(5000, rel=1e-3)
    assert distance_m(31.23, 121.47, 31.23, max_lng) >= 4999


def test_bounding_box_at_the_pole_spans_all_longitudes():
    _, _, min_lng, max_lng = bounding_box(90, 0, 1000)
    assert max_lng - min_lng == 360


def test_codes_avoid_ambiguous_characters_and_normalise_case():
    code = new_code()
    assert len(code) == 8 and set(code) <= set(ALPHABET) and not set(code) & set("01OIL")
    assert normalise_code(code.lower()) == code
    assert normalise_code("AB") is None and normalise_code("ab-cd") is None
