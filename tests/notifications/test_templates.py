"""The templates configuration: read, validated (strictly in production), looked up, rendered."""

import json
from datetime import UTC, datetime

import pytest

from app import create_app
from app.config import EXAMPLE_NOTIFICATION_TEMPLATES, ConfigError, load_config
from app.notifications.templates import (
    production_problems,
    render_data,
    spec_for,
    template_problems,
)
from app.wechat.limits import TemplateValueError
from tests.test_app import production_environ

VALID = {"report.": {"subscribe": {"template_id": "tmpl-1", "fields": {"thing1": "thing"}}}}


def test_the_example_file_is_valid():
    mapping = json.loads(EXAMPLE_NOTIFICATION_TEMPLATES.read_text(encoding="utf-8"))
    assert template_problems(mapping) == []
    assert {"report.", "proposal.", "poll.", "letter."} <= set(mapping)


def test_development_reads_the_example_file_by_default(tmp_path):
    config = load_config({}, instance_path=str(tmp_path))
    assert config["NOTIFICATION_TEMPLATES"]["report."]["subscribe"]["template_id"] == \
        "EXAMPLE-mp-report-progress"


def test_templates_can_come_from_a_file(tmp_path):
    path = tmp_path / "templates.json"
    path.write_text(json.dumps(VALID), encoding="utf-8")
    config = load_config({"NOTIFICATION_TEMPLATES_FILE": str(path)})
    assert config["NOTIFICATION_TEMPLATES"] == VALID


def test_templates_can_come_from_the_environment():
    config = load_config({"NOTIFICATION_TEMPLATES": json.dumps(VALID)})
    assert config["NOTIFICATION_TEMPLATES"] == VALID


@pytest.mark.parametrize("environ, message", [
    ({"NOTIFICATION_TEMPLATES": "{not json"}, "not valid JSON"),
    ({"NOTIFICATION_TEMPLATES_FILE": "/nonexistent/templates.json"}, "cannot read"),
    ({"NOTIFICATION_TEMPLATES": "{}", "NOTIFICATION_TEMPLATES_FILE": "x.json"}, "not both"),
    ({"NOTIFICATION_TEMPLATES": '{"report.": {"sms": {}}}'}, "unknown channel"),
])
def test_unusable_templates_settings_are_refused_in_every_environment(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_config(environ)


@pytest.mark.parametrize("mapping, problem", [
    ([], "JSON object"),
    ({"report.": {}}, "non-empty object of channels"),
    ({"report.": {"template": {"fields": {"thing1": "thing"}}}}, "template_id"),
    ({"report.": {"template": {"template_id": "t", "fields": {}}}}, "fields must map"),
    ({"report.": {"subscribe": {"template_id": "t", "fields": {"keyword1": "thing"}}}},
     "no known type"),
    ({"report.": {"template": {"template_id": "t", "fields": {"thing1": 3}}}}, "source of"),
    ({"report.": {"template": {"template_id": "t", "fields": {"thing1": []}}}}, "source of"),
    ({"report.": {"template": {"template_id": "t", "fields": {"k": "x"}, "colour": "red"}}},
     "unknown keys"),
    ({"report.": {"template": {"template_id": "t", "fields": {"k": "x"}, "page": 5}}},
     "page must be a string"),
])
def test_template_problems_are_named(mapping, problem):
    problems = template_problems(mapping)
    assert any(problem in p for p in problems), problems


def test_untyped_keys_are_allowed_in_official_account_templates():
    mapping = {"report.": {"template": {"template_id": "t",
                                        "fields": {"first": "title", "keyword1": "number"}}}}
    assert template_problems(mapping) == []


def test_production_refuses_to_start_without_templates():
    with pytest.raises(ConfigError, match="NOTIFICATION_TEMPLATES_FILE or NOTIFICATION_TEMPLATES"):
        create_app({"ENVIRON": production_environ(NOTIFICATION_TEMPLATES=None)})


def test_production_refuses_the_example_template_ids():
    environ = production_environ(NOTIFICATION_TEMPLATES_FILE=str(EXAMPLE_NOTIFICATION_TEMPLATES),
                                 NOTIFICATION_TEMPLATES=None)
    with pytest.raises(ConfigError, match="example template ids EXAMPLE-mp-letter-reply"):
        create_app({"ENVIRON": environ})


def test_production_accepts_real_template_ids():
    assert production_problems(VALID) == []


# --- lookup and rendering -------------------------------------------------------------------------

MAPPING = {
    "report.": {"subscribe": {"template_id": "report-any", "fields": {"thing1": "thing"}},
                "template": {"template_id": "report-oa", "fields": {"thing1": "thing"}}},
    "report.rejected": {"subscribe": {"template_id": "report-rejected",
                                      "fields": {"thing1": "thing"}}},
    "report.rejected.": {"template": {"template_id": "never", "fields": {"thing1": "thing"}}},
}


def test_the_exact_kind_wins_over_a_prefix():
    assert spec_for(MAPPING, "report.rejected", "subscribe")["template_id"] == "report-rejected"


def test_a_channel_missing_on_the_exact_kind_comes_from_the_prefix():
    assert spec_for(MAPPING, "report.rejected", "template")["template_id"] == "report-oa"


def test_a_kind_without_templates_has_none():
    assert spec_for(MAPPING, "poll.closed", "subscribe") is None
    assert spec_for(MAPPING, "reports.accepted", "subscribe") is None
    assert spec_for({}, "report.accepted", "subscribe") is None


SPEC = {"template_id": "t", "fields": {"character_string1": "number",
                                       "thing2": ["thing", "title"],
                                       "phrase3": ["phrase", "status"],
                                       "time4": ["time", "created_at"],
                                       "thing5": "text"}}
CREATED = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)


def test_values_come_from_fields_then_title_text_and_created_at():
    payload = {"title": "报事已受理", "text": "已派网格员处理", "fields": {"number": "SSP-7",
                                                                    "status": "已受理"}}
    assert render_data(SPEC, payload, CREATED) == {
        "character_string1": "SSP-7", "thing2": "报事已受理", "phrase3": "已受理",
        "time4": "2026年11月24日 09:30", "thing5": "已派网格员处理"}


def test_a_missing_value_is_an_error_naming_the_key():
    with pytest.raises(TemplateValueError, match="character_string1"):
        render_data(SPEC, {"title": "t", "text": "x", "fields": {"phrase": "已受理"}}, CREATED)
