"""GET servicerequestupdates (mySociety's extension): each public timeline entry, with our state
mapped onto the extended status vocabulary, so a partner can follow the handling."""

from __future__ import annotations

import copy

import pytest
from jsonschema import ValidationError

from app import reports
from app.uploads import photo_urls
from tests.factories import FilingFactory, ReportFactory, UploadFactory
from tests.open311.helpers import BASE, KEY, assert_error, get_both, handle, resident_report
from tests.open311.schema_check import validate_json


def updates(client, **params) -> list[dict]:
    return get_both(client, "servicerequestupdates", "service_request_updates", params=params)


def statuses(client, number) -> list[str]:
    return [u["status"] for u in updates(client, service_request_id=number)]


def test_each_step_of_handling_is_an_update_with_its_extended_status(client, resident, regions,
                                                                     category, moderator,
                                                                     handler):
    report = resident_report(resident, regions)
    handle(report, moderator, handler, until="resolved")
    reports.rate_report(resident, report.id, solved=True, satisfaction=5)
    assert statuses(client, report.number) == [
        "OPEN", "INVESTIGATING", "ACTION_SCHEDULED", "ACTION_SCHEDULED", "IN_PROGRESS",
        "FIXED", "CLOSED"]


def test_an_update_describes_the_step_in_chinese(client, resident, regions, category, moderator,
                                                 handler):
    report = resident_report(resident, regions)
    handle(report, moderator, handler, until="dispatched")
    assert [u["description"] for u in updates(client, service_request_id=report.number)] == [
        "提交", "受理：已受理，安排网格员处理", "派单：请今天到现场"]


def test_an_update_carries_ids_and_its_time(client, resident, regions, category, moderator,
                                            clock):
    report = resident_report(resident, regions)
    clock.advance(minutes=30)
    reports.accept_report(moderator, report.id)
    accepted = updates(client, service_request_id=report.number)[1]
    event = report.events[-1]
    assert accepted == {"update_id": str(event.id), "service_request_id": report.number,
                        "status": "INVESTIGATING", "updated_datetime": "2026-11-24T10:30:00+08:00",
                        "description": "受理", "media_url": None}


def test_the_resolution_carries_the_result_photo(client, resident, regions, category, moderator,
                                                 handler):
    report = resident_report(resident, regions)
    handle(report, moderator, handler, until="in_progress")
    photo = UploadFactory(staff_id=handler.id)
    reports.resolve_report(handler, report.id, note="已修好", photo_ids=[photo.id])
    fixed = updates(client, service_request_id=report.number)[-1]
    assert (fixed["status"], fixed["media_url"]) == ("FIXED", photo_urls(photo)["url"])


def test_an_unrated_report_closing_by_itself_is_an_update(client, resident, regions, category,
                                                          moderator, handler, clock):
    report = resident_report(resident, regions)
    handle(report, moderator, handler, until="resolved")
    clock.advance(days=8)
    reports.close_unrated()
    last = updates(client, service_request_id=report.number)[-1]
    assert (last["status"], last["description"]) == ("CLOSED", "到期自动办结：7天内未评价，自动办结")


def test_a_reopened_report_goes_back_to_action_scheduled(client, resident, regions, category,
                                                         moderator, handler):
    report = resident_report(resident, regions)
    handle(report, moderator, handler, until="resolved")
    reports.rate_report(resident, report.id, solved=False, satisfaction=2)
    assert statuses(client, report.number)[-2:] == ["FIXED", "ACTION_SCHEDULED"]


def test_a_merged_report_ends_duplicate(client, resident, regions, category, moderator):
    kept, merged = resident_report(resident, regions), resident_report(resident, regions)
    reports.merge_report(moderator, merged.id, duplicate_of_id=kept.id)
    assert statuses(client, merged.number) == ["OPEN", "DUPLICATE"]


def test_a_public_note_is_an_update_keeping_the_status(client, resident, regions, category,
                                                       moderator):
    report = resident_report(resident, regions)
    reports.accept_report(moderator, report.id)
    reports.add_note(moderator, report.id, text="备件已订，周五更换", public=True)
    last = updates(client, service_request_id=report.number)[-1]
    assert (last["status"], last["description"]) == ("INVESTIGATING", "进展：备件已订，周五更换")


