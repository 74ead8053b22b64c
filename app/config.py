"""Configuration: every environment variable Linli reads is read here, once.

`load_config(environ)` turns the environment into Flask config keys with typed values and
defaults; `check_production(config)` refuses a production start with development-only settings.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

ENVIRONMENTS = ("development", "testing", "production")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Notification templates used in development and tests when none are configured.
EXAMPLE_NOTIFICATION_TEMPLATES = PROJECT_ROOT / "config" / "notification_templates.example.json"


class ConfigError(RuntimeError):
    """The environment does not describe a service that may start."""


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _networks(environ: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated list of CIDRs (e.g. "127.0.0.1/32,::1/128"), each checked."""
    import ipaddress

    networks = []
    for part in environ.get(name, "").split(","):
        if not part.strip():
            continue
        try:
            networks.append(str(ipaddress.ip_network(part.strip())))
        except ValueError as exc:
            raise ConfigError(f"{name}: {part.strip()!r} is not a network ({exc})") from exc
    return networks


def _normalise_database_url(url: str) -> str:
    """Accept the URLs operators usually paste and select the psycopg 3 driver for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _notification_templates(environ: Mapping[str, str], env: str) -> tuple[dict | None, str]:
    """The notification templates mapping (kind -> channel -> template) and where it came from.

    From NOTIFICATION_TEMPLATES (JSON) or NOTIFICATION_TEMPLATES_FILE (a JSON file); outside
    production, the example file by default. A malformed mapping is refused in every environment.
    """
    from app.notifications.templates import template_problems

    inline = environ.get("NOTIFICATION_TEMPLATES", "").strip()
    path = environ.get("NOTIFICATION_TEMPLATES_FILE", "").strip()
    if inline and path:
        raise ConfigError("set NOTIFICATION_TEMPLATES or NOTIFICATION_TEMPLATES_FILE, not both")
    if inline:
        source, text = "NOTIFICATION_TEMPLATES", inline
    elif path or env != "production":
        file = Path(path) if path else EXAMPLE_NOTIFICATION_TEMPLATES
        source = f"NOTIFICATION_TEMPLATES_FILE {file}"
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read {source}: {exc.strerror}") from exc
    else:
        return None, "unset"
    try:
        mapping = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{source} is not valid JSON: {exc}") from exc
    problems = template_problems(mapping)
    if problems:
        raise ConfigError(f"{source} is invalid: " + "; ".join(problems))
    return mapping, source
# Proposal scope level: (co-signatures, days to collect them, verification level).
PROPOSAL_RULE_DEFAULTS = {
    "courtyard": (10, 30, 1),
    "community": (30, 30, 1),
    "street": (100, 45, 1),
}


def _proposal_rules(environ: Mapping[str, str]) -> dict:
    """PROPOSAL_<LEVEL>_SUPPORTS, PROPOSAL_<LEVEL>_DAYS, PROPOSAL_<LEVEL>_VERIFICATION."""
    config = {}
    for level, (supports, days, verification) in PROPOSAL_RULE_DEFAULTS.items():
        prefix = f"PROPOSAL_{level.upper()}"
        config[f"{prefix}_SUPPORTS"] = _int(environ, f"{prefix}_SUPPORTS", supports)
        config[f"{prefix}_DAYS"] = _int(environ, f"{prefix}_DAYS", days)
        config[f"{prefix}_VERIFICATION"] = _int(environ, f"{prefix}_VERIFICATION", verification)
        if config[f"{prefix}_SUPPORTS"] < 1 or config[f"{prefix}_DAYS"] < 1:
            raise ConfigError(f"{prefix}_SUPPORTS and {prefix}_DAYS must be at least 1")
        if config[f"{prefix}_VERIFICATION"] not in (0, 1, 2):
            raise ConfigError(f"{prefix}_VERIFICATION must be 0, 1 or 2")
    return config


def load_config(environ: Mapping[str, str] | None = None, instance_path: str | None = None) -> dict:
    """Read the Linli settings from `environ` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    env = environ.get("LINLI_ENV", "development").strip() or "development"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"LINLI_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")

    instance = Path(instance_path or PROJECT_ROOT / "instance")
    default_db = f"sqlite:///{instance / 'linli.db'}"
    secret_key = environ.get("SECRET_KEY", "").strip()

    templates, templates_source = _notification_templates(environ, env)
    config = {
        "LINLI_ENV": env,
        "TESTING": env == "testing",
        "SECRET_KEY": secret_key or secrets.token_hex(32),
        "SECRET_KEY_FROM_ENV": bool(secret_key),
        "SQLALCHEMY_DATABASE_URI": _normalise_database_url(
            environ.get("DATABASE_URL", "").strip() or default_db
        ),
        "REDIS_URL": environ.get("REDIS_URL", "").strip() or None,
        "MEDIA_ROOT": str(Path(environ.get("MEDIA_ROOT", "").strip() or PROJECT_ROOT / "media")),
        # Public address of this service, used to build absolute media URLs for WeChat.
        "PUBLIC_BASE_URL": environ.get("PUBLIC_BASE_URL", "").strip().rstrip("/") or None,
        "WECHAT_MP_APP_ID": environ.get("WECHAT_MP_APP_ID", "").strip() or None,
        "WECHAT_MP_SECRET": environ.get("WECHAT_MP_SECRET", "").strip() or None,
        "WECHAT_OA_APP_ID": environ.get("WECHAT_OA_APP_ID", "").strip() or None,
        "WECHAT_OA_SECRET": environ.get("WECHAT_OA_SECRET", "").strip() or None,
        "WECHAT_OA_TOKEN": environ.get("WECHAT_OA_TOKEN", "").strip() or None,
        "WECHAT_OA_AES_KEY": environ.get("WECHAT_OA_AES_KEY", "").strip() or None,
        "WECHAT_API_BASE": environ.get("WECHAT_API_BASE", "").strip() or None,
        "WECHAT_TIMEOUT_SECONDS": _int(environ, "WECHAT_TIMEOUT_SECONDS", 5),
        # The bot's main menu as a msgmenu (tappable lines; verified 服务号 only) instead of text.
        "BOT_USE_MSGMENU": _bool(environ, "BOT_USE_MSGMENU", False),
        # Resident bearer tokens live this long; staff tokens much shorter.
        "RESIDENT_TOKEN_DAYS": _int(environ, "RESIDENT_TOKEN_DAYS", 30),
        "STAFF_TOKEN_HOURS": _int(environ, "STAFF_TOKEN_HOURS", 12),
        # Staff web sessions end after this long without a page view, and at the latest this
        # many hours after sign-in.
        "STAFF_SESSION_IDLE_MINUTES": _int(environ, "STAFF_SESSION_IDLE_MINUTES", 60),
        "STAFF_SESSION_MAX_HOURS": _int(environ, "STAFF_SESSION_MAX_HOURS", 12),
        "STAFF_LOCKOUT_FAILURES": _int(environ, "STAFF_LOCKOUT_FAILURES", 5),
        "STAFF_LOCKOUT_MINUTES": _int(environ, "STAFF_LOCKOUT_MINUTES", 15),
        # Login attempts per client address per minute.
        "LOGIN_RATE_LIMIT_PER_MINUTE": _int(environ, "LOGIN_RATE_LIMIT_PER_MINUTE", 20),
        "UPLOAD_MAX_BYTES": _int(environ, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
        "UPLOAD_MAX_PIXELS": _int(environ, "UPLOAD_MAX_PIXELS", 40_000_000),
        "UPLOAD_RATE_LIMIT_PER_HOUR": _int(environ, "UPLOAD_RATE_LIMIT_PER_HOUR", 60),
        # Letters a resident may write per day, and follow-ups per hour (居民信箱).
        "LETTER_RATE_LIMIT_PER_DAY": _int(environ, "LETTER_RATE_LIMIT_PER_DAY", 5),
        "LETTER_FOLLOW_UP_RATE_LIMIT_PER_HOUR": _int(environ, "LETTER_FOLLOW_UP_RATE_LIMIT_PER_HOUR",
                                                     20),
        # 随手拍 filings per resident per day (staff 代办 filings are not counted).
        "REPORT_RATE_LIMIT_PER_DAY": _int(environ, "REPORT_RATE_LIMIT_PER_DAY", 20),
        # Keep the uploaded original beside the metadata-free renditions (never served).
        "KEEP_ORIGINAL_PHOTOS": _bool(environ, "KEEP_ORIGINAL_PHOTOS", False),
        # Request bodies above this many bytes get 413 before any parsing (uploads are ≤ 10 MB).
        "MAX_CONTENT_LENGTH": _int(environ, "MAX_CONTENT_LENGTH_BYTES", 11 * 1024 * 1024),
        # How many proxies (nginx) sit in front and set X-Forwarded-For; 0 trusts none.
        "PROXY_COUNT": _int(environ, "PROXY_COUNT", 0),
        # kind -> channel -> {template_id, fields}: see app/notifications/templates.py.
        "NOTIFICATION_TEMPLATES": templates,
        "NOTIFICATION_TEMPLATES_SOURCE": templates_source,
        # Deliveries retried with backoff (WeChat busy or unreachable) give up after this many.
        "NOTIFICATION_MAX_ATTEMPTS": _int(environ, "NOTIFICATION_MAX_ATTEMPTS", 6),
        # 社区提案 per scope level: co-signatures needed, days to collect them, and the
        # verification level (0 none, 1 phone bound, 2 residency confirmed) to propose or co-sign.
        **_proposal_rules(environ),
        "PROPOSAL_RATE_LIMIT_PER_DAY": _int(environ, "PROPOSAL_RATE_LIMIT_PER_DAY", 10),
        "COMMENT_RATE_LIMIT_PER_HOUR": _int(environ, "COMMENT_RATE_LIMIT_PER_HOUR", 30),
        # Distinct residents' flags that hide an item until a moderator decides.
        "MODERATION_HIDE_AFTER_FLAGS": _int(environ, "MODERATION_HIDE_AFTER_FLAGS", 3),
        # Open311 GeoReport v2 (/open311/v2/): the jurisdiction_id we answer to (our root
        # domain, as the spec suggests), and the discovery document's contact and key service.
        "OPEN311_JURISDICTION_ID": environ.get("OPEN311_JURISDICTION_ID", "").strip()
        or "linli.example.gov.cn",
        "OPEN311_CONTACT": environ.get("OPEN311_CONTACT", "").strip()
        or "Linli 平台管理员（所在街道或社区的管理员）",
        "OPEN311_KEY_SERVICE": environ.get("OPEN311_KEY_SERVICE", "").strip()
        or "API key 由平台管理员为每个合作方创建：请联系所在街道或社区的 Linli 管理员申请。",
        # Tests only: networks a partner's media_url may reach although they are not public
        # (a photo served from 127.0.0.1). Refused in production.
        "OPEN311_MEDIA_ALLOWED_NETWORKS": _networks(environ, "OPEN311_MEDIA_ALLOWED_NETWORKS"),
        "JOB_TIMEOUT_SECONDS": _int(environ, "JOB_TIMEOUT_SECONDS", 120),
        "JOB_MAX_RETRIES": _int(environ, "JOB_MAX_RETRIES", 3),
        # Inline jobs re-raise their errors under test so that a broken job fails the test.
        "JOBS_INLINE_RAISE": _bool(environ, "JOBS_INLINE_RAISE", env == "testing"),
        "TIMEZONE": "Asia/Shanghai",
        "JSON_AS_ASCII": False,
        # flask-smorest: the OpenAPI document lives at /api/openapi.json.
        "API_TITLE": "Linli 邻里 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
    }
    # Cookies of the staff pages: the signed Flask session only carries the CSRF secret and
    # flash messages; the sign-in itself is a database row (app/accounts/tokens.py).
    config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config["SESSION_COOKIE_SECURE"] = env == "production"
    config["WTF_CSRF_TIME_LIMIT"] = config["STAFF_SESSION_MAX_HOURS"] * 3600
    # A server connection can drop (restart, failover): check it on checkout. An SQLite file
    # cannot, and the ping would cost a statement per request.
    if not config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, "pool_recycle": 1800}
    return config


