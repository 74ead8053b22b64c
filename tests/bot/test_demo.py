"""The demo community shows the bot's side too."""

import sqlalchemy as sa

from app.accounts.models import Staff
from app.demo import seed
from app.extensions import db
from bot import service


def test_demo_moderator_has_the_elderly_followers_callback_request_to_work_off():
    seed()
    moderator = db.session.scalar(sa.select(Staff).where(Staff.username == "moderator"))

    [request] = db.session.scalars(service.callbacks_for_staff_query(moderator, "open")).all()

    assert request.resident.nickname == "王奶奶"
    assert request.resident.elder_mode is True and request.resident.mp_openid is None
