"""Geometry on the map: point-in-polygon routing, distances, and China's coordinate systems.

WeChat's maps (wx.getLocation with type "gcj02", location messages, map pickers) use GCJ-02,
the offset system mandated in mainland China; a photo's EXIF GPS is WGS84, and so is Open311.
Linli stores GCJ-02 (the polygons staff draw come from the same maps) and converts at the edges.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

EARTH_RADIUS_M = 6_371_008.8

Point = tuple[float, float]  # (lng, lat), GeoJSON order


def _ring_contains(ring: Sequence[Sequence[float]], lng: float, lat: float) -> bool:
    """Even-odd rule over one linear ring of (lng, lat) positions."""
    inside = False
    count = len(ring)
    j = count - 1
    for i in range(count):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat):
            x_cross = (xj - xi) * (lat - yi) / (yj - yi) + xi
            if lng < x_cross:
                inside = not inside
        j = i
    return inside


def _polygon_contains(rings: Sequence, lng: float, lat: float) -> bool:
    if not rings or not _ring_contains(rings[0], lng, lat):
        return False
    return not any(_ring_contains(hole, lng, lat) for hole in rings[1:])


def geometry_contains(geometry: dict, lat: float, lng: float) -> bool:
    """True when a GeoJSON Polygon or MultiPolygon contains the point (holes excluded)."""
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Polygon":
        return _polygon_contains(coordinates, lng, lat)
    if kind == "MultiPolygon":
        return any(_polygon_contains(polygon, lng, lat) for polygon in coordinates)
    return False


def bounding_box(geometry: dict) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) of a Polygon or MultiPolygon."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    lngs = [p[0] for polygon in polygons for ring in polygon for p in ring]
    lats = [p[1] for polygon in polygons for ring in polygon for p in ring]
    return min(lats), max(lats), min(lngs), max(lngs)


def validate_geometry(geometry: dict) -> str | None:
    """Return a Chinese description of what is wrong with a boundary, or None when it is usable."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return "边界应为 GeoJSON Polygon 或 MultiPolygon"
    polygons = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    try:
        for polygon in polygons:
            if not polygon:
                return "边界不能为空"
            for ring in polygon:
                if len(ring) < 4:
                    return "每个边界环至少需要 4 个点（首尾相同）"
                for lng, lat, *_ in ring:
                    if not (-180 <= float(lng) <= 180 and -90 <= float(lat) <= 90):
                        return "坐标超出范围"
    except (TypeError, ValueError):
        return "边界坐标格式不正确"
    return None


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def degree_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """A (min_lat, max_lat, min_lng, max_lng) box enclosing a circle, for an indexed prefilter."""
    d_lat = math.degrees(radius_m / EARTH_RADIUS_M)
    d_lng = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - d_lat, lat + d_lat, lng - d_lng, lng + d_lng


# --- WGS84 <-> GCJ-02 ----------------------------------------------------------------------
# The public GCJ-02 obfuscation formula (Krasovsky 1940 ellipsoid); accurate to about a metre.
_A = 6378245.0
_EE = 0.00669342162296594323


def _outside_china(lat: float, lng: float) -> bool:
    return not (73.66 < lng < 135.05 and 3.86 < lat < 53.55)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj_offset(lat: float, lng: float) -> tuple[float, float]:
    d_lat = _transform_lat(lng - 105.0, lat - 35.0)
    d_lng = _transform_lng(lng - 105.0, lat - 35.0)
    rad_lat = math.radians(lat)
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lat, d_lng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """GPS (EXIF, Open311) coordinates to the ones WeChat's maps show."""
    if _outside_china(lat, lng):
        return lat, lng
    d_lat, d_lng = _gcj_offset(lat, lng)
    return lat + d_lat, lng + d_lng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """WeChat map coordinates back to GPS, by iterating the forward transform."""
    if _outside_china(lat, lng):
        return lat, lng
    wgs_lat, wgs_lng = lat, lng
    for _ in range(10):
        gcj_lat, gcj_lng = wgs84_to_gcj02(wgs_lat, wgs_lng)
        wgs_lat += lat - gcj_lat
        wgs_lng += lng - gcj_lng
    return wgs_lat, wgs_lng
