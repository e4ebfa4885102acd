"""Distances between a record and its place (haversine), coordinates checked, "far" decided. Pure."""

from __future__ import annotations

import math

import pytest

from tracker.domain.work.geo import coordinates_problems, distance_m, is_far

# (from, to, metres, tolerance): a degree of latitude is 111.195 km on the mean sphere.
DISTANCES = [
    ((34.0, 108.0), (34.0, 108.0), 0.0, 0.001),
    ((34.02, 108.0), (34.021, 108.0), 111.2, 0.1),
    ((34.02, 108.0), (34.05, 108.0), 3335.8, 0.5),
    ((0.0, 0.0), (0.0, 1.0), 111_195.1, 1.0),  # a degree of longitude on the equator
    ((60.0, 0.0), (60.0, 1.0), 55_597.5, 1.0),  # half as much at 60 degrees north
    ((39.9042, 116.4074), (31.2304, 121.4737), 1_067_000, 2_000),  # Beijing to Shanghai
    ((90.0, 0.0), (-90.0, 0.0), math.pi * 6_371_008.8, 1.0),  # pole to pole
    ((0.0, 179.9), (0.0, -179.9), 22_239.0, 1.0),  # across the date line, the short way
    ((0.0, 0.0), (0.0, 180.0), math.pi * 6_371_008.8, 1.0),  # antipodes
]


@pytest.mark.parametrize(("here", "there", "metres", "tolerance"), DISTANCES)
def test_it_measures_the_great_circle_distance(here, there, metres, tolerance) -> None:
    assert distance_m(*here, *there) == pytest.approx(metres, abs=tolerance)
    assert distance_m(*there, *here) == pytest.approx(metres, abs=tolerance)  # symmetric


@pytest.mark.parametrize("point", [(91.0, 0.0), (-90.5, 0.0), (0.0, 180.5), (0.0, -181.0), (math.nan, 0.0), (0.0, math.inf)])
def test_it_refuses_coordinates_out_of_range(point) -> None:
    with pytest.raises(ValueError):
        distance_m(*point, 0.0, 0.0)


@pytest.mark.parametrize(
    ("latitude", "longitude", "accuracy", "fields"),
    [
        (None, None, None, set()),
        (34.0, 108.0, 15.0, set()),
        (90.0, -180.0, 0.0, set()),
        (34.0, None, None, {"longitude"}),
        (None, 108.0, None, {"latitude"}),
        (90.1, 108.0, None, {"latitude"}),
        (34.0, 180.1, None, {"longitude"}),
        (math.nan, 108.0, None, {"latitude"}),
        (34.0, 108.0, -1.0, {"accuracy_m"}),
        (34.0, 108.0, math.inf, {"accuracy_m"}),
    ],
)
def test_it_checks_a_location(latitude, longitude, accuracy, fields) -> None:
    assert set(coordinates_problems(latitude, longitude, accuracy)) == fields


@pytest.mark.parametrize(
    ("distance", "limit", "far"),
    [(None, 2000, False), (0.0, 2000, False), (1999.9, 2000, False), (2000.0, 2000, False), (2000.1, 2000, True),
     (50_000.0, 2000, True), (10.0, 0, True)],
)
def test_it_flags_only_what_is_beyond_the_limit(distance, limit, far) -> None:
    assert is_far(distance, limit) is far
