"""The application shell: configuration, the one error shape, request ids, the OpenAPI document."""

import json
import logging

import pytest
from openapi_spec_validator import validate

from app import create_app
from app.config import ConfigError, load_config


def production_environ(**overrides):
    environ = {
        "LINLI_ENV": "production",
        "SECRET_KEY": "x" * 40,
        "DATABASE_URL": "postgresql://linli@db/linli",
        "REDIS_URL": "redis://redis:6379/0",
        "WECHAT_MP_APP_ID": "wxmp", "WECHAT_MP_SECRET": "s",
        "WECHAT_OA_APP_ID": "wxoa", "WECHAT_OA_SECRET": "s",
        "WECHAT_OA_TOKEN": "t", "WECHAT_OA_AES_KEY": "k" * 43,
        "PUBLIC_BASE_URL": "https://linli.example.gov.cn",
        "NOTIFICATION_TEMPLATES": json.dumps({"report.": {"subscribe": {
            "template_id": "tmpl-report", "fields": {"thing1": "thing"}}}}),
    }
    environ.update(overrides)
    return {k: v for k, v in environ.items() if v is not None}


def test_production_starts_with_complete_settings():
    app = create_app({"ENVIRON": production_environ()})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://linli@db/linli"


@pytest.mark.parametrize("missing, named", [
    ({"SECRET_KEY": None}, "SECRET_KEY"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY"),
    ({"DATABASE_URL": None}, "DATABASE_URL"),
    ({"DATABASE_URL": "sqlite:////srv/linli.db"}, "DATABASE_URL"),
    ({"REDIS_URL": None}, "REDIS_URL"),
    ({"WECHAT_MP_SECRET": None}, "WECHAT_MP_SECRET"),
    ({"WECHAT_OA_AES_KEY": None}, "WECHAT_OA_AES_KEY"),
    ({"WECHAT_API_BASE": "http://127.0.0.1:9"}, "WECHAT_API_BASE"),
    ({"PUBLIC_BASE_URL": None}, "PUBLIC_BASE_URL"),
    ({"OPEN311_MEDIA_ALLOWED_NETWORKS": "127.0.0.1/32"}, "OPEN311_MEDIA_ALLOWED_NETWORKS"),
])
def test_production_refuses_to_start_and_names_what_is_missing(missing, named):
    with pytest.raises(ConfigError) as excinfo:
        create_app({"ENVIRON": production_environ(**missing)})
    assert named in str(excinfo.value)


def test_open311_media_networks_are_read_as_checked_cidrs():
    config = load_config({"OPEN311_MEDIA_ALLOWED_NETWORKS": " 127.0.0.1/32, ::1/128 ,"})
    assert config["OPEN311_MEDIA_ALLOWED_NETWORKS"] == ["127.0.0.1/32", "::1/128"]
    with pytest.raises(ConfigError, match="OPEN311_MEDIA_ALLOWED_NETWORKS"):
        load_config({"OPEN311_MEDIA_ALLOWED_NETWORKS": "localhost"})


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError, match="LINLI_ENV"):
        load_config({"LINLI_ENV": "staging"})


def test_development_defaults_to_sqlite_and_inline_jobs(tmp_path):
    config = load_config({}, instance_path=str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'linli.db'}"
    assert config["REDIS_URL"] is None
    assert config["LINLI_ENV"] == "development"


def test_unknown_url_gets_404_in_the_error_shape(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json == {"code": 404, "status": "Not Found", "message": "找不到该内容",
                             "errors": {}}


def test_wrong_method_gets_405_with_allow_header(client):
    response = client.delete("/api/v1/categories")
    assert response.status_code == 405
    assert response.json["message"] == "不支持该请求方式"
    assert "GET" in response.headers["Allow"]


def test_body_over_the_limit_gets_413(client, app):
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json["code"] == 413
    assert response.json["message"] == "上传的内容太大了"


def test_malformed_json_gets_400_in_chinese(client):
    response = client.post("/api/v1/auth/login", data="{not json",
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json["message"] == "请求内容不是有效的 JSON"


def test_wrong_types_and_unknown_fields_get_422_with_chinese_field_messages(client):
    response = client.post("/api/v1/auth/login", json={"code": 12, "extra": True})
    assert response.status_code == 422
    assert response.json["errors"] == {"code": ["应为文字"], "extra": ["不认识的字段"]}


def test_missing_body_gets_422_naming_the_required_field(client):
    response = client.post("/api/v1/auth/login")
    assert response.status_code == 422
    assert response.json["errors"] == {"code": ["此项必填"]}


def test_non_object_json_gets_422(client):
    response = client.post("/api/v1/auth/login", json=["code"])
    assert response.status_code == 422
    assert response.json["errors"] == {"_schema": ["请求内容应为 JSON 对象"]}


def test_unexpected_exception_is_logged_with_request_id_and_answered_without_traceback(
        test_environ, caplog):
    app = create_app({"ENVIRON": test_environ})

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/api/v1/boom", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert response.json["code"] == 500
    assert "req-42" in response.json["message"]
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert response.headers["X-Request-ID"] == "req-42"
    record = next(r for r in caplog.records if "req-42" in r.getMessage())
    assert record.exc_info[1].args == ("secret internals",)


def test_every_response_carries_a_request_id(client):
    assert len(client.get("/api/v1/categories").headers["X-Request-ID"]) == 16


def test_openapi_document_is_valid_openapi_3(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    validate(response.json)
    assert response.json["openapi"].startswith("3.")


def test_openapi_document_lists_every_api_route(app, client):
    documented = client.get("/api/openapi.json").json["paths"]
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            assert path in documented, f"{rule.rule} missing from the OpenAPI document"
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert method.lower() in documented[path], f"{method} {rule.rule} undocumented"
