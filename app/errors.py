"""The one error shape, and the exceptions services raise to produce it.

Every JSON error is `{"code", "status", "message", "errors"}` (DESIGN §5). Services raise
`ServiceError` subclasses carrying a Chinese message; the API, the staff pages and the bot each
turn them into their own kind of answer, so the same rule reads the same everywhere.
"""

from __future__ import annotations

import logging
import uuid

from flask import Flask, g, has_request_context, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger(__name__)

DEFAULT_MESSAGES = {
    400: "请求格式不正确",
    401: "请先登录",
    403: "没有权限进行此操作",
    404: "找不到该内容",
    405: "不支持该请求方式",
    409: "当前状态不允许此操作",
    413: "上传的内容太大了",
    415: "不支持该内容类型",
    422: "填写的内容有误，请检查后再提交",
    429: "操作太频繁了，请稍后再试",
    500: "服务器开小差了，请稍后再试",
    503: "服务暂时不可用，请稍后再试",
}


class ServiceError(Exception):
    """A rule said no. `message` is shown to the person who asked, in Chinese."""

    code = 400

    def __init__(self, message: str | None = None, *, errors: dict | None = None,
                 headers: dict | None = None):
        self.message = message or DEFAULT_MESSAGES.get(self.code, "")
        self.errors = errors or {}
        self.headers = headers or {}
        super().__init__(self.message)


class BadRequest(ServiceError):
    code = 400


class Unauthorized(ServiceError):
    code = 401


class Forbidden(ServiceError):
    code = 403


class NotFound(ServiceError):
    code = 404


class Conflict(ServiceError):
    code = 409


class PayloadTooLarge(ServiceError):
    code = 413


class Invalid(ServiceError):
    """Input that parsed but breaks a rule; `errors` maps field names to messages."""

    code = 422


class RateLimited(ServiceError):
    code = 429


class Unavailable(ServiceError):
    """Something we depend on (WeChat, storage) is down; the caller may try again later."""

    code = 503


def error_payload(code: int, message: str | None = None, errors: dict | None = None) -> dict:
    return {
        "code": code,
        "status": HTTP_STATUS_CODES.get(code, "Error"),
        "message": message or DEFAULT_MESSAGES.get(code, HTTP_STATUS_CODES.get(code, "")),
        "errors": errors or {},
    }


def request_id() -> str:
    """The id of the current request, also sent back as the X-Request-ID header."""
    if not has_request_context():
        return "-"
    if "request_id" not in g:
        supplied = request.headers.get("X-Request-ID", "")
        ok = 0 < len(supplied) <= 64 and all(c.isalnum() or c in "-_" for c in supplied)
        g.request_id = supplied if ok else uuid.uuid4().hex[:16]
    return g.request_id


def _flatten_webargs_messages(messages) -> dict:
    """webargs nests errors by location ({"json": {...}}); residents only care about fields."""
    if not isinstance(messages, dict):
        return {"_schema": messages}
    flat: dict = {}
    for location, value in messages.items():
        if location in ("json", "query", "querystring", "form", "files", "view_args", "path",
                        "headers", "json_or_form") and isinstance(value, dict):
            flat.update(value)
        elif location in ("json", "query", "querystring", "form", "files") and isinstance(value, list):
            flat.setdefault("_schema", []).extend(value)
        else:
            flat[location] = value
    return flat


def _wants_html() -> bool:
    return has_request_context() and request.path.startswith("/staff")


def _render(code: int, message: str | None, errors: dict | None, headers: dict | None = None):
    if _wants_html():
        body = render_template("staff/error.html", code=code,
                               message=message or DEFAULT_MESSAGES.get(code, ""))
        return body, code, headers or {}
    response = jsonify(error_payload(code, message, errors))
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_error_response(error: HTTPException):
    """Render any HTTPException (abort(), routing errors, webargs validation) in our shape."""
    if isinstance(error, InternalServerError):
        return unexpected_error_response(error.original_exception or error)
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    message = data.get("message")
    errors = data.get("errors")
    if errors is None and "messages" in data:
        errors = _flatten_webargs_messages(data["messages"])
    headers = dict(data.get("headers") or {})
    # Keep the Allow header on 405 (RFC 9110), which flask-smorest's handler drops.
    for name, value in error.get_headers():
        if name.lower() in ("allow", "retry-after", "www-authenticate"):
            headers[name] = value
    return _render(code, message, errors, headers)


def service_error_response(error: ServiceError):
    return _render(error.code, error.message, error.errors, error.headers)


def unexpected_error_response(error: BaseException):
    rid = request_id()
    log.error("unexpected error in request %s %s [request_id=%s]",
              request.method if has_request_context() else "-",
              request.path if has_request_context() else "-", rid, exc_info=error)
    message = f"{DEFAULT_MESSAGES[500]}（编号 {rid}）"
    return _render(500, message, None)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error_response)
    app.register_error_handler(ServiceError, service_error_response)
    app.register_error_handler(Exception, unexpected_error_response)

    @app.after_request
    def _add_request_id(response):
        response.headers["X-Request-ID"] = request_id()
        return response
