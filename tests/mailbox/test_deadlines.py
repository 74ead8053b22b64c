"""Reply deadlines: the overdue sweep and the per-mailbox reply metrics."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import periodic
from app.extensions import db
from app.mailbox import service
from app.mailbox.models import Letter
from tests.factories import LetterFactory
from tests.mailbox.conftest import notifications


def overdue_recipients() -> list[int]:
    return sorted(n.staff_id for n in notifications("letter.overdue"))


def test_the_sweep_is_declared_every_five_minutes():
    periodic.load_sweeps()
    sweep = periodic.SWEEPS["app.mailbox.jobs.sweep_overdue_letters"]
    assert sweep.interval_seconds == 300


def test_a_letter_past_its_due_time_is_marked_overdue(director_box, resident, clock):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    clock.advance(hours=72, minutes=1)
    assert service.mark_overdue_letters() == 1
    db.session.refresh(letter)
    assert letter.overdue_at == clock.moment


def test_a_letter_within_its_time_is_left_alone(director_box, resident, clock):
    LetterFactory(mailbox=director_box, resident=resident)
    clock.advance(hours=71)
    assert service.mark_overdue_letters() == 0
    assert notifications("letter.overdue") == []


def test_answered_and_closed_letters_are_never_overdue(director_box, resident, clock):
    LetterFactory(mailbox=director_box, resident=resident, replied=True)
    LetterFactory(mailbox=director_box, resident=resident, closed=True)
    clock.advance(days=30)
    assert service.mark_overdue_letters() == 0


def test_overdue_letters_alert_the_members_and_their_supervisors(director_box, director,
                                                                 community_admin, street_admin,
                                                                 other_staff, resident, clock):
    LetterFactory(mailbox=director_box, resident=resident)
    clock.advance(days=4)
    service.mark_overdue_letters()
    assert overdue_recipients() == sorted([director.id, community_admin.id, street_admin.id])


def test_a_restricted_mailbox_alerts_only_those_who_may_read_it(secretary_box, secretary,
                                                                director, community_admin,
                                                                street_admin, resident, clock):
    LetterFactory(mailbox=secretary_box, resident=resident)
    clock.advance(days=3)
    service.mark_overdue_letters()
    assert overdue_recipients() == sorted([secretary.id, street_admin.id])


def test_the_sweep_marks_and_alerts_once(director_box, director, resident, clock):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    clock.advance(days=4)
    service.mark_overdue_letters()
    first_mark = db.session.scalar(sa.select(Letter.overdue_at))
    clock.advance(minutes=5)
    assert service.mark_overdue_letters() == 0
    db.session.refresh(letter)
    assert letter.overdue_at == first_mark
    assert len(notifications("letter.overdue")) == 1


def test_a_reopened_letter_can_be_overdue_again(client, auth_headers, director_box, director,
                                                resident, clock):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    clock.advance(days=4)
    service.mark_overdue_letters()
    client.post(f"/api/v1/staff/letters/{letter.id}/replies", json={"body": "抱歉晚了"},
                headers=auth_headers(director))
    client.post(f"/api/v1/letters/{letter.id}/messages", json={"body": "还是没修"},
                headers=auth_headers(resident))
    clock.advance(days=2)
    assert service.mark_overdue_letters() == 0
    clock.advance(days=1, minutes=1)
    assert service.mark_overdue_letters() == 1
    assert len(notifications("letter.overdue")) == 2


def test_the_periodic_runner_runs_the_sweep(app, director_box, resident, clock):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    clock.advance(days=4)
    periodic.run_all_now(app)
    db.session.refresh(letter)
    assert letter.overdue_at is not None


@pytest.mark.postgres
def test_two_sweeps_at_once_alert_each_letter_once(app, director_box, director, resident, clock):
    for _ in range(5):
        LetterFactory(mailbox=director_box, resident=resident)
    clock.advance(days=4)
    barrier = threading.Barrier(2)
    counts = []

    def sweep():
        with app.app_context():
            barrier.wait()
            counts.append(service.mark_overdue_letters())

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) in ([0, 5], [1, 4], [2, 3])
    assert sum(counts) == 5
    assert len(notifications("letter.overdue")) == 5


# --- metrics --------------------------------------------------------------------------------

@pytest.fixture
def history(director_box, secretary_box, resident, clock):
    """Four letters to 主任信箱 (72 h to reply) written in the last days, one to 书记信箱."""
    now = clock.moment

    def letter(days_ago, replied_after_hours=None, mailbox=director_box):
        created = now - timedelta(days=days_ago)
        extra = {}
        if replied_after_hours is not None:
            extra = {"status": "replied", "reply_due_at": None,
                     "first_replied_at": created + timedelta(hours=replied_after_hours)}
        return LetterFactory(mailbox=mailbox, resident=resident, created_at=created, **extra)

    letter(10, replied_after_hours=2)  # on time
    letter(9, replied_after_hours=100)  # late
    letter(5)  # unanswered and past due: counts as late
    letter(1)  # still within its time: not judged yet
    letter(40, replied_after_hours=1)  # outside a 30-day period
    letter(2, replied_after_hours=6, mailbox=secretary_box)


def test_metrics_count_on_time_replies_and_response_times(street_admin, history, director_box):
    result = service.mailbox_metrics(street_admin)
    by_name = {row["mailbox"].name: row for row in result["mailboxes"]}
    director = by_name["主任信箱"]
    assert (director["letters"], director["replied"], director["replied_on_time"],
            director["judged"]) == (4, 2, 1, 3)
    assert director["on_time_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert director["average_first_response_hours"] == 51
    assert director["median_first_response_hours"] == 51
    assert by_name["书记信箱"]["on_time_rate"] == 1


def test_metrics_of_a_mailbox_without_letters_have_no_rate(street_admin, director_box):
    [row] = service.mailbox_metrics(street_admin)["mailboxes"]
    assert (row["letters"], row["on_time_rate"], row["median_first_response_hours"]) == (
        0, None, None)


def test_the_metrics_endpoint_reports_the_period_and_the_mailboxes_in_scope(
        client, auth_headers, director, history, other_box):
    response = client.get("/api/v1/staff/mailboxes/metrics?start=2026-10-01&end=2026-11-24",
                          headers=auth_headers(director))
    assert response.status_code == 200
    assert (response.json["start"], response.json["end"]) == ("2026-10-01", "2026-11-24")
    rows = {row["mailbox"]["name"]: row for row in response.json["mailboxes"]}
    assert set(rows) == {"主任信箱", "书记信箱"}
    assert rows["主任信箱"]["letters"] == 5
    assert rows["主任信箱"]["community"]["name"] == "和平社区"


@pytest.mark.parametrize("query", ["start=2026-11-25&end=2026-11-01",
                                   "start=2024-01-01&end=2026-11-24",
                                   "start=yesterday"])
def test_a_bad_metrics_period_is_422(client, auth_headers, director, query):
    response = client.get(f"/api/v1/staff/mailboxes/metrics?{query}",
                          headers=auth_headers(director))
    assert response.status_code == 422
