"""Administration of the region tree: the subtree only; edit, add, import; audit-logged."""

from __future__ import annotations

import io
import json

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from app.regions.models import Region

SQUARE = {"type": "Polygon", "coordinates": [[[104.080, 30.650], [104.083, 30.650],
                                              [104.083, 30.653], [104.080, 30.653],
                                              [104.080, 30.650]]]}


def region_by_code(code: str) -> Region | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Region).where(Region.code == code))


def audit_actions() -> list[str]:
    return db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.action.startswith("region.")).order_by(AuditEntry.id)).all()


def upload(nodes, name="regions.json") -> tuple:
    return (io.BytesIO(json.dumps(nodes, ensure_ascii=False).encode("utf-8")), name)


def test_the_tree_shows_the_admins_subtree_only(pages, regions, admin):
    pages.sign_in(admin)
    page = pages.get("/staff/admin/regions").get_data(as_text=True)
    assert "和平社区第一网格" in page and "和平里院落" in page
    assert "桂花巷社区" not in page and "书院街街道" not in page


def test_only_admins_open_the_region_pages(pages, regions, moderator):
    pages.sign_in(moderator)
    assert pages.get("/staff/admin/regions").status_code == 403
    assert pages.get(f"/staff/admin/regions/{regions.grid.id}").status_code == 403


def test_an_admin_edits_a_grid_and_it_is_audited(pages, regions, admin):
    pages.sign_in(admin)
    response = pages.post(f"/staff/admin/regions/{regions.grid.id}", {
        "name": "和平一网格", "contact_phone": "13800001111", "office_hours": "每天 8:00-20:00",
        "boundary": json.dumps(SQUARE)})
    assert response.status_code == 302
    grid = region_by_code("jj-syj-hp-g1")
    assert (grid.name, grid.contact_phone, grid.office_hours) == (
        "和平一网格", "13800001111", "每天 8:00-20:00")
    assert grid.boundary == SQUARE and grid.max_lat == 30.653
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "region.update"))
    assert entry.detail == {"changed": ["boundary", "contact_phone", "name", "office_hours"]}
    assert (entry.staff_id, entry.region_id) == (admin.id, grid.id)


def test_the_edit_form_shows_the_stored_boundary_as_json(pages, regions, admin):
    pages.sign_in(admin)
    page = pages.get(f"/staff/admin/regions/{regions.grid.id}").get_data(as_text=True)
    assert "&#34;Polygon&#34;" in page or "&quot;Polygon&quot;" in page


def test_an_empty_boundary_clears_it(pages, regions, admin):
    pages.sign_in(admin)
    pages.post(f"/staff/admin/regions/{regions.grid.id}", {"name": "和平社区第一网格",
                                                          "boundary": ""})
    grid = region_by_code("jj-syj-hp-g1")
    assert grid.boundary is None and grid.min_lat is None


def test_a_boundary_that_is_not_json_is_refused_beside_the_field(pages, regions, admin):
    pages.sign_in(admin)
    response = pages.post(f"/staff/admin/regions/{regions.grid.id}",
                          {"name": "新名字", "boundary": "{not json"})
    assert response.status_code == 422
    assert "不是有效的 JSON" in response.get_data(as_text=True)
    assert region_by_code("jj-syj-hp-g1").name == "和平社区第一网格"


def test_a_boundary_that_is_not_a_polygon_is_refused(pages, regions, admin):
    pages.sign_in(admin)
    response = pages.post(f"/staff/admin/regions/{regions.grid.id}", {
        "name": "新名字", "boundary": json.dumps({"type": "Point", "coordinates": [104, 30]})})
    assert response.status_code == 422
    assert region_by_code("jj-syj-hp-g1").name == "和平社区第一网格"
    assert audit_actions() == []


def test_a_region_outside_the_subtree_is_404(pages, regions, admin):
    pages.sign_in(admin)
    assert pages.get(f"/staff/admin/regions/{regions.other_grid.id}").status_code == 404
    assert pages.get(f"/staff/admin/regions/{regions.street.id}").status_code == 404
    response = pages.post(f"/staff/admin/regions/{regions.other_grid.id}", {"name": "改名"})
    assert response.status_code == 404
    assert region_by_code("jj-syj-ghx-g1").name == "桂花巷社区第一网格"


def test_an_admin_adds_a_grid_under_a_community(pages, regions, admin):
    pages.sign_in(admin)
    response = pages.post(f"/staff/admin/regions/{regions.community.id}/children", {
        "child-level": "grid", "child-name": "和平社区第三网格", "child-code": "jj-syj-hp-g3"})
    assert response.status_code == 302
    grid = region_by_code("jj-syj-hp-g3")
    assert grid.parent_id == regions.community.id and grid.path.startswith(regions.community.path)
    assert audit_actions() == ["region.create"]


