"""Proposal settings are checked at start-up; every proposal endpoint is in the OpenAPI document."""

import pytest

from app.config import ConfigError, load_config

PATHS = {
    "/api/v1/proposals": {"get", "post"},
    "/api/v1/proposals/scopes": {"get"},
    "/api/v1/proposals/{proposal_id}": {"get", "patch"},
    "/api/v1/proposals/{proposal_id}/submit": {"post"},
    "/api/v1/proposals/{proposal_id}/withdraw": {"post"},
    "/api/v1/proposals/{proposal_id}/support": {"post", "delete"},
    "/api/v1/proposals/{proposal_id}/comments": {"get", "post"},
    "/api/v1/proposals/{proposal_id}/flag": {"post"},
    "/api/v1/proposals/{proposal_id}/rating": {"post"},
    "/api/v1/comments/{comment_id}/flag": {"post"},
    "/api/v1/staff/proposals": {"get"},
    "/api/v1/staff/proposals/review-queue": {"get"},
    "/api/v1/staff/proposals/flagged": {"get"},
    "/api/v1/staff/proposals/{proposal_id}": {"get"},
    "/api/v1/staff/proposals/{proposal_id}/comments": {"get"},
    "/api/v1/staff/proposals/{proposal_id}/approve": {"post"},
    "/api/v1/staff/proposals/{proposal_id}/reject": {"post"},
    "/api/v1/staff/proposals/{proposal_id}/answer": {"post"},
    "/api/v1/staff/proposals/{proposal_id}/progress": {"post"},
    "/api/v1/staff/proposals/{proposal_id}/complete": {"post"},
    "/api/v1/staff/proposals/{proposal_id}/escalate": {"post"},
    "/api/v1/staff/proposals/{proposal_id}/moderation": {"post"},
    "/api/v1/staff/proposals/comments/{comment_id}/moderation": {"post"},
}


def test_every_proposal_endpoint_is_documented_with_its_security(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path, methods in PATHS.items():
        assert path in paths, path
        assert set(paths[path]) >= methods, path
        for method in methods:
            assert paths[path][method]["security"] == [{"bearer": []}], (method, path)


def test_proposal_rules_default_per_scope_level():
    config = load_config({})
    assert [config[f"PROPOSAL_{level}_SUPPORTS"] for level in ("COURTYARD", "COMMUNITY", "STREET")] \
        == [10, 30, 100]
    assert config["PROPOSAL_STREET_DAYS"] == 45 and config["MODERATION_HIDE_AFTER_FLAGS"] == 3


@pytest.mark.parametrize("name, value", [("PROPOSAL_STREET_VERIFICATION", "3"),
                                         ("PROPOSAL_COURTYARD_SUPPORTS", "0"),
                                         ("PROPOSAL_COMMUNITY_DAYS", "thirty")])
def test_impossible_proposal_rules_refuse_to_start(name, value):
    with pytest.raises(ConfigError, match=name.rsplit("_", 1)[0]):
        load_config({name: value})
