"""Great-circle distance between two positions (haversine), in metres."""

from __future__ import annotations

import math
from decimal import Decimal

#: Mean Earth radius (IUGG), in metres.
EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1, lon1, lat2, lon2) -> Decimal:
    """Distance along the Earth's surface between (lat1, lon1) and (lat2, lon2), to 0.1 m."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    metres = 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
    return Decimal(str(round(metres, 1)))
