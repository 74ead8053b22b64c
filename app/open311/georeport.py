"""The Open311 GeoReport v2 endpoints under /open311/v2/, in XML and JSON (by file extension).

A plain Flask blueprint: Open311 has its own response and error formats, so nothing here goes
through flask-smorest or the app's JSON error shape. Every path under /open311/ belongs to this
blueprint (a catch-all route answers unknown ones), so that every error, routing errors too,
comes back as the spec's `errors` → `error` list in the requested format (XML when the
extension is missing or unknown, since XML is the spec's required format).

Rules of the spec kept here (reference/open311.md): an empty parameter is an absent one; the
`jurisdiction_id` is optional (one jurisdiction) but another one is a 404; an API key is needed
only to POST (403 without a valid one); 404 for unknown resources, 400 for anything else. Two
HTTP signals are kept as HTTP defines them: 405 (with Allow) for a method a resource does not
take, and 429 (with Retry-After) when a partner exceeds its rate limit. Where the spec's 400
stands for a more specific cause, the error's body code says it (409, 413, 500, 503).

Parameters that are not Open311's are ignored, except `api_key` on GETs: with a partner's key
the answers include that partner's own filings that are not public (see service.py).
"""

from __future__ import annotations

import functools
import logging
import math
import re
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from app.errors import BadRequest, NotFound, ServiceError, request_id
from app.extensions import csrf
from app.open311 import documents, service
from app.open311.formats import FORMATS, parse_w3c_datetime, render, render_document, render_errors
from app.open311.models import Partner
from app.reports.models import Report

log = logging.getLogger(__name__)

bp = Blueprint("open311", __name__, url_prefix="/open311")
csrf.exempt(bp)

FORMAT = "<any(xml, json):fmt>"
# Every route takes every method and answers the ones it does not serve itself, so that a 405
# is an Open311 error too (a routing-level 405 would go to the app's JSON handler).
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# Our field names (reports' validation errors) as a partner knows them.
_FIELD_NAMES = {"category": "service_code", "location": "lat/long/address_string",
                "photo_ids": "media_url"}
_ATTRIBUTE_KEY = re.compile(r"attribute\[([^\[\]]+)\](?:\[\])?\Z")


def _route(rule: str, *methods: str) -> Callable:
    """Register a view for `methods` (HEAD and OPTIONS follow GET); others get a 405."""
    allowed = list(methods) + (["HEAD"] if "GET" in methods else []) + ["OPTIONS"]

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(**kwargs):
            if request.method == "OPTIONS":
                return Response(status=204, headers={"Allow": ", ".join(allowed)})
            if request.method not in allowed:
                raise MethodNotAllowed(valid_methods=allowed)
            _check_jurisdiction()
            return view(**kwargs)

        bp.add_url_rule(rule, view.__name__, checked, methods=_METHODS,
                        provide_automatic_options=False)
        return checked

    return decorator


# --- parameters -----------------------------------------------------------------------------

def _param(name: str) -> str | None:
    """A parameter from the form (POST) or the query string; empty counts as absent."""
    value = request.form.get(name) if request.method == "POST" else None
    if value is None or not value.strip():
        value = request.args.get(name)
    value = value.strip() if value is not None else None
    return value or None


def _list(name: str) -> list[str] | None:
    value = _param(name)
    items = [item.strip() for item in value.split(",") if item.strip()] if value else []
    return list(dict.fromkeys(items)) or None


def _number(name: str) -> float | None:
    value = _param(name)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadRequest(f"{name} 应为数字（WGS84 度）") from None
    if not math.isfinite(number):
        raise BadRequest(f"{name} 应为数字（WGS84 度）")
    return number


def _datetime(name: str) -> datetime | None:
    value = _param(name)
    if value is None:
        return None
    try:
        return parse_w3c_datetime(value)
    except ValueError:
        raise BadRequest(f"{name} 应为带时区的 W3C 时间，例如 2026-11-24T09:30:00+08:00") from None


def _answers() -> dict[str, list[str]]:
    """`attribute[code]=v` and `attribute[code][]=v1&attribute[code][]=v2` from the form."""
    answers: dict[str, list[str]] = {}
    for key in request.form:
        match = _ATTRIBUTE_KEY.match(key)
        if match:
            answers.setdefault(match.group(1), []).extend(request.form.getlist(key))
    return answers


def _check_jurisdiction() -> None:
    value = _param("jurisdiction_id")
    expected = current_app.config["OPEN311_JURISDICTION_ID"]
    if value is not None and value.casefold() != expected.casefold():
        raise NotFound(f"没有这个 jurisdiction_id：{value}（本平台为 {expected}）")


def _reader() -> Partner | None:
    """The partner behind an optional api_key on a GET (403 when one is given but invalid)."""
    api_key = _param("api_key")
    return service.authenticate(api_key) if api_key else None


def _respond(rendered: tuple[bytes, str], status: int = 200, headers: dict | None = None):
    body, content_type = rendered
    return Response(body, status=status, content_type=content_type, headers=headers)


# --- endpoints ------------------------------------------------------------------------------

