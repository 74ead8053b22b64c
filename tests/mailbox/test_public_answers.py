"""The public Q&A: consented, answered letters published as anonymised copies."""

import pytest
import sqlalchemy as sa

from app.accounts.models import StaffRole
from app.extensions import db
from app.mailbox.models import LetterMessage, LetterPublication
from tests.factories import LetterFactory, StaffFactory
from tests.mailbox.conftest import audit_entries, notifications

PRIVATE_BODY = ("我是张桂兰，住3栋2单元501，电话13812345678。楼下烧烤店每晚油烟很大，"
                "家里老人咳嗽。请回电话138 1234 5678。")


@pytest.fixture
def letter(director_box, resident):
    """张桂兰's answered letter, with her consent, whose body names her and gives her phone."""
    return LetterFactory(mailbox=director_box, resident=resident, replied=True,
                         consent_to_publish=True, subject="张桂兰反映油烟扰民",
                         body=PRIVATE_BODY)


def publish(client, auth_headers, staff, letter, **fields):
    return client.put(f"/api/v1/staff/letters/{letter.id}/publication", json=fields,
                      headers=auth_headers(staff))


def test_the_published_copy_has_neither_the_authors_name_nor_phone(client, auth_headers,
                                                                    director, letter):
    response = publish(client, auth_headers, director, letter)
    assert response.status_code == 200
    copy = db.session.scalars(sa.select(LetterPublication)).one()
    published = copy.subject + copy.body + copy.reply
    for private in ("张桂兰", "13812345678", "138 1234 5678", "1234", "501", "3栋"):
        assert private not in published
    assert "油烟" in copy.body and copy.reply == "您好，已经安排处理。"
    assert copy.subject == "【姓名】反映油烟扰民"


def test_the_private_original_is_untouched(client, auth_headers, director, letter):
    publish(client, auth_headers, director, letter)
    first = db.session.scalars(sa.select(LetterMessage).order_by(LetterMessage.id)).first()
    assert first.body == PRIVATE_BODY
    db.session.refresh(letter)
    assert letter.subject == "张桂兰反映油烟扰民"


def test_texts_staff_supply_are_masked_too(client, auth_headers, director, letter):
    response = publish(client, auth_headers, director, letter,
                       body="居民张桂兰（13812345678）反映油烟问题。",
                       reply="已约谈店主，联系人：陈建华。", names_to_mask=["老陈烧烤"])
    assert response.status_code == 200
    assert response.json["body"] == "居民【姓名】（【电话】）反映油烟问题。"
    assert response.json["reply"] == "已约谈店主，联系人：【姓名】。"


def test_staff_can_name_more_people_to_mask(client, auth_headers, director, director_box,
                                            resident):
    letter = LetterFactory(mailbox=director_box, resident=resident, replied=True,
                           consent_to_publish=True, body="隔壁欧阳娜娜家的狗每天叫")
    response = publish(client, auth_headers, director, letter, names_to_mask=["欧阳娜娜"])
    assert response.json["body"] == "隔壁【姓名】家的狗每天叫"


def test_the_draft_shows_the_masked_defaults_before_publishing(client, auth_headers, director,
                                                               letter):
    response = client.get(f"/api/v1/staff/letters/{letter.id}/publication",
                          headers=auth_headers(director))
    assert response.status_code == 200
    assert response.json["published"] is False
    assert "13812345678" not in response.json["body"] and "【电话】" in response.json["body"]
    assert db.session.scalar(sa.select(sa.func.count(LetterPublication.id))) == 0
    assert [e.staff_id for e in audit_entries("letter.view_publication")] == [director.id]


def test_the_public_list_shows_the_copy_without_login_or_identity(client, auth_headers,
                                                                  director, letter, regions):
    publish(client, auth_headers, director, letter)
    response = client.get(f"/api/v1/public-letters?community_id={regions.community.id}")
    assert response.status_code == 200
    [item] = response.json["items"]
    assert item["mailbox"]["name"] == "主任信箱" and item["community"]["name"] == "和平社区"
    assert set(item) == {"id", "community", "mailbox", "subject", "body", "reply", "asked_on",
                         "published_at"}
    text = response.get_data(as_text=True)
    assert "张桂兰" not in text and "138" not in text
    detail = client.get(f"/api/v1/public-letters/{item['id']}")
    assert detail.status_code == 200 and detail.json["body"] == item["body"]


def test_the_public_list_filters_by_community(client, auth_headers, director, letter, regions):
    publish(client, auth_headers, director, letter)
    response = client.get(f"/api/v1/public-letters?community_id={regions.other_community.id}")
    assert response.json["items"] == []


def test_an_unknown_public_letter_is_404(client):
    assert client.get("/api/v1/public-letters/999").status_code == 404


def test_publishing_without_consent_is_409(client, auth_headers, director, director_box,
                                           resident):
    letter = LetterFactory(mailbox=director_box, resident=resident, replied=True)
    response = publish(client, auth_headers, director, letter)
    assert response.status_code == 409
    assert response.json["message"] == "居民没有同意公开这封信"
    assert db.session.scalar(sa.select(sa.func.count(LetterPublication.id))) == 0


def test_publishing_before_a_reply_is_409(client, auth_headers, director, director_box, resident):
    letter = LetterFactory(mailbox=director_box, resident=resident, consent_to_publish=True)
    assert publish(client, auth_headers, director, letter).status_code == 409


def test_handlers_cannot_publish(client, auth_headers, regions, letter):
    handler = StaffFactory(region=regions.community, role=StaffRole.HANDLER)
    assert publish(client, auth_headers, handler, letter).status_code == 403


def test_staff_of_another_community_cannot_publish(client, auth_headers, other_staff, letter):
    assert publish(client, auth_headers, other_staff, letter).status_code == 404


def test_publishing_is_audited_and_the_resident_told_once(client, auth_headers, director,
                                                          letter, resident):
    publish(client, auth_headers, director, letter)
    publish(client, auth_headers, director, letter, reply="更新后的答复")
    assert [e.detail["first_time"] for e in audit_entries("letter.publish")] == [True, False]
    assert [n.resident_id for n in notifications("letter.published")] == [resident.id]
    copy = db.session.scalars(sa.select(LetterPublication)).one()
    assert copy.reply == "更新后的答复"


def test_unpublishing_takes_the_copy_down(client, auth_headers, director, letter):
    publish(client, auth_headers, director, letter)
    response = client.delete(f"/api/v1/staff/letters/{letter.id}/publication",
                             headers=auth_headers(director))
    assert response.status_code == 204
    assert client.get("/api/v1/public-letters").json["items"] == []
    assert [e.object_id for e in audit_entries("letter.unpublish")] == [letter.id]


def test_withdrawn_consent_takes_the_copy_down(client, auth_headers, director, letter, resident):
    publish(client, auth_headers, director, letter)
    client.patch(f"/api/v1/letters/{letter.id}", json={"consent_to_publish": False},
                 headers=auth_headers(resident))
    assert db.session.scalar(sa.select(sa.func.count(LetterPublication.id))) == 0
    assert client.get("/api/v1/public-letters").json["items"] == []


def test_the_resident_sees_that_the_letter_is_published(client, auth_headers, director, letter,
                                                        resident):
    publish(client, auth_headers, director, letter)
    mine = client.get(f"/api/v1/letters/{letter.id}", headers=auth_headers(resident)).json
    assert mine["published"] is True
