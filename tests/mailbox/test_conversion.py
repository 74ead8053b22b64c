"""Staff turn a letter that is really a 随手拍 case or a proposal into one, linked both ways."""

import pytest

from app.extensions import db
from app.mailbox.models import Letter
from app.proposals.models import Proposal
from app.reports.models import Report
from tests.factories import CategoryFactory
from tests.mailbox.conftest import audit_entries, notifications


@pytest.fixture
def streetlight():
    return CategoryFactory(code="streetlight", name="路灯损坏")


@pytest.fixture
def letter(resident, director_box, write, upload_photo):
    photo = upload_photo(resident, seed=5)
    response = write(resident, director_box, subject="建议在3栋门口装路灯",
                     body="3栋门口一直没有路灯，晚上很黑，老人出门容易摔倒。", photo_ids=[photo])
    assert response.status_code == 201, response.json
    return db.session.get(Letter, response.json["id"])


def convert(client, headers, letter, kind, **body):
    return client.post(f"/api/v1/staff/letters/{letter.id}/convert-to-{kind}", json=body,
                       headers=headers)


def test_a_letter_becomes_a_report_filed_for_its_writer(client, letter, resident, director,
                                                        streetlight, auth_headers, regions):
    response = convert(client, auth_headers(director), letter, "report", category="streetlight",
                       lat=regions.point_in_grid[0], lng=regions.point_in_grid[1],
                       address="3栋门口")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "closed"
    report = db.session.get(Report, response.json["converted_report_id"])
    assert (report.reporter_id, report.source, report.filed_by_staff_id) == (
        resident.id, "staff", director.id)
    assert report.source_letter_id == letter.id
    assert report.region_id == regions.grid.id
    assert len(report.photos) == 1
    assert "老人出门容易摔倒" in report.description


def test_the_writer_sees_where_the_letter_went(client, letter, resident, director, streetlight,
                                               auth_headers):
    report_id = convert(client, auth_headers(director), letter, "report",
                        category="streetlight").json["converted_report_id"]
    mine = client.get(f"/api/v1/letters/{letter.id}", headers=auth_headers(resident)).json
    assert mine["converted_report_id"] == report_id
    assert client.get(f"/api/v1/reports/{report_id}",
                      headers=auth_headers(resident)).status_code == 200
    assert any("已转为随手拍" in n.payload["text"] for n in notifications("letter.converted"))
    assert audit_entries("letter.convert_to_report")[0].detail == {"report_id": report_id}


def test_without_a_position_the_report_goes_to_the_writers_community(client, letter, director,
                                                                     streetlight, auth_headers,
                                                                     regions):
    report_id = convert(client, auth_headers(director), letter, "report",
                        category="streetlight").json["converted_report_id"]
    assert db.session.get(Report, report_id).region.path.startswith(regions.community.path)


def test_an_unknown_category_changes_nothing(client, letter, director, auth_headers):
    response = convert(client, auth_headers(director), letter, "report", category="nope")
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Letter, letter.id).status == "new"
    assert db.session.query(Report).count() == 0


def test_a_replied_letter_cannot_be_converted(client, letter, director, streetlight,
                                              auth_headers):
    client.post(f"/api/v1/staff/letters/{letter.id}/replies", json={"body": "已安排。"},
                headers=auth_headers(director))
    response = convert(client, auth_headers(director), letter, "report", category="streetlight")
    assert response.status_code == 409
    assert db.session.query(Report).count() == 0


def test_staff_of_another_community_get_404(client, letter, other_staff, streetlight,
                                            auth_headers):
    response = convert(client, auth_headers(other_staff), letter, "report",
                       category="streetlight")
    assert response.status_code == 404


def test_a_letter_becomes_a_proposal_draft_of_its_writer(client, letter, resident, director,
                                                         auth_headers, regions):
    resident.verification_level = 1  # proposals need a bound phone
    db.session.commit()
    response = convert(client, auth_headers(director), letter, "proposal")
    assert response.status_code == 200, response.json
    proposal = db.session.get(Proposal, response.json["converted_proposal_id"])
    assert (proposal.author_id, proposal.status, proposal.region_id) == (
        resident.id, "draft", regions.community.id)
    assert proposal.source_letter_id == letter.id
    assert proposal.title == "建议在3栋门口装路灯"
    mine = client.get(f"/api/v1/proposals/{proposal.id}", headers=auth_headers(resident))
    assert mine.status_code == 200
    assert db.session.get(Letter, letter.id).status == "closed"


def test_a_proposal_title_must_fit(client, letter, resident, director, auth_headers):
    resident.verification_level = 1
    db.session.commit()
    response = convert(client, auth_headers(director), letter, "proposal", title="太短")
    assert response.status_code == 422
    assert db.session.query(Proposal).count() == 0


def test_a_writer_who_may_not_propose_keeps_the_letter(client, letter, director, auth_headers):
    response = convert(client, auth_headers(director), letter, "proposal")
    assert response.status_code == 403
    assert response.json["message"] == "发起提案需要先绑定手机号"
    assert db.session.get(Letter, letter.id).status == "new"
