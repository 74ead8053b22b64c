"""GET /api/v1/categories."""

from tests.factories import CategoryFactory


def test_lists_active_categories_in_their_order(client):
    CategoryFactory(code="garbage", name="垃圾堆放", sort_order=2, response_sla_hours=12,
                    completion_sla_hours=48)
    CategoryFactory(code="streetlight", name="路灯损坏", sort_order=1)
    CategoryFactory(code="retired", name="旧类别", active=False)
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    assert [c["code"] for c in response.json["categories"]] == ["streetlight", "garbage"]
    assert response.json["categories"][1] == {
        "code": "garbage", "name": "垃圾堆放", "description": "",
        "response_sla_hours": 12, "completion_sla_hours": 48}
