"""One's own in-app notifications: the list, opening one (marks it read, goes to its page),
marking all read; nobody else's."""

from __future__ import annotations

import sqlalchemy as sa

from app import clock
from app.extensions import db
from app.notifications.models import Notification
from tests.factories import NotificationFactory


def staff_notice(staff, *, title="新报事", text="和平社区第一网格有新的路灯损坏报事", page="",
                 **values):
    return NotificationFactory(staff_id=staff.id, status="skipped", kind=values.pop(
        "kind", "report.filed"), payload={"title": title, "text": text, "page": page,
                                          "fields": {}}, **values)


def read_at(notification_id):
    db.session.expire_all()
    return db.session.get(Notification, notification_id).read_at


def test_the_list_shows_my_notifications_newest_first(pages, moderator, handler):
    staff_notice(moderator, text="第一条")
    staff_notice(moderator, text="第二条")
    staff_notice(handler, text="别人的通知")
    pages.sign_in(moderator)
    page = pages.get("/staff/notifications").get_data(as_text=True)
    assert page.index("第二条") < page.index("第一条")
    assert "别人的通知" not in page and "共 2 条" in page


def test_the_unread_tab_leaves_out_what_was_read(pages, moderator):
    staff_notice(moderator, text="还没看")
    staff_notice(moderator, text="看过了", read_at=clock.now())
    pages.sign_in(moderator)
    page = pages.get("/staff/notifications?show=unread").get_data(as_text=True)
    assert "还没看" in page and "看过了" not in page


def test_opening_a_report_notification_marks_it_read_and_goes_to_the_report(pages, moderator):
    notice = staff_notice(moderator, page="pages/reports/detail?id=42")
    pages.sign_in(moderator)
    response = pages.post(f"/staff/notifications/{notice.id}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/reports/42"
    assert read_at(notice.id) is not None


def test_opening_a_letter_notification_goes_to_the_staff_page_it_names(pages, moderator):
    notice = staff_notice(moderator, kind="letter.new", page="/staff/letters/7")
    pages.sign_in(moderator)
    response = pages.post(f"/staff/notifications/{notice.id}/open")
    assert response.headers["Location"] == "/staff/letters/7"


def test_a_notification_about_nothing_on_these_pages_is_just_marked_read(pages, moderator):
    notice = staff_notice(moderator, kind="demo.note", page="pages/other/index")
    pages.sign_in(moderator)
    page = pages.get("/staff/notifications").get_data(as_text=True)
    assert "标为已读" in page
    response = pages.post(f"/staff/notifications/{notice.id}/open")
    assert response.headers["Location"] == "/staff/notifications"
    assert read_at(notice.id) is not None


def test_someone_elses_notification_is_404(pages, moderator, handler):
    notice = staff_notice(handler)
    pages.sign_in(moderator)
    assert pages.post(f"/staff/notifications/{notice.id}/open").status_code == 404
    assert read_at(notice.id) is None


def test_marking_all_read_leaves_others_alone(pages, moderator, handler):
    staff_notice(moderator)
    staff_notice(moderator)
    theirs = staff_notice(handler)
    pages.sign_in(moderator)
    response = pages.post("/staff/notifications/read-all", follow=True)
    assert "已将 2 条通知标为已读" in response.get_data(as_text=True)
    unread = db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.read_at.is_(None)))
    assert unread == 1 and read_at(theirs.id) is None


def test_opening_needs_the_csrf_token(pages, moderator):
    notice = staff_notice(moderator)
    pages.sign_in(moderator)
    assert pages.client.post(f"/staff/notifications/{notice.id}/open").status_code == 400
    assert read_at(notice.id) is None
