"""Factories for Open311 partners: PartnerFactory(region=..., key="o311_...") knows its key."""

from __future__ import annotations

import factory

from app import clock
from app.open311.models import Filing, Partner
from app.open311.service import hash_key
from tests.factories.core import _Base


class PartnerFactory(_Base):
    """A partner whose API key is `key` (only its hash is stored, as in production)."""

    class Meta:
        model = Partner
        exclude = ("key",)

    key = factory.Sequence(lambda n: f"o311_test-key-{n:04d}-0123456789abcdefghijklmnop")
    name = factory.Sequence(lambda n: f"12345热线平台{n}")
    contact = "对接人 李工 028-12345000"
    region = None
    key_hash = factory.LazyAttribute(lambda o: hash_key(o.key))
    key_prefix = factory.LazyAttribute(lambda o: o.key[:10])
    active = True
    rate_limit_per_minute = 60
    created_at = factory.LazyFunction(lambda: clock.now())

    class Params:
        revoked = factory.Trait(active=False, revoked_at=factory.LazyFunction(lambda: clock.now()))


class FilingFactory(_Base):
    """FilingFactory(partner=..., report=...): the partner filed the report."""

    class Meta:
        model = Filing
        exclude = ("partner", "report")

    partner = None
    partner_id = factory.LazyAttribute(lambda o: o.partner.id)
    report = None
    report_id = factory.LazyAttribute(lambda o: o.report.id)
    address_only = False
    created_at = factory.LazyFunction(lambda: clock.now())
