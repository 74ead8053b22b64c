"""Uploads owned by an Open311 partner (photos fetched from a media_url), and discarding an
upload a failed filing never used."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.errors import Invalid
from app.extensions import db
from app.uploads import service
from app.uploads.models import Upload
from tests.factories import PartnerFactory, ResidentFactory, StaffFactory, UploadFactory


@pytest.fixture
def partner(regions):
    return PartnerFactory(region=regions.district)


def stored_files(media_root):
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


def test_a_partner_owns_the_photo_it_stores(partner, photo_jpeg, media_root):
    upload = service.store_photo(photo_jpeg, partner=partner).upload
    assert (upload.partner_id, upload.resident_id, upload.staff_id) == (partner.id, None, None)
    assert len(stored_files(media_root)) == 2


def test_the_same_photo_is_one_upload_per_partner(partner, photo_jpeg):
    first = service.store_photo(photo_jpeg, partner=partner).upload
    assert service.store_photo(photo_jpeg, partner=partner).upload.id == first.id


def test_a_photo_with_two_owners_is_a_programming_error(partner, regions, photo_jpeg):
    resident = ResidentFactory(community=regions.community)
    with pytest.raises(ValueError):
        service.store_photo(photo_jpeg, resident=resident, partner=partner)


def test_the_database_refuses_an_upload_with_two_owners(partner, regions):
    staff = StaffFactory(region=regions.community)
    with pytest.raises(IntegrityError):
        UploadFactory(staff_id=staff.id, partner_id=partner.id)
    db.session.rollback()


def test_the_database_refuses_an_upload_without_an_owner(regions):
    with pytest.raises(IntegrityError):
        UploadFactory()
    db.session.rollback()


def test_a_partner_claims_only_its_own_uploads(partner, regions):
    other = PartnerFactory(region=regions.district)
    mine, theirs = UploadFactory(partner_id=partner.id), UploadFactory(partner_id=other.id)
    assert service.claim_uploads([mine.id], partner=partner) == [mine]
    with pytest.raises(Invalid):
        service.claim_uploads([theirs.id], partner=partner)


def test_discarding_an_unclaimed_upload_removes_its_row_and_files(partner, photo_jpeg,
                                                                  media_root):
    upload = service.store_photo(photo_jpeg, partner=partner).upload
    assert service.discard_upload(upload.id) is True
    assert db.session.scalar(sa.select(Upload)) is None
    assert stored_files(media_root) == []


def test_a_claimed_upload_is_never_discarded(partner, photo_jpeg, media_root):
    upload = service.store_photo(photo_jpeg, partner=partner).upload
    service.claim_uploads([upload.id], partner=partner)
    db.session.commit()
    assert service.discard_upload(upload.id) is False
    assert db.session.get(Upload, upload.id) is not None
    assert len(stored_files(media_root)) == 2


def test_discarding_keeps_files_another_owner_shares(partner, regions, photo_jpeg, media_root):
    resident = ResidentFactory(community=regions.community)
    service.store_photo(photo_jpeg, resident=resident)
    upload = service.store_photo(photo_jpeg, partner=partner).upload
    service.discard_upload(upload.id)
    assert len(stored_files(media_root)) == 2
    assert db.session.scalar(sa.select(sa.func.count(Upload.id))) == 1
