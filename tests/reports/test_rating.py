"""POST /api/v1/reports/<id>/rating: the reporter closes the loop, or reopens it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.reports.models import Report, ReportRating
from tests.factories import ReportFactory
from tests.reports.helpers import notifications, staff_post, timeline


@pytest.fixture
def resolved(resident, regions, category, handler, clock):
    return ReportFactory(region=regions.grid, reporter=resident, category=category,
                         resolved=True, assignee=handler,
                         created_at=clock.moment - timedelta(hours=5))


def rate(client, headers, report_id, **body):
    return client.post(f"/api/v1/reports/{report_id}/rating", headers=headers, json=body)


def test_rated_solved_closes_the_report(client, resident, resolved, auth_headers, clock):
    response = rate(client, auth_headers(resident), resolved.id, solved=True, satisfaction=4,
                    comment="修得很好")
    assert response.status_code == 200
    report = db.session.get(Report, resolved.id)
    assert (report.status, report.closed_at, report.rated_at) == ("closed", clock.moment,
                                                                  clock.moment)
    assert (report.solved, report.satisfaction, report.rating_comment) == (True, 4, "修得很好")
    assert response.json["rating"]["satisfaction"] == 4
    assert response.json["can_rate"] is False


def test_rated_not_solved_reopens_it_back_to_its_handler(client, resident, resolved, handler,
                                                         auth_headers):
    response = rate(client, auth_headers(resident), resolved.id, solved=False, satisfaction=2,
                    comment="灯还是不亮")
    assert response.status_code == 200
    report = db.session.get(Report, resolved.id)
    assert (report.status, report.reopen_count, report.assignee_id) == ("dispatched", 1,
                                                                        handler.id)
    assert report.resolved_at is None and report.closed_at is None
    assert (report.solved, report.satisfaction) == (False, 2)
    assert timeline(report.id)[-1].action == "reopen"
    [told] = notifications(staff_id=handler.id)
    assert told.kind == "report.reopen.staff" and report.number in told.payload["text"]


def test_a_reopened_report_is_resolved_and_rated_again(client, resident, resolved, handler,
                                                       auth_headers):
    headers = auth_headers(resident)
    rate(client, headers, resolved.id, solved=False, satisfaction=2)
    staff = auth_headers(handler)
    staff_post(client, staff, resolved.id, "start")
    staff_post(client, staff, resolved.id, "resolve", {"note": "更换了整个灯头"})
    assert rate(client, headers, resolved.id, solved=True, satisfaction=5).status_code == 200
    rounds = db.session.execute(sa.select(ReportRating.round, ReportRating.solved).where(
        ReportRating.report_id == resolved.id).order_by(ReportRating.round)).all()
    assert [tuple(r) for r in rounds] == [(0, False), (1, True)]
    report = db.session.get(Report, resolved.id)
    assert (report.status, report.reopen_count, report.solved) == ("closed", 1, True)


def test_only_the_reporter_may_rate_others_get_404(client, neighbour, resolved, auth_headers):
    response = rate(client, auth_headers(neighbour), resolved.id, solved=True, satisfaction=5)
    assert response.status_code == 404
    assert db.session.get(Report, resolved.id).status == "resolved"


def test_rating_a_second_time_is_a_409(client, resident, resolved, auth_headers):
    headers = auth_headers(resident)
    rate(client, headers, resolved.id, solved=True, satisfaction=5)
    assert rate(client, headers, resolved.id, solved=False, satisfaction=1).status_code == 409


def test_rating_is_possible_until_seven_days_after_resolution(client, resident, resolved,
                                                              auth_headers, clock):
    clock.set(db.session.get(Report, resolved.id).resolved_at + timedelta(days=7))
    assert rate(client, auth_headers(resident), resolved.id, solved=False,
                satisfaction=3).status_code == 200


def test_rating_after_seven_days_is_refused(client, resident, resolved, auth_headers, clock):
    clock.set(db.session.get(Report, resolved.id).resolved_at + timedelta(days=7, minutes=1))
    response = rate(client, auth_headers(resident), resolved.id, solved=False, satisfaction=1)
    assert response.status_code == 409
    assert "7 天" in response.json["message"]
    assert db.session.get(Report, resolved.id).status == "resolved"


@pytest.mark.parametrize("body, field", [
    ({"solved": True, "satisfaction": 0}, "satisfaction"),
    ({"solved": True, "satisfaction": 6}, "satisfaction"),
    ({"solved": True, "satisfaction": 4.5}, "satisfaction"),
    ({"satisfaction": 4}, "solved"),
    ({"solved": True, "satisfaction": 4, "comment": "评" * 201}, "comment"),
])
def test_invalid_ratings_are_refused_naming_the_field(client, resident, resolved, auth_headers,
                                                      body, field):
    response = client.post(f"/api/v1/reports/{resolved.id}/rating",
                           headers=auth_headers(resident), json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]


@pytest.mark.postgres
def test_two_ratings_at_once_give_one_verdict(app, resident, resolved):
    import threading

    from app.accounts.models import Resident
    from app.errors import Conflict
    from app.reports import rate_report

    report_id, resident_id = resolved.id, resident.id
    barrier = threading.Barrier(2, timeout=60)
    outcomes = []

    def run(solved):
        with app.app_context():
            rater = db.session.get(Resident, resident_id)
            db.session.get(Report, report_id)
            barrier.wait()
            try:
                rate_report(rater, report_id, solved=solved, satisfaction=3)
                outcomes.append("rated")
            except Conflict:
                outcomes.append("conflict")

    threads = [threading.Thread(target=run, args=(solved,)) for solved in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "rated"]
    assert db.session.scalar(sa.select(sa.func.count(ReportRating.id))) == 1
