"""Residents writing, listing, reading and following up their letters (/api/v1/letters)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mailbox.models import Letter, LetterMessage
from app.uploads.models import Upload
from tests.factories import LetterFactory, MailboxFactory, ResidentFactory
from tests.mailbox.conftest import notifications


def only_letter() -> Letter:
    return db.session.scalars(sa.select(Letter)).one()


def test_writing_a_letter_stores_it_unread_with_its_first_reply_due(write, resident,
                                                                   director_box, clock):
    response = write(resident, director_box)
    assert response.status_code == 201
    assert response.json["status"] == "new" and response.json["status_label"] == "未读"
    letter = only_letter()
    assert (letter.resident_id, letter.mailbox_id) == (resident.id, director_box.id)
    assert letter.community_id == director_box.community_id
    assert letter.first_reply_due_at == clock.moment + timedelta(hours=72)
    assert letter.reply_due_at == letter.first_reply_due_at
    assert response.json["reply_due_at"] == "2026-11-27T10:00:00+08:00"
    [message] = letter.messages
    assert message.kind == "resident" and message.body.startswith("3栋2单元的楼道灯")


def test_a_new_letter_notifies_the_mailbox_members(write, resident, director_box, director):
    write(resident, director_box)
    [alert] = notifications("letter.new")
    assert alert.staff_id == director.id
    assert "主任信箱" in alert.payload["text"]


def test_letter_photos_are_attached_in_order_and_shown(write, resident, director_box,
                                                       upload_photo):
    ids = [upload_photo(resident, seed=s) for s in (1, 2)]
    response = write(resident, director_box, photo_ids=list(reversed(ids)))
    assert response.status_code == 201
    photos = response.json["messages"][0]["photos"]
    assert [p["id"] for p in photos] == list(reversed(ids))
    assert photos[0]["url"].startswith("https://linli.test/media/")
    assert all(u.claimed_at is not None for u in db.session.scalars(sa.select(Upload)))


def test_ten_photos_are_refused(write, resident, director_box):
    response = write(resident, director_box, photo_ids=list(range(1, 11)))
    assert response.status_code == 422
    assert "photo_ids" in response.json["errors"]
    assert db.session.scalar(sa.select(sa.func.count(Letter.id))) == 0


def test_someone_elses_photo_is_refused(write, resident, neighbour, director_box, upload_photo):
    photo = upload_photo(neighbour)
    response = write(resident, director_box, photo_ids=[photo])
    assert response.status_code == 422
    assert response.json["errors"] == {"photo_ids": ["照片不存在或已失效，请重新上传"]}


@pytest.mark.parametrize("fields, field", [
    ({"subject": "题" * 61}, "subject"),
    ({"subject": "   "}, "subject"),
    ({"body": "字" * 5001}, "body"),
    ({"body": ""}, "body"),
    ({"mailbox_id": "1"}, "mailbox_id"),
    ({"consent_to_publish": "maybe"}, "consent_to_publish"),
    ({"urgent": True}, "urgent"),
])
def test_invalid_letters_get_422_naming_the_field(write, resident, director_box, fields, field):
    response = write(resident, director_box, **fields)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert db.session.scalar(sa.select(sa.func.count(Letter.id))) == 0


def test_the_longest_allowed_letter_is_accepted(write, resident, director_box):
    response = write(resident, director_box, subject="题" * 60, body="字" * 5000)
    assert response.status_code == 201


def test_writing_to_another_communitys_mailbox_is_refused(write, resident, other_box):
    response = write(resident, other_box)
    assert response.status_code == 422
    assert response.json["errors"] == {"mailbox_id": ["请选择本社区的信箱"]}


def test_writing_to_a_closed_down_mailbox_is_refused(write, resident, regions):
    mailbox = MailboxFactory(community=regions.community, active=False)
    assert write(resident, mailbox).status_code == 422


def test_a_resident_without_a_community_is_asked_to_choose_one(write, director_box):
    homeless = ResidentFactory()
    response = write(homeless, director_box)
    assert response.status_code == 422
    assert "社区" in response.json["message"]


def test_letters_per_day_are_rate_limited(write, resident, director_box, app, monkeypatch):
    monkeypatch.setitem(app.config, "LETTER_RATE_LIMIT_PER_DAY", 2)
    assert write(resident, director_box).status_code == 201
    assert write(resident, director_box).status_code == 201
    response = write(resident, director_box)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert db.session.scalar(sa.select(sa.func.count(Letter.id))) == 2


def test_mailboxes_of_my_community_are_listed_in_order(client, auth_headers, resident,
                                                       director_box, secretary_box, other_box,
                                                       regions):
    MailboxFactory(community=regions.community, name="已停用信箱", active=False)
    response = client.get("/api/v1/mailboxes", headers=auth_headers(resident))
    assert response.status_code == 200
    assert [m["name"] for m in response.json["mailboxes"]] == ["书记信箱", "主任信箱"]
    assert response.json["mailboxes"][0]["reply_sla_hours"] == 48


def test_my_letters_are_listed_latest_activity_first(client, auth_headers, resident, neighbour,
                                                     director_box, clock):
    older = LetterFactory(mailbox=director_box, resident=resident, subject="旧信")
    clock.advance(hours=1)
    newer = LetterFactory(mailbox=director_box, resident=resident, subject="新信")
    LetterFactory(mailbox=director_box, resident=neighbour, subject="邻居的信")
    response = client.get("/api/v1/letters", headers=auth_headers(resident))
    assert response.status_code == 200
    assert [item["id"] for item in response.json["items"]] == [newer.id, older.id]
    assert response.json["meta"]["total"] == 2


def test_another_residents_letter_is_404(client, auth_headers, resident, neighbour,
                                         director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    response = client.get(f"/api/v1/letters/{letter.id}", headers=auth_headers(neighbour))
    assert response.status_code == 404
    assert response.json["message"] == "找不到该信件"


def test_another_resident_cannot_follow_up_my_letter(client, auth_headers, resident, neighbour,
                                                     director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident, replied=True)
    response = client.post(f"/api/v1/letters/{letter.id}/messages", json={"body": "我也是"},
                           headers=auth_headers(neighbour))
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(LetterMessage.id))) == 2


def test_staff_tokens_cannot_use_the_resident_letters(client, auth_headers, director,
                                                      director_box, resident):
    letter = LetterFactory(mailbox=director_box, resident=resident)
    assert client.get(f"/api/v1/letters/{letter.id}",
                      headers=auth_headers(director)).status_code == 403


def test_letters_need_a_login(client):
    assert client.get("/api/v1/letters").status_code == 401


def test_a_follow_up_reopens_a_replied_letter_with_a_new_due_time(client, auth_headers, resident,
                                                                  director_box, director, clock):
    letter = LetterFactory(mailbox=director_box, resident=resident, replied=True)
    clock.advance(days=2)
    response = client.post(f"/api/v1/letters/{letter.id}/messages",
                           json={"body": "灯修好了，但又坏了"}, headers=auth_headers(resident))
    assert response.status_code == 201
    assert response.json["status"] == "new"
    db.session.refresh(letter)
    assert letter.status == "new" and letter.read_at is None
    assert letter.reply_due_at == clock.moment + timedelta(hours=72)
    assert letter.first_reply_due_at < letter.reply_due_at
    assert [m.kind for m in letter.messages] == ["resident", "staff", "resident"]
    [alert] = notifications("letter.follow_up")
    assert alert.staff_id == director.id


def test_a_follow_up_before_the_reply_keeps_the_due_time(client, auth_headers, resident,
                                                         director_box, clock):
    letter = LetterFactory(mailbox=director_box, resident=resident, read=True)
    due = letter.reply_due_at
    clock.advance(hours=5)
    response = client.post(f"/api/v1/letters/{letter.id}/messages",
                           json={"body": "补充一张照片"}, headers=auth_headers(resident))
    assert response.status_code == 201
    db.session.refresh(letter)
    assert letter.status == "new" and letter.reply_due_at == due


def test_a_closed_letter_cannot_be_followed_up(client, auth_headers, resident, director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident, closed=True)
    response = client.post(f"/api/v1/letters/{letter.id}/messages", json={"body": "还有问题"},
                           headers=auth_headers(resident))
    assert response.status_code == 409
    assert response.json["message"] == "该信件当前为“已办结”，不能追问"
    assert db.session.scalar(sa.select(sa.func.count(LetterMessage.id))) == 2


def test_follow_ups_are_rate_limited(client, auth_headers, resident, director_box, app,
                                     monkeypatch):
    monkeypatch.setitem(app.config, "LETTER_FOLLOW_UP_RATE_LIMIT_PER_HOUR", 1)
    letter = LetterFactory(mailbox=director_box, resident=resident)
    url = f"/api/v1/letters/{letter.id}/messages"
    assert client.post(url, json={"body": "一"}, headers=auth_headers(resident)).status_code == 201
    assert client.post(url, json={"body": "二"}, headers=auth_headers(resident)).status_code == 429


def test_withdrawing_consent_is_recorded(client, auth_headers, resident, director_box):
    letter = LetterFactory(mailbox=director_box, resident=resident, consent_to_publish=True)
    response = client.patch(f"/api/v1/letters/{letter.id}", json={"consent_to_publish": False},
                            headers=auth_headers(resident))
    assert response.status_code == 200
    db.session.refresh(letter)
    assert letter.consent_to_publish is False


def test_my_letters_are_paged_from_the_query_string(client, auth_headers, resident, director_box):
    for _ in range(3):
        LetterFactory(mailbox=director_box, resident=resident)
    response = client.get("/api/v1/letters?page=2&per_page=2", headers=auth_headers(resident))
    assert response.status_code == 200
    assert len(response.json["items"]) == 1
    assert response.json["meta"] == {"page": 2, "per_page": 2, "total": 3, "pages": 2}