def check_production(config: Mapping) -> None:
    """Refuse to start in production with settings that are only safe for development."""
    if config["LINLI_ENV"] != "production":
        return
    missing = []
    if not config.get("SECRET_KEY_FROM_ENV") or len(config["SECRET_KEY"]) < 32:
        missing.append("SECRET_KEY (at least 32 random characters)")
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        missing.append("DATABASE_URL (PostgreSQL, not SQLite)")
    if not config.get("REDIS_URL"):
        missing.append("REDIS_URL (jobs, the WeChat token and rate limits are shared through Redis)")
    for name in ("WECHAT_MP_APP_ID", "WECHAT_MP_SECRET", "WECHAT_OA_APP_ID", "WECHAT_OA_SECRET",
                 "WECHAT_OA_TOKEN", "WECHAT_OA_AES_KEY"):
        if not config.get(name):
            missing.append(name)
    if not config.get("PUBLIC_BASE_URL", "") or not config["PUBLIC_BASE_URL"].startswith("https://"):
        missing.append("PUBLIC_BASE_URL (https://…, for photo URLs WeChat can load)")
    from app.notifications.templates import production_problems

    missing.extend(production_problems(config.get("NOTIFICATION_TEMPLATES")))
    if config.get("OPEN311_MEDIA_ALLOWED_NETWORKS"):
        missing.append("OPEN311_MEDIA_ALLOWED_NETWORKS must be unset (it lets partners' media_url"
                       " reach private addresses)")
    if config.get("WECHAT_API_BASE"):
        missing.append("WECHAT_API_BASE must be unset (it reroutes WeChat calls to a test server)")
    if missing:
        raise ConfigError(
            "Linli refuses to start in production. Set or fix: " + "; ".join(missing)
        )