@_route(f"/v2/discovery.{FORMAT}", "GET")
def discovery(fmt: str):
    config = current_app.config
    base = config.get("PUBLIC_BASE_URL") or request.url_root.rstrip("/")
    document = documents.discovery(
        base_url=f"{base}/open311/v2", production=config["LINLI_ENV"] == "production",
        contact=config["OPEN311_CONTACT"], key_service=config["OPEN311_KEY_SERVICE"])
    return _respond(render_document("discovery", document, fmt))


@_route(f"/v2/services.{FORMAT}", "GET")
def services(fmt: str):
    items = [documents.service(category) for category in service.active_services()]
    return _respond(render("services", "service", items, fmt))


@_route(f"/v2/services/<service_code>.{FORMAT}", "GET")
def service_definition(service_code: str, fmt: str):
    category = service.get_service(service_code)
    return _respond(render_document("service_definition",
                                    documents.service_definition(category), fmt))


@_route(f"/v2/requests.{FORMAT}", "GET", "POST")
def service_requests(fmt: str):
    if request.method == "POST":
        return _create_request(fmt)
    reports = service.find_requests(
        numbers=_list("service_request_id"), service_codes=_list("service_code"),
        statuses=_list("status"), start=_datetime("start_date"), end=_datetime("end_date"),
        partner=_reader())
    return _respond(render("service_requests", "request", _requests(reports), fmt))


def _create_request(fmt: str):
    partner = service.authenticate(_param("api_key"))
    report = service.file_request(
        partner, service_code=_param("service_code"), lat=_number("lat"), lng=_number("long"),
        address=_param("address_string") or "", address_id=_param("address_id"),
        description=_param("description") or "", media_url=_param("media_url"),
        answers=_answers())
    return _respond(render("service_requests", "request", [documents.filed(report)], fmt))


def _requests(reports: list[Report]) -> list[dict]:
    address_only = service.address_only_ids(reports)
    return [documents.service_request(report, address_only=report.id in address_only)
            for report in reports]


@_route(f"/v2/requests/<service_request_id>.{FORMAT}", "GET")
def single_request(service_request_id: str, fmt: str):
    report = service.get_request(service_request_id, partner=_reader())
    return _respond(render("service_requests", "request", _requests([report]), fmt))


@_route(f"/v2/tokens/<token>.{FORMAT}", "GET")
def token(token: str, fmt: str):
    # Filing is never deferred (services are "realtime"), so no token is ever handed out.
    raise NotFound(f"没有这个 token：{token}（本平台提交后即时返回 service_request_id，不发放 token）")


@_route(f"/v2/servicerequestupdates.{FORMAT}", "GET")
def request_updates(fmt: str):
    updates = service.find_updates(
        numbers=_list("service_request_id"), start=_datetime("start_date"),
        end=_datetime("end_date"), partner=_reader())
    items = [documents.request_update(u.report, u.event, u.status) for u in updates]
    return _respond(render("service_requests_updates", "request_update", items, fmt))


@bp.route("/", defaults={"rest": ""}, methods=_METHODS, provide_automatic_options=False)
@bp.route("/<path:rest>", methods=_METHODS, provide_automatic_options=False)
def unknown(rest: str):
    raise NotFound("没有这个资源（resource not found）")


# --- errors ---------------------------------------------------------------------------------

def _error_format() -> str:
    fmt = (request.view_args or {}).get("fmt")
    if fmt in FORMATS:
        return fmt
    return "json" if request.path.endswith(".json") else "xml"


def _errors(status: int, descriptions: list[str], *, code: int | None = None,
            headers: dict | None = None):
    errors = [(code or status, description) for description in descriptions]
    return _respond(render_errors(errors, _error_format()), status, headers)


# HTTP status for our service errors: the spec's 403 and 404, 429 for rate limits, else 400.
_STATUS = {403: 403, 404: 404, 429: 429}
# Body codes more specific than the spec's 400.
_SPECIFIC_CODES = (409, 413, 503)


@bp.errorhandler(ServiceError)
def service_error(error: ServiceError):
    status = _STATUS.get(error.code, 400)
    code = error.code if error.code in _SPECIFIC_CODES else status
    descriptions = [f"{_FIELD_NAMES.get(field, field)}：{'；'.join(map(str, messages))}"
                    if isinstance(messages, list) else f"{field}：{messages}"
                    for field, messages in error.errors.items()] or [error.message]
    return _errors(status, descriptions, code=code, headers=error.headers)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    if isinstance(error, InternalServerError):
        return unexpected_error(error.original_exception or error)
    if error.code == 404:
        return _errors(404, ["没有这个资源（resource not found）"])
    if error.code == 405:
        allow = dict(error.get_headers()).get("Allow", "")
        return _errors(405, [f"不支持 {request.method}，可用：{allow}"], headers={"Allow": allow})
    if error.code == 413:
        return _errors(400, ["请求内容太大"], code=413)
    return _errors(400, [f"请求格式不正确（{error.name}）"])


@bp.errorhandler(Exception)
def unexpected_error(error: BaseException):
    rid = request_id()
    log.error("unexpected error in Open311 %s %s [request_id=%s]", request.method, request.path,
              rid, exc_info=error)
    return _errors(400, [f"服务器内部错误，请稍后再试（编号 {rid}）"], code=500)
