"""GET /api/v1/reports/nearby and "我也遇到" (follow): one report instead of duplicates."""

import threading

import pytest
import sqlalchemy as sa

from app import geo
from app.extensions import db
from app.reports import follow_report
from app.reports.models import Report, ReportFollower
from tests.factories import CategoryFactory, ReportFactory, ResidentFactory
from tests.reports.helpers import notifications, staff_post

HERE = (30.6540, 104.0820)
METRE_OF_LATITUDE = 1 / 111_195


def north_of_here(metres):
    return HERE[0] + metres * METRE_OF_LATITUDE, HERE[1]


def open_report_at(regions, category, metres, **kwargs):
    lat, lng = north_of_here(metres)
    return ReportFactory(region=regions.grid, category=category, lat=lat, lng=lng, **kwargs)


def nearby(client, headers, category="streetlight", point=HERE):
    return client.get(f"/api/v1/reports/nearby?lat={point[0]}&lng={point[1]}&category={category}",
                      headers=headers)


def test_open_reports_of_the_category_within_100_m_are_listed_nearest_first(
        client, resident, regions, category, auth_headers):
    far = open_report_at(regions, category, 90, accepted=True)
    near = open_report_at(regions, category, 20)
    open_report_at(regions, category, 130)
    response = nearby(client, auth_headers(resident))
    assert response.status_code == 200
    items = response.json["items"]
    assert [i["id"] for i in items] == [near.id, far.id]
    assert items[0]["distance_m"] == pytest.approx(20, abs=0.5)
    assert items[0]["number"] == near.number and items[0]["following"] is False


def test_the_100_m_limit_is_a_true_distance_not_the_search_box(client, resident, regions,
                                                               category, auth_headers):
    # 80 m north and 80 m east lies inside the degree box but 113 m away.
    lat = HERE[0] + 80 * METRE_OF_LATITUDE
    lng = HERE[1] + 80 * METRE_OF_LATITUDE / 0.8604  # cos(30.654°)
    corner = ReportFactory(region=regions.grid, category=category, lat=lat, lng=lng)
    assert geo.distance_m(*HERE, corner.lat, corner.lng) > 100
    assert nearby(client, auth_headers(resident)).json["items"] == []


@pytest.mark.parametrize("kwargs", [{"closed": True}, {"resolved": True}, {"rejected": True},
                                    {"duplicate": True}, {"held_for_review": True}])
def test_finished_and_held_reports_are_not_offered(client, resident, regions, category,
                                                   auth_headers, kwargs):
    open_report_at(regions, category, 10, **kwargs)
    assert nearby(client, auth_headers(resident)).json["items"] == []


def test_other_categories_are_not_offered(client, resident, regions, category, auth_headers):
    garbage = CategoryFactory(code="garbage")
    open_report_at(regions, garbage, 10)
    assert nearby(client, auth_headers(resident)).json["items"] == []


def test_an_unknown_category_is_a_422(client, resident, regions, auth_headers):
    response = nearby(client, auth_headers(resident), category="nope")
    assert response.status_code == 422 and "category" in response.json["errors"]


@pytest.mark.parametrize("query", ["lat=91&lng=104&category=streetlight",
                                   "lat=abc&lng=104&category=streetlight",
                                   "lat=30.6&lng=104"])
def test_bad_coordinates_or_missing_category_are_a_422(client, resident, regions, auth_headers,
                                                       query):
    response = client.get(f"/api/v1/reports/nearby?{query}", headers=auth_headers(resident))
    assert response.status_code == 422


def test_following_counts_once_per_resident(client, resident, neighbour, regions, category,
                                            auth_headers):
    report = open_report_at(regions, category, 10, reporter=neighbour)
    headers = auth_headers(resident)
    first = client.post(f"/api/v1/reports/{report.id}/follow", headers=headers)
    again = client.post(f"/api/v1/reports/{report.id}/follow", headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json == {"following": True, "follower_count": 1}
    assert nearby(client, headers).json["items"][0]["following"] is True


def test_unfollowing_decrements_once(client, resident, neighbour, regions, category,
                                     auth_headers):
    report = open_report_at(regions, category, 10, reporter=neighbour)
    headers = auth_headers(resident)
    client.post(f"/api/v1/reports/{report.id}/follow", headers=headers)
    client.delete(f"/api/v1/reports/{report.id}/follow", headers=headers)
    response = client.delete(f"/api/v1/reports/{report.id}/follow", headers=headers)
    assert response.json == {"following": False, "follower_count": 0}
    assert db.session.get(Report, report.id).follower_count == 0


def test_following_ones_own_report_is_a_409(client, resident, regions, category, auth_headers):
    report = open_report_at(regions, category, 10, reporter=resident)
    response = client.post(f"/api/v1/reports/{report.id}/follow", headers=auth_headers(resident))
    assert response.status_code == 409


def test_a_finished_report_cannot_be_followed(client, resident, regions, category, auth_headers):
    report = open_report_at(regions, category, 10, closed=True)
    response = client.post(f"/api/v1/reports/{report.id}/follow", headers=auth_headers(resident))
    assert response.status_code == 409


def test_a_held_report_cannot_be_followed_it_does_not_exist_publicly(client, resident, regions,
                                                                    category, auth_headers):
    report = open_report_at(regions, category, 10, held_for_review=True)
    response = client.post(f"/api/v1/reports/{report.id}/follow", headers=auth_headers(resident))
    assert response.status_code == 404


def test_followers_are_told_when_the_report_is_resolved(client, resident, neighbour, regions,
                                                        category, handler, auth_headers):
    report = open_report_at(regions, category, 10, reporter=neighbour, in_progress=True,
                            assignee=handler)
    client.post(f"/api/v1/reports/{report.id}/follow", headers=auth_headers(resident))
    staff_post(client, auth_headers(handler), report.id, "resolve", {"note": "已修好"})
    [told] = notifications(resident_id=resident.id)
    assert told.kind == "report.resolve.follower" and "已修好" in told.payload["text"]
    assert [n.kind for n in notifications(resident_id=neighbour.id)] == ["report.resolve"]


@pytest.mark.postgres
def test_many_residents_following_at_once_are_each_counted_once(app, regions, category):
    report = open_report_at(regions, category, 10)
    residents = [ResidentFactory(community=regions.community) for _ in range(5)]
    report_id, ids = report.id, [r.id for r in residents] * 2
    barrier = threading.Barrier(len(ids), timeout=60)

    def follow(resident_id):
        with app.app_context():
            from app.accounts.models import Resident

            resident = db.session.get(Resident, resident_id)
            barrier.wait()
            follow_report(resident, report_id)

    threads = [threading.Thread(target=follow, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert db.session.get(Report, report_id).follower_count == 5
    assert db.session.scalar(sa.select(sa.func.count(ReportFollower.id))) == 5
