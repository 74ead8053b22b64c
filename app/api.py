"""The resident/staff JSON API shell: flask-smorest wired to our error shape and messages."""

from __future__ import annotations

import flask_smorest
import marshmallow as ma
from flask_smorest import abort as smorest_abort
from webargs.flaskparser import FlaskParser

from app.validation import StrictInteger


class ErrorSchema(ma.Schema):
    """The one error shape (DESIGN §5), documented for every endpoint."""

    code = StrictInteger(metadata={"description": "HTTP status"})
    status = ma.fields.String(metadata={"description": "HTTP reason phrase"})
    message = ma.fields.String(metadata={"description": "给用户看的中文说明"})
    errors = ma.fields.Dict(metadata={"description": "字段 → 错误信息列表"})


class LinliParser(FlaskParser):
    """webargs parser whose own messages are Chinese too."""

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        smorest_abort(400, message="请求内容不是有效的 JSON", errors={"_schema": ["JSON 格式错误"]})


class Blueprint(flask_smorest.Blueprint):
    """Every API blueprint: arguments parsed with our Chinese-speaking parser."""

    ARGUMENTS_PARSER = LinliParser()


class LinliApi(flask_smorest.Api):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        from app.errors import http_error_response

        return http_error_response(error)

    def _register_error_handlers(self):
        # create_app() registers the handlers for the whole app (API, bot, staff pages).
        pass
