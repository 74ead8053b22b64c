"""Geometry helpers: distances and China's coordinate systems."""

import pytest

from app import geo


def test_distance_of_one_thousandth_degree_latitude_is_about_111_metres():
    assert geo.distance_m(30.0, 104.0, 30.001, 104.0) == pytest.approx(111.2, abs=0.5)


def test_wgs84_to_gcj02_shifts_chengdu_by_a_few_hundred_metres():
    lat, lng = geo.wgs84_to_gcj02(30.6570, 104.0660)
    assert 100 < geo.distance_m(30.6570, 104.0660, lat, lng) < 800


def test_gcj02_round_trip_is_within_a_metre():
    lat, lng = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(30.6570, 104.0660))
    assert geo.distance_m(lat, lng, 30.6570, 104.0660) < 1


def test_coordinates_outside_china_are_not_shifted():
    assert geo.wgs84_to_gcj02(51.5, -0.12) == (51.5, -0.12)


def test_degree_box_encloses_the_circle():
    min_lat, max_lat, min_lng, max_lng = geo.degree_box(30.65, 104.08, 100)
    assert geo.distance_m(30.65, 104.08, max_lat, 104.08) == pytest.approx(100, rel=0.01)
    assert geo.distance_m(30.65, 104.08, 30.65, max_lng) == pytest.approx(100, rel=0.01)
