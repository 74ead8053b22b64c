"""Configuration: every environment variable Linli reads is read here, once.

`load_config(environ)` turns the environment into Flask config keys with typed values and
defaults; `check_production(config)` refuses a production start with development-only settings.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

ENVIRONMENTS = ("development", "testing", "production")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


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


def _normalise_database_url(url: str) -> str:
    """Accept the URLs operators usually paste and select the psycopg 3 driver for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(environ: Mapping[str, str] | None = None, instance_path: str | None = None) -> dict:
    """Read the Linli settings from `environ` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    env = environ.get("LINLI_ENV", "development").strip() or "development"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"LINLI_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")

    instance = Path(instance_path or PROJECT_ROOT / "instance")
    default_db = f"sqlite:///{instance / 'linli.db'}"
    secret_key = environ.get("SECRET_KEY", "").strip()

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
        "STAFF_LOCKOUT_FAILURES": _int(environ, "STAFF_LOCKOUT_FAILURES", 5),
        "STAFF_LOCKOUT_MINUTES": _int(environ, "STAFF_LOCKOUT_MINUTES", 15),
        # Login attempts per client address per minute.
        "LOGIN_RATE_LIMIT_PER_MINUTE": _int(environ, "LOGIN_RATE_LIMIT_PER_MINUTE", 20),
        "UPLOAD_MAX_BYTES": _int(environ, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
        "UPLOAD_MAX_PIXELS": _int(environ, "UPLOAD_MAX_PIXELS", 40_000_000),
        "UPLOAD_RATE_LIMIT_PER_HOUR": _int(environ, "UPLOAD_RATE_LIMIT_PER_HOUR", 60),
        # Keep the uploaded original beside the metadata-free renditions (never served).
        "KEEP_ORIGINAL_PHOTOS": _bool(environ, "KEEP_ORIGINAL_PHOTOS", False),
        # Request bodies above this many bytes get 413 before any parsing (uploads are ≤ 10 MB).
        "MAX_CONTENT_LENGTH": _int(environ, "MAX_CONTENT_LENGTH_BYTES", 11 * 1024 * 1024),
        # How many proxies (nginx) sit in front and set X-Forwarded-For; 0 trusts none.
        "PROXY_COUNT": _int(environ, "PROXY_COUNT", 0),
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
    if config.get("WECHAT_API_BASE"):
        missing.append("WECHAT_API_BASE must be unset (it reroutes WeChat calls to a test server)")
    if missing:
        raise ConfigError(
            "Linli refuses to start in production. Set or fix: " + "; ".join(missing)
        )