def test_a_used_code_is_refused_for_a_new_region(pages, regions, admin):
    pages.sign_in(admin)
    response = pages.post(f"/staff/admin/regions/{regions.community.id}/children", {
        "child-level": "grid", "child-name": "重复", "child-code": "jj-syj-ghx-g1"})
    assert response.status_code == 422
    assert "该编码已被使用" in response.get_data(as_text=True)


def test_nothing_can_be_added_under_a_grid(pages, regions, admin):
    pages.sign_in(admin)
    response = pages.post(f"/staff/admin/regions/{regions.grid.id}/children", {
        "child-level": "grid", "child-name": "子网格", "child-code": "x1"})
    assert response.status_code == 422
    assert region_by_code("x1") is None


def test_a_street_cannot_be_added_under_a_community(pages, regions, admin):
    pages.sign_in(admin)
    response = pages.post(f"/staff/admin/regions/{regions.community.id}/children", {
        "child-level": "street", "child-name": "街道", "child-code": "x2"})
    assert response.status_code == 422
    assert region_by_code("x2") is None


def test_an_admin_imports_grids_under_a_community_in_scope(pages, regions, admin):
    nodes = [{"name": "和平社区第三网格", "level": "grid", "code": "jj-syj-hp-g3",
              "boundary": SQUARE},
             {"name": "锦华苑院落", "level": "courtyard", "code": "jj-syj-hp-y2"}]
    pages.sign_in(admin)
    response = pages.post("/staff/admin/regions/import", {
        "import-parent_id": str(regions.community.id), "import-file": upload(nodes)},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert "已导入 2 个区域" in pages.get("/staff/admin/regions").get_data(as_text=True)
    assert region_by_code("jj-syj-hp-g3").parent_id == regions.community.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "region.import"))
    assert entry.detail == {"count": 2} and entry.region_id == regions.community.id


def test_importing_the_same_file_twice_creates_nothing_new(pages, regions, admin):
    nodes = [{"name": "和平社区第三网格", "level": "grid", "code": "jj-syj-hp-g3"}]
    pages.sign_in(admin)
    for _ in range(2):
        pages.post("/staff/admin/regions/import", {
            "import-parent_id": str(regions.community.id), "import-file": upload(nodes)},
            content_type="multipart/form-data")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Region).where(
        Region.code == "jj-syj-hp-g3")) == 1


def test_importing_under_a_region_outside_scope_is_refused(pages, regions, admin):
    nodes = [{"name": "外来网格", "level": "grid", "code": "x-g"}]
    pages.sign_in(admin)
    response = pages.post("/staff/admin/regions/import", {
        "import-parent_id": str(regions.other_community.id), "import-file": upload(nodes)},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert region_by_code("x-g") is None


def test_an_import_that_would_move_a_region_from_elsewhere_keeps_nothing(pages, regions, admin):
    nodes = [{"name": "新网格", "level": "grid", "code": "jj-syj-hp-g9"},
             {"name": "桂花巷社区第一网格", "level": "grid", "code": "jj-syj-ghx-g1"}]
    pages.sign_in(admin)
    response = pages.post("/staff/admin/regions/import", {
        "import-parent_id": str(regions.community.id), "import-file": upload(nodes)},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "已存在" in response.get_data(as_text=True)
    assert region_by_code("jj-syj-hp-g9") is None
    assert region_by_code("jj-syj-ghx-g1").parent_id == regions.other_community.id


def test_a_file_that_is_not_json_is_refused(pages, regions, admin):
    pages.sign_in(admin)
    response = pages.post("/staff/admin/regions/import", {
        "import-parent_id": str(regions.community.id),
        "import-file": (io.BytesIO(b"\xff\xfe not json"), "regions.json")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "不是有效的 JSON" in response.get_data(as_text=True)


def test_a_json_file_that_is_not_a_list_is_refused(pages, regions, admin):
    pages.sign_in(admin)
    response = pages.post("/staff/admin/regions/import", {
        "import-parent_id": str(regions.community.id),
        "import-file": upload({"name": "x"})}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "JSON 数组" in response.get_data(as_text=True)


def test_a_file_of_another_type_is_refused(pages, regions, admin):
    pages.sign_in(admin)
    response = pages.post("/staff/admin/regions/import", {
        "import-parent_id": str(regions.community.id),
        "import-file": upload([], name="regions.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "请选择 .json 文件" in response.get_data(as_text=True)
