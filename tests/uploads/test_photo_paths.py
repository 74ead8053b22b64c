"""Photo addresses for the staff pages: paths on this site, the same renditions as the API's."""

from app.uploads import photo_paths, photo_urls
from tests.factories import StaffFactory, UploadFactory


def test_photo_paths_are_the_api_urls_without_the_public_base(app, regions):
    upload = UploadFactory(staff_id=StaffFactory(region=regions.grid).id, sha256="ab" * 32)
    paths = photo_paths(upload)
    assert paths == {"url": f"/media/ab/ab/{'ab' * 32}-web.jpg",
                     "thumbnail_url": f"/media/ab/ab/{'ab' * 32}-thumbnail.jpg"}
    urls = photo_urls(upload)
    assert urls["url"] == app.config["PUBLIC_BASE_URL"] + paths["url"]
    assert urls["thumbnail_url"] == app.config["PUBLIC_BASE_URL"] + paths["thumbnail_url"]
