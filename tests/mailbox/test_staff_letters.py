"""Staff working letters: inbox, reading (receipts, audit), replies, notes, closing, and who may
see which letter."""

import pytest
import sqlalchemy as sa

from app.accounts.models import StaffRole
from app.extensions import db
from app.mailbox.models import Letter, LetterMessage
from tests.factories import LetterFactory, MailboxFactory, ResidentFactory, StaffFactory
from tests.mailbox.conftest import audit_entries, notifications


def open_as(client, auth_headers, staff, letter):
    return client.get(f"/api/v1/staff/letters/{letter.id}", headers=auth_headers(staff))


# --- reading --------------------------------------------------------------------------------

def test_opening_a_new_letter_marks_it_read_and_tells_the_resident(client, auth_headers,
                                                                   director, director_box,
                                                                   resident, clock):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    response = open_as(client, auth_headers, director, letter)
    assert response.status_code == 200
    assert response.json["status"] == "read"
    db.session.refresh(letter)
    assert letter.status == "read" and letter.read_at == clock.moment
    [receipt] = notifications("letter.read")
    assert receipt.resident_id == resident.id
    assert receipt.payload["fields"]["phrase"] == "已读"
    mine = client.get(f"/api/v1/letters/{letter.id}", headers=auth_headers(resident)).json
    assert mine["status_label"] == "已读"


def test_opening_a_letter_again_sends_no_second_receipt(client, auth_headers, director,
                                                        director_box, resident):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    open_as(client, auth_headers, director, letter)
    open_as(client, auth_headers, director, letter)
    assert len(notifications("letter.read")) == 1


def test_every_staff_read_is_audit_logged(client, auth_headers, director, street_admin,
                                          director_box, resident):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    open_as(client, auth_headers, director, letter)
    open_as(client, auth_headers, street_admin, letter)
    open_as(client, auth_headers, director, letter)
    entries = audit_entries("letter.view")
    assert [(e.staff_id, e.object_id) for e in entries] == [
        (director.id, letter.id), (street_admin.id, letter.id), (director.id, letter.id)]
    assert [e.detail["marked_read"] for e in entries] == [True, False, False]
    assert all(e.region_id == letter.community_id for e in entries)


def test_the_letter_detail_takes_the_write_lock_on_sqlite(app):
    from app.database import _wants_write_lock

    with app.test_request_context("/api/v1/staff/letters/1"):
        assert _wants_write_lock()
    with app.test_request_context("/api/v1/staff/letters"):
        assert not _wants_write_lock()


def test_marking_read_without_opening(client, auth_headers, director, director_box, resident):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    response = client.post(f"/api/v1/staff/letters/{letter.id}/read",
                           headers=auth_headers(director))
    assert response.status_code == 200 and response.json["status"] == "read"
    assert [e.object_id for e in audit_entries("letter.read")] == [letter.id]
    assert len(notifications("letter.read")) == 1


def test_staff_see_the_residents_details_and_marked_text(client, auth_headers, director,
                                                         director_box, resident):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    body = open_as(client, auth_headers, director, letter).json
    assert body["resident"]["nickname"] == "张桂兰"
    assert body["resident"]["household"] == "3-2-501"
    assert body["messages"][0]["author"] == "居民"
    assert body["actions"] == ["reply", "transfer", "close", "convert_to_report",
                               "convert_to_proposal"]


# --- replying, notes, closing ---------------------------------------------------------------

def test_a_reply_answers_the_letter_and_tells_the_resident(client, auth_headers, director,
                                                           director_box, resident, clock):
    letter = LetterFactory(mailbox=director_box, resident=resident, read=True)
    clock.advance(hours=3)
    response = client.post(f"/api/v1/staff/letters/{letter.id}/replies",
                           json={"body": "您好，物业明天上午来修。"}, headers=auth_headers(director))
    assert response.status_code == 201
    db.session.refresh(letter)
    assert letter.status == "replied"
    assert letter.first_replied_at == clock.moment and letter.reply_due_at is None
    [alert] = notifications("letter.replied")
    assert alert.resident_id == resident.id and "主任信箱" in alert.payload["text"]
    assert [e.object_id for e in audit_entries("letter.reply")] == [letter.id]


def test_the_resident_sees_the_reply_signed_by_the_mailbox(client, auth_headers, director,
                                                           director_box, resident):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    client.post(f"/api/v1/staff/letters/{letter.id}/replies", json={"body": "已安排。"},
                headers=auth_headers(director))
    thread = client.get(f"/api/v1/letters/{letter.id}", headers=auth_headers(resident)).json
    assert [(m["kind"], m["author"]) for m in thread["messages"]] == [
        ("resident", "我"), ("staff", "主任信箱")]
    assert "王芳" not in str(thread)


def test_a_reply_may_carry_staff_photos(client, auth_headers, director, director_box, resident,
                                        upload_photo):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    photo = upload_photo(director)
    response = client.post(f"/api/v1/staff/letters/{letter.id}/replies",
                           json={"body": "已修好，见照片。", "photo_ids": [photo]},
                           headers=auth_headers(director))
    assert response.status_code == 201
    assert [p["id"] for p in response.json["messages"][-1]["photos"]] == [photo]


