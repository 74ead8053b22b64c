"""The region tree: nesting rules, routing a point to its grid, the picker API, import."""

import json

import pytest

from app.errors import Invalid
from app.extensions import db
from app.regions import service
from app.regions.models import Region


def test_paths_make_subtrees(regions):
    assert regions.grid.path == f"{regions.community.path}{regions.grid.id}/"
    assert regions.district.contains(regions.grid)
    assert not regions.community.contains(regions.other_grid)


def test_subtree_query_returns_the_region_and_its_descendants(regions):
    ids = set(db.session.scalars(service.subtree_ids(regions.community)))
    assert ids == {regions.community.id, regions.grid.id, regions.grid2.id, regions.courtyard.id}


def test_a_community_must_hang_under_a_street(regions):
    with pytest.raises(Invalid, match="社区的上级应为街道"):
        service.create_region(name="错层社区", level="community", code="x", parent=regions.district)


def test_a_district_has_no_parent(regions):
    with pytest.raises(Invalid):
        service.create_region(name="区", level="district", code="x2", parent=regions.street)


@pytest.mark.parametrize("point, grid_name", [
    ((30.654, 104.082), "和平社区第一网格"),
    ((30.654, 104.088), "和平社区第二网格"),
    ((30.654, 104.095), "桂花巷社区第一网格"),
])
def test_a_point_is_routed_to_the_grid_containing_it(regions, point, grid_name):
    assert service.find_grid(*point).name == grid_name


def test_a_point_outside_every_grid_finds_none(regions):
    assert service.find_grid(30.70, 104.20) is None


def test_grid_search_can_be_limited_to_a_subtree(regions):
    assert service.find_grid(30.654, 104.095, within=regions.community) is None


def test_polygon_holes_are_outside(regions):
    hole = [[104.0810, 30.6510], [104.0820, 30.6510], [104.0820, 30.6520],
            [104.0810, 30.6520], [104.0810, 30.6510]]
    service.set_boundary(regions.grid, {
        "type": "Polygon",
        "coordinates": [regions.grid.boundary["coordinates"][0], hole]})
    db.session.commit()
    assert service.find_grid(30.6515, 104.0815) is None
    assert service.find_grid(30.6530, 104.0815) == regions.grid


def test_a_malformed_boundary_is_refused(regions):
    with pytest.raises(Invalid, match="边界"):
        service.set_boundary(regions.grid, {"type": "Point", "coordinates": [104.0, 30.0]})


def test_region_api_returns_the_tree_without_grids(client, regions):
    response = client.get("/api/v1/regions")
    assert response.status_code == 200
    [district] = response.json["regions"]
    assert district["name"] == "锦江区"
    street = district["children"][0]
    community = street["children"][0]
    assert community == {
        "id": regions.community.id, "name": "和平社区", "level": "community",
        "level_label": "社区", "code": "jj-syj-hp",
        "children": [{"id": regions.courtyard.id, "name": "和平里院落", "level": "courtyard",
                      "level_label": "院落", "code": "jj-syj-hp-y1", "children": []}],
    }


def _tree_file(tmp_dir, tree):
    path = tmp_dir / "regions.json"
    path.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    return str(path)


TREE = {"name": "武侯区", "level": "district", "code": "wh", "children": [
    {"name": "玉林街道", "level": "street", "code": "wh-yl", "children": [
        {"name": "玉林北路社区", "level": "community", "code": "wh-yl-bl", "children": [
            {"name": "一网格", "level": "grid", "code": "wh-yl-bl-1", "boundary": {
                "type": "Polygon", "coordinates": [[[104.05, 30.62], [104.06, 30.62],
                                                    [104.06, 30.63], [104.05, 30.62]]]}}]}]}]}


def test_regions_import_command_loads_a_tree(runner, tmp_dir):
    result = runner.invoke(args=["regions", "import", _tree_file(tmp_dir, TREE)])
    assert result.exit_code == 0, result.output
    assert "imported 4 regions" in result.output
    grid = db.session.query(Region).filter_by(code="wh-yl-bl-1").one()
    assert grid.parent.parent.name == "玉林街道"


def test_importing_the_same_file_twice_creates_nothing_new(runner, tmp_dir):
    path = _tree_file(tmp_dir, TREE)
    runner.invoke(args=["regions", "import", path])
    runner.invoke(args=["regions", "import", path])
    assert db.session.query(Region).count() == 4


def test_import_refuses_a_level_that_does_not_nest(runner, tmp_dir):
    bad = {"name": "区", "level": "district", "code": "d", "children": [
        {"name": "网格", "level": "grid", "code": "g"}]}
    result = runner.invoke(args=["regions", "import", _tree_file(tmp_dir, bad)])
    assert result.exit_code != 0
    assert "网格的上级应为社区" in result.output
    assert db.session.query(Region).count() == 0
