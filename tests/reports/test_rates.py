"""The three rates on constructed data whose answers are worked out by hand below."""

from datetime import timedelta

import pytest

from app.accounts.models import StaffRole
from app.reports import compute_rates
from tests.factories import CategoryFactory, ReportFactory, StaffFactory


@pytest.fixture
def cohort(regions, category, handler, clock):
    """Reports filed at T0 = now − 10 days (all deadlines long past) unless said otherwise;
    SLA 24 h to first contact, 72 h to completion.

    | report | dispatched | contact | resolved | status     | rating             |
    | A      | yes        | +2 h    | +48 h    | closed     | solved, 5          |
    | B      | yes        | +30 h ✗ | +80 h ✗  | closed     | solved, 3          |
    | C      | yes        | +10 h   | +100 h ✗ | closed     | not solved, 2; reopened once, then closed unrated |
    | D      | yes        | —  ✗    | — ✗      | dispatched | —                  |
    | E      | yes, filed 1 h ago, nothing yet (no deadline passed: not counted either way) |
    | F      | no         |         |          | submitted  |                    |
    | G      | no         |         |          | rejected   |                    |
    | H      | yes        | +5 h    | +20 h    | closed     | unrated            |
    Outside the cohort: I (another category), J (another community), K (filed before T0).
    """
    t0 = clock.moment - timedelta(days=10)

    def at(hours):
        return t0 + timedelta(hours=hours)

    def make(name, created=None, **values):
        return name, ReportFactory(region=regions.grid, category=category,
                                   created_at=created or t0, **values)

    rated = {"rated_at": at(120)}
    reports = dict([
        make("A", status="closed", dispatched_at=at(1), first_contact_at=at(2),
             resolved_at=at(48), closed_at=at(50), solved=True, satisfaction=5,
             assignee=handler, **rated),
        make("B", status="closed", dispatched_at=at(1), first_contact_at=at(30),
             resolved_at=at(80), closed_at=at(90), solved=True, satisfaction=3,
             assignee=handler, **rated),
        make("C", status="closed", dispatched_at=at(1), first_contact_at=at(10),
             resolved_at=at(100), closed_at=at(300), solved=False, satisfaction=2,
             reopen_count=1, **rated),
        make("D", status="dispatched", dispatched_at=at(1)),
        make("E", created=clock.moment - timedelta(hours=1), status="dispatched",
             dispatched_at=clock.moment - timedelta(minutes=30)),
        make("F"),
        make("G", status="rejected", rejected_at=at(1)),
        make("H", status="closed", dispatched_at=at(1), first_contact_at=at(5),
             resolved_at=at(20), closed_at=at(200)),
    ])
    ReportFactory(region=regions.grid, category=CategoryFactory(code="garbage"), created_at=t0)
    ReportFactory(region=regions.other_grid, category=category, created_at=t0,
                  dispatched_at=at(1))
    ReportFactory(region=regions.grid, category=category, created_at=t0 - timedelta(days=1),
                  dispatched_at=at(1))
    reports["t0"] = t0
    return reports


def test_the_rates_of_a_community_and_category(regions, cohort):
    rates = compute_rates(regions.community, category_code="streetlight",
                          start=cohort["t0"])
    assert (rates.filed, rates.rejected, rates.dispatched) == (8, 1, 6)
    # 响应率: A, C, H contacted in time, of A, B, C, D, H settled (E still has time).
    assert (rates.responded_on_time, rates.response_settled) == (3, 5)
    assert rates.response_rate == pytest.approx(3 / 5)
    # 按期办结率: A, H resolved in time, of A, B, C, H resolved and D past due.
    assert (rates.resolved_on_time, rates.completion_settled) == (2, 5)
    assert rates.on_time_completion_rate == pytest.approx(2 / 5)
    # 解决率 and 满意率 over the rated A, B, C.
    assert (rates.solved, rates.satisfied, rates.rated) == (2, 1, 3)
    assert rates.resolution_rate == pytest.approx(2 / 3)
    assert rates.satisfaction_rate == pytest.approx(1 / 3)
    # Coverage: A, B, C rated of the closed A, B, C, H.
    assert (rates.closed_rated, rates.closed) == (3, 4)
    assert rates.rating_coverage == pytest.approx(3 / 4)
    # Reopen rate: C of the resolved A, B, C, H.
    assert (rates.reopened, rates.resolved_ever) == (1, 4)
    assert rates.reopen_rate == pytest.approx(1 / 4)
    # Medians: contact 2, 5, 10, 30 h; resolution 20, 48, 80, 100 h.
    assert rates.median_response_hours == pytest.approx(7.5)
    assert rates.median_resolution_hours == pytest.approx(64)


def test_the_period_is_by_filing_time_start_included_end_excluded(regions, cohort, clock):
    rates = compute_rates(regions.community, category_code="streetlight", start=cohort["t0"],
                          end=clock.moment - timedelta(hours=1))
    assert rates.filed == 7  # E was filed exactly at the end
    everything = compute_rates(regions.community, category_code="streetlight")
    assert everything.filed == 9  # K too, filed before T0


def test_without_a_category_every_category_counts(regions, cohort):
    assert compute_rates(regions.community, start=cohort["t0"]).filed == 9


def test_a_wider_region_takes_in_its_subtree(regions, cohort):
    rates = compute_rates(regions.street, category_code="streetlight", start=cohort["t0"])
    assert rates.filed == 9 and rates.dispatched == 7


def test_rates_per_handler(regions, cohort, handler):
    rates = compute_rates(regions.community, handler_id=handler.id)
    assert (rates.responded_on_time, rates.response_settled) == (1, 2)
    assert rates.resolution_rate == 1.0


def test_nothing_to_measure_gives_no_rate_rather_than_zero(regions, cohort):
    rates = compute_rates(regions.far_community)
    assert rates.filed == 0
    assert rates.response_rate is None and rates.satisfaction_rate is None
    assert rates.median_response_hours is None


def test_the_rates_endpoint_defaults_to_the_staff_members_region(client, regions, cohort,
                                                                 moderator, auth_headers):
    response = client.get("/api/v1/staff/reports/rates?category=streetlight",
                          headers=auth_headers(moderator))
    assert response.status_code == 200
    body = response.json
    assert body["region"] == {"id": regions.community.id, "name": "和平社区"}
    assert body["counts"]["filed"] == 9
    assert body["satisfaction_rate"] == pytest.approx(1 / 3)


def test_the_rates_endpoint_takes_a_period_in_china_time(client, regions, cohort, moderator,
                                                         auth_headers):
    start = (cohort["t0"] + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S")  # naive = China
    response = client.get(f"/api/v1/staff/reports/rates?category=streetlight&start={start}",
                          headers=auth_headers(moderator))
    assert response.json["counts"]["filed"] == 8


def test_the_rates_of_a_region_outside_ones_scope_are_404(client, regions, cohort, outsider,
                                                          auth_headers):
    response = client.get(f"/api/v1/staff/reports/rates?region_id={regions.community.id}",
                          headers=auth_headers(outsider))
    assert response.status_code == 404


def test_a_street_admin_may_ask_for_one_community(client, regions, cohort, auth_headers):
    admin = StaffFactory(region=regions.street, role=StaffRole.ADMIN)
    response = client.get(f"/api/v1/staff/reports/rates?region_id={regions.community.id}",
                          headers=auth_headers(admin))
    assert response.status_code == 200 and response.json["counts"]["filed"] == 10