def test_internal_notes_are_never_shown_to_the_resident(client, auth_headers, director,
                                                        director_box, resident):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    response = client.post(f"/api/v1/staff/letters/{letter.id}/notes",
                           json={"body": "该居民上月也反映过，注意语气"},
                           headers=auth_headers(director))
    assert response.status_code == 201
    assert response.json["messages"][-1]["kind"] == "note"
    thread = client.get(f"/api/v1/letters/{letter.id}", headers=auth_headers(resident))
    assert "注意语气" not in thread.get_data(as_text=True)
    assert [m["kind"] for m in thread.json["messages"]] == ["resident"]
    assert db.session.scalar(sa.select(Letter.status)) == "new"
    assert [e.object_id for e in audit_entries("letter.note")] == [letter.id]


def test_closing_an_answered_letter_tells_the_resident(client, auth_headers, director,
                                                       director_box, resident):
    letter = LetterFactory(mailbox=director_box, resident=resident, replied=True)
    response = client.post(f"/api/v1/staff/letters/{letter.id}/close", json={},
                           headers=auth_headers(director))
    assert response.status_code == 200 and response.json["status"] == "closed"
    db.session.refresh(letter)
    assert letter.closed_at is not None
    assert [n.resident_id for n in notifications("letter.closed")] == [resident.id]
    assert [e.object_id for e in audit_entries("letter.close")] == [letter.id]


def test_closing_an_unanswered_letter_needs_a_message(client, auth_headers, director,
                                                      director_box, resident):
    letter = LetterFactory(mailbox=director_box, resident=resident, read=True)
    response = client.post(f"/api/v1/staff/letters/{letter.id}/close", json={},
                           headers=auth_headers(director))
    assert response.status_code == 422
    assert response.json["errors"] == {"message": ["请填写办结说明"]}
    assert db.session.scalar(sa.select(Letter.status)) == "read"


def test_a_closing_message_counts_as_the_reply(client, auth_headers, director, director_box,
                                               resident, clock):
    letter = LetterFactory(mailbox=director_box, resident=resident, read=True)
    response = client.post(f"/api/v1/staff/letters/{letter.id}/close",
                           json={"message": "此事已由物业处理完毕。"}, headers=auth_headers(director))
    assert response.status_code == 200
    db.session.refresh(letter)
    assert letter.first_replied_at == clock.moment
    assert [m.kind for m in letter.messages] == ["resident", "staff", "event"]


@pytest.mark.parametrize("trait, path, payload, message", [
    ("closed", "replies", {"body": "补充"}, "该信件当前为“已办结”，不能答复"),
    ("closed", "close", {"message": "再办结"}, "该信件当前为“已办结”，不能办结"),
    ("replied", "transfer", None, "该信件当前为“已答复”，不能转交"),
])
def test_illegal_transitions_get_409(client, auth_headers, director, director_box, resident,
                                     regions, trait, path, payload, message):
    letter = LetterFactory(mailbox=director_box, resident=resident, **{trait: True})
    payload = payload or {"mailbox_id": MailboxFactory(community=regions.community).id}
    response = client.post(f"/api/v1/staff/letters/{letter.id}/{path}", json=payload,
                           headers=auth_headers(director))
    assert response.status_code == 409
    assert response.json["message"] == message
    assert db.session.scalar(sa.select(Letter.status)) == letter.status


@pytest.mark.parametrize("path, payload", [
    ("replies", {"body": ""}),
    ("replies", {"body": "字" * 5001}),
    ("notes", {"body": "字" * 2001}),
    ("close", {"message": 5}),
])
def test_invalid_staff_input_gets_422(client, auth_headers, director, director_box, resident,
                                      path, payload):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    response = client.post(f"/api/v1/staff/letters/{letter.id}/{path}", json=payload,
                           headers=auth_headers(director))
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(LetterMessage.id))) == 1


# --- the inbox ------------------------------------------------------------------------------

@pytest.fixture
def inbox_letters(director_box, resident, clock):
    """One letter in each state; the overdue one was written four days ago."""
    from datetime import timedelta

    overdue = LetterFactory(mailbox=director_box, resident=resident, subject="超时",
                            created_at=clock.moment - timedelta(days=4))
    return {
        "overdue": overdue,
        "new": LetterFactory(mailbox=director_box, resident=resident, subject="未读"),
        "read": LetterFactory(mailbox=director_box, resident=resident, subject="已读", read=True),
        "replied": LetterFactory(mailbox=director_box, resident=resident, subject="已答复",
                                 replied=True),
        "closed": LetterFactory(mailbox=director_box, resident=resident, subject="已办结",
                                closed=True),
    }


