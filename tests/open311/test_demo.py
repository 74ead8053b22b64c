"""`flask demo seed` shows Open311: a partner with a working key and a case it handed over."""

import re
from types import SimpleNamespace

from tests.open311.helpers import check, filing, get_both, post_request


def test_demo_seed_prints_a_partner_key_that_files(runner, client):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    api_key = re.search(r"Open311 key of 锦江区12345热线平台: (\S+)", result.output).group(1)
    demo_grid = SimpleNamespace(point_in_grid=(30.6541, 104.0823))  # 和平社区第一网格
    check(post_request(client, **filing(demo_grid, api_key=api_key)), "json",
          "post_request_response")


def test_demo_seed_shows_a_handed_over_case_being_handled(runner, client):
    runner.invoke(args=["demo", "seed"])
    (case,) = [r for r in get_both(client, "requests", "requests", params={"service_code": "road"})
               if r["description"].startswith("市民来电")]
    assert case["status_notes"] == "已派单：请今天先设置警示标志"
    assert "是否已影响行人或车辆安全？：是，需要尽快设置警示" in case["description"]


def test_demo_categories_are_services_with_groups_and_questions(runner, client):
    runner.invoke(args=["demo", "seed"])
    services = {s["service_code"]: s for s in get_both(client, "services", "services")}
    assert (services["road"]["metadata"], services["road"]["group"]) == (True, "市政设施")
    definition = get_both(client, "services/noise", "service_definition")
    assert definition["attributes"][0]["datatype"] == "multivaluelist"
