"""Where a record was made: the distance from its place, and whether that is far. Pure.

Public API
- `EARTH_RADIUS_M` (6 371 008.8 m, the mean radius).
- `distance_m(lat1, lon1, lat2, lon2) -> float`: the great-circle (haversine) distance in metres
  between two points given in degrees (WGS84 latitude -90..90, longitude -180..180); raises
  ValueError for a coordinate out of range or not finite.
- `coordinates_problems(latitude, longitude, accuracy_m) -> dict[field, message]`: both or
  neither of latitude and longitude, each in range and finite, accuracy not negative.
- `is_far(distance, limit_m) -> bool`: strictly more than `limit_m` metres away (a record at
  exactly the limit is not flagged); False when the distance is unknown.

Phones report GCJ-02 or WGS84 depending on the app; the difference (a few hundred metres at
most in China) is well inside the town's 2 km default, so no datum conversion is attempted.
"""

from __future__ import annotations

import math

from tracker.i18n import _

EARTH_RADIUS_M = 6_371_008.8


def _checked(latitude: float, longitude: float) -> tuple[float, float]:
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        msg = "coordinates must be finite numbers"
        raise ValueError(msg)
    if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
        msg = f"coordinates out of range: {latitude}, {longitude}"
        raise ValueError(msg)
    return math.radians(latitude), math.radians(longitude)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points in degrees (haversine formula)."""
    phi1, lambda1 = _checked(lat1, lon1)
    phi2, lambda2 = _checked(lat2, lon2)
    half_chord = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin((lambda2 - lambda1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(half_chord)))


def coordinates_problems(
    latitude: float | None, longitude: float | None, accuracy_m: float | None = None
) -> dict[str, str]:
    """Field messages for a location that can't be used; empty when it is fine or absent."""
    errors: dict[str, str] = {}
    if (latitude is None) != (longitude is None):
        errors["longitude" if longitude is None else "latitude"] = _("Give both latitude and longitude")
    if latitude is not None and (not math.isfinite(latitude) or not -90 <= latitude <= 90):
        errors["latitude"] = _("Latitude must be between -90 and 90")
    if longitude is not None and (not math.isfinite(longitude) or not -180 <= longitude <= 180):
        errors["longitude"] = _("Longitude must be between -180 and 180")
    if accuracy_m is not None and (not math.isfinite(accuracy_m) or accuracy_m < 0):
        errors["accuracy_m"] = _("Accuracy must be zero or more metres")
    return errors


def is_far(distance: float | None, limit_m: float) -> bool:
    """More than `limit_m` metres from the place; unknown distance is never far."""
    return distance is not None and distance > limit_m