@pytest.mark.parametrize("view, expected", [
    ("new", ["超时", "未读"]),
    ("awaiting_reply", ["超时", "未读", "已读"]),
    ("overdue", ["超时"]),
    ("replied", ["已答复"]),
    ("closed", ["已办结"]),
])
def test_the_inbox_filters_by_view(client, auth_headers, director, inbox_letters, view,
                                   expected):
    response = client.get(f"/api/v1/staff/letters?view={view}", headers=auth_headers(director))
    assert response.status_code == 200
    assert [item["subject"] for item in response.json["items"]] == expected


def test_the_inbox_marks_overdue_letters(client, auth_headers, director, inbox_letters):
    items = client.get("/api/v1/staff/letters", headers=auth_headers(director)).json["items"]
    assert {item["subject"]: item["overdue"] for item in items} == {
        "超时": True, "未读": False, "已读": False}


def test_the_inbox_filters_by_mailbox(client, auth_headers, street_admin, director_box,
                                      secretary_box, resident):
    LetterFactory(mailbox=director_box, resident=resident, subject="给主任")
    LetterFactory(mailbox=secretary_box, resident=resident, subject="给书记")
    response = client.get(f"/api/v1/staff/letters?view=all&mailbox_id={secretary_box.id}",
                          headers=auth_headers(street_admin))
    assert [item["subject"] for item in response.json["items"]] == ["给书记"]


def test_an_unknown_inbox_view_is_422(client, auth_headers, director):
    response = client.get("/api/v1/staff/letters?view=everything", headers=auth_headers(director))
    assert response.status_code == 422 and "view" in response.json["errors"]


# --- who may see what -----------------------------------------------------------------------

def test_staff_of_another_community_get_404(client, auth_headers, other_staff, director_box,
                                            resident):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    assert open_as(client, auth_headers, other_staff, letter).status_code == 404
    response = client.post(f"/api/v1/staff/letters/{letter.id}/replies", json={"body": "越权"},
                           headers=auth_headers(other_staff))
    assert response.status_code == 404
    inbox = client.get("/api/v1/staff/letters?view=all", headers=auth_headers(other_staff))
    assert inbox.json["items"] == []
    assert db.session.scalar(sa.select(Letter.status)) == "new"
    assert audit_entries("letter.view") == []


def test_a_grid_handler_does_not_see_the_communitys_letters(client, auth_headers, regions,
                                                            director_box, resident):
    handler = StaffFactory(region=regions.grid, role=StaffRole.HANDLER)
    letter = LetterFactory(mailbox=director_box, resident=resident)
    assert open_as(client, auth_headers, handler, letter).status_code == 404


def test_any_staff_of_the_community_may_answer_an_open_mailbox(client, auth_headers,
                                                               community_admin, director_box,
                                                               resident):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    assert open_as(client, auth_headers, community_admin, letter).status_code == 200


def test_a_restricted_mailbox_is_hidden_from_community_staff_who_are_not_members(
        client, auth_headers, director, community_admin, secretary_box, resident):
    letter = LetterFactory(mailbox=secretary_box, resident=resident, subject="反映工作人员态度")
    for outsider in (director, community_admin):
        assert open_as(client, auth_headers, outsider, letter).status_code == 404
        inbox = client.get("/api/v1/staff/letters?view=all", headers=auth_headers(outsider))
        assert "反映工作人员态度" not in inbox.get_data(as_text=True)


def test_a_restricted_mailbox_is_open_to_its_members_and_supervisors_above(
        client, auth_headers, secretary, street_admin, secretary_box, resident):
    letter = LetterFactory(mailbox=secretary_box, resident=resident)
    for allowed in (secretary, street_admin):
        assert open_as(client, auth_headers, allowed, letter).status_code == 200
        inbox = client.get("/api/v1/staff/letters?view=all", headers=auth_headers(allowed))
        assert [item["id"] for item in inbox.json["items"]] == [letter.id]


def test_a_street_handler_is_no_supervisor_of_a_restricted_mailbox(client, auth_headers, regions,
                                                                   secretary_box, resident):
    street_handler = StaffFactory(region=regions.street, role=StaffRole.HANDLER)
    letter = LetterFactory(mailbox=secretary_box, resident=resident)
    assert open_as(client, auth_headers, street_handler, letter).status_code == 404


def test_an_inactive_member_loses_access(client, auth_headers, secretary, secretary_box,
                                         resident):
    letter = LetterFactory(mailbox=secretary_box, resident=resident)
    secretary.active = False
    db.session.commit()
    assert open_as(client, auth_headers, secretary, letter).status_code in (403, 404)


def test_residents_letters_stay_apart_in_the_staff_view(client, auth_headers, director,
                                                        director_box, resident, regions):
    stranger = ResidentFactory(community=regions.community, nickname="陌生人")
    LetterFactory(mailbox=director_box, resident=resident)
    LetterFactory(mailbox=director_box, resident=stranger)
    items = client.get("/api/v1/staff/letters", headers=auth_headers(director)).json["items"]
    assert sorted(item["resident"]["nickname"] for item in items) == ["张桂兰", "陌生人"]