def test_internal_notes_and_escalations_are_never_updates(client, resident, regions, category,
                                                          moderator, clock):
    report = resident_report(resident, regions)
    reports.add_note(moderator, report.id, text="内部：此人多次反映", public=False)
    clock.advance(days=5)
    reports.escalate_overdue()
    assert statuses(client, report.number) == ["OPEN"]


def test_a_rejected_report_has_no_public_updates(client, resident, regions, category, moderator):
    report = resident_report(resident, regions)
    reports.reject_report(moderator, report.id, reason="重复反映")
    assert updates(client) == []


def test_the_filing_partner_sees_its_rejection_as_no_further_action(client, partner, regions,
                                                                    category, moderator):
    report = ReportFactory(region=regions.grid, category=category, source="open311",
                           source_detail=partner.name)
    FilingFactory(partner=partner, report=report)
    reports.reject_report(moderator, report.id, reason="不属于社区职责")
    (rejection,) = updates(client, api_key=KEY)
    assert (rejection["status"], rejection["description"]) == (
        "NO_FURTHER_ACTION", "不予受理：不属于社区职责")


def test_updates_of_held_reports_are_not_shown(client, regions, category):
    ReportFactory(region=regions.grid, category=category, held_for_review=True)
    assert updates(client) == []


def test_updates_are_listed_oldest_first_across_requests(client, resident, regions, category,
                                                         moderator, clock):
    first = resident_report(resident, regions)
    clock.advance(minutes=1)
    second = resident_report(resident, regions)
    clock.advance(minutes=1)
    reports.accept_report(moderator, first.id)
    assert [(u["service_request_id"], u["status"]) for u in updates(client)] == [
        (first.number, "OPEN"), (second.number, "OPEN"), (first.number, "INVESTIGATING")]


def test_updates_are_selected_by_their_own_time(client, resident, regions, category, moderator,
                                                clock):
    report = resident_report(resident, regions)
    clock.advance(days=2)
    reports.accept_report(moderator, report.id)  # 2026-11-26 10:00 China time
    listed = updates(client, start_date="2026-11-26T00:00:00+08:00",
                     end_date="2026-11-26T23:59:59+08:00")
    assert [u["status"] for u in listed] == ["INVESTIGATING"]


def test_updates_default_to_the_last_90_days(client, resident, regions, category, moderator,
                                             clock):
    report = resident_report(resident, regions)
    clock.advance(days=100)
    reports.accept_report(moderator, report.id)
    assert [u["status"] for u in updates(client)] == ["INVESTIGATING"]


def test_service_request_ids_give_all_their_updates_whatever_the_dates(client, resident,
                                                                       regions, category,
                                                                       moderator, clock):
    report = resident_report(resident, regions)
    clock.advance(days=100)
    reports.accept_report(moderator, report.id)
    assert statuses(client, report.number) == ["OPEN", "INVESTIGATING"]


def test_updates_stop_at_the_cap_so_a_client_pages_by_start_date(client, resident, regions,
                                                                 category, clock, monkeypatch):
    monkeypatch.setattr("app.open311.service.MAX_RESULTS", 2)
    made = []
    for _ in range(3):
        made.append(resident_report(resident, regions))
        clock.advance(minutes=1)
    assert [u["service_request_id"] for u in updates(client)] == [made[0].number, made[1].number]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_too_long_range_of_updates_is_400(client, fmt):
    response = client.get(f"{BASE}/servicerequestupdates.{fmt}", query_string={
        "start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"})
    assert_error(response, 400, fmt)


def test_the_updates_schema_refuses_a_v2_status_and_foreign_fields():
    update = {"update_id": "1", "service_request_id": "SSP-20261124-0001", "status": "FIXED",
              "updated_datetime": "2026-11-24T10:00:00+08:00", "description": "办结",
              "media_url": None}
    validate_json("service_request_updates", [update])
    for change in ({"status": "open"}, {"first_name": "王"}):
        with pytest.raises(ValidationError):
            validate_json("service_request_updates", [{**copy.deepcopy(update), **change}])
