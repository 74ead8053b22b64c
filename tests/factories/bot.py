"""Factories for the bot's own rows."""

from __future__ import annotations

import factory

from bot.models import CallbackRequest, CallbackStatus
from tests.factories.core import ResidentFactory, _Base


class CallbackRequestFactory(_Base):
    class Meta:
        model = CallbackRequest

    resident = factory.LazyAttribute(lambda o: ResidentFactory(community=o.region))
    region = None
    phone = factory.Sequence(lambda n: f"1380013{n:04d}")
    note = "楼道灯坏了"
    status = CallbackStatus.OPEN.value

    class Params:
        done = factory.Trait(status=CallbackStatus.DONE.value)
