"""Linli (邻里): the application factory.

`create_app()` reads as the table of contents of the service: configuration, extensions, error
handlers, the resident/staff JSON API, the bot, the staff pages, and the command-line tools.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping

from flask import Flask

from app.config import check_production, load_config

# Each module exposes `blp`, a flask-smorest Blueprint with its own url_prefix.
API_MODULES = [
    "app.accounts.api",
    "app.accounts.staff_api",
    "app.regions.api",
    "app.categories.api",
    "app.uploads.api",
    "app.notifications.api",
    "app.notifications.staff_api",
    "app.mailbox.api",
    "app.mailbox.staff_api",
    "app.reports.api",
    "app.reports.staff_api",
    "app.proposals.api",
    "app.proposals.staff_api",
    "app.polls.api",
    "app.polls.staff_api",
    "bot.staff_api",
    "app.open311.staff_api",
]

# Plain Flask blueprints (HTML pages, the bot endpoint, Open311): each module exposes `bp`.
WEB_MODULES = [
    "app.uploads.media",
    "app.staff",
    "bot.endpoint",
    "app.open311.georeport",
]

# Each module exposes `commands`, a list of click commands and groups.
CLI_MODULES = [
    "app.cli",
    "app.accounts.cli",
    "app.regions.cli",
    "app.notifications.cli",
    "app.open311.cli",
    "app.demo",
    "bot.cli",
]


def create_app(config: Mapping | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    register_config(app, config)
    register_logging(app)
    register_extensions(app)
    register_error_handlers(app)
    register_api(app)
    register_web(app)
    register_cli(app)
    return app


def register_config(app: Flask, overrides: Mapping | None) -> None:
    environ = None
    if overrides and "ENVIRON" in overrides:
        environ = overrides["ENVIRON"]
    app.config.update(load_config(environ, instance_path=app.instance_path))
    if overrides:
        app.config.update({k: v for k, v in overrides.items() if k != "ENVIRON"})
    check_production(app.config)
    app.json.ensure_ascii = False
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_logging(app: Flask) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO if app.config["LINLI_ENV"] != "testing" else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from app.api import LinliApi
    from app.database import configure_sqlite
    from app.extensions import csrf, db, migrate

    import_models()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        import os

        os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_project_path("migrations")),
                     render_as_batch=True, compare_type=True)
    app.extensions["linli_api"] = LinliApi(app)
    # CSRF protects the staff HTML forms; the JSON API authenticates with bearer tokens.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    csrf.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)


def import_models() -> None:
    """Import every model module so that the metadata (and Alembic) sees every table."""
    for module in (
        "app.regions.models",
        "app.categories.models",
        "app.accounts.models",
        "app.audit.models",
        "app.notifications.models",
        "app.polls.models",
        "app.uploads.models",
        "app.mailbox.models",
        "app.reports.models",
        "app.moderation.models",
        "app.proposals.models",
        "app.open311.models",
        "app.ratelimit",
        "bot.models",
    ):
        importlib.import_module(module)


def register_error_handlers(app: Flask) -> None:
    from app.errors import register_error_handlers as register

    register(app)


def register_api(app: Flask) -> None:
    api = app.extensions["linli_api"]
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "登录后得到的令牌"}
    )
    for module in API_MODULES:
        api.register_blueprint(importlib.import_module(module).blp)


def register_web(app: Flask) -> None:
    for module in WEB_MODULES:
        app.register_blueprint(importlib.import_module(module).bp)


def register_cli(app: Flask) -> None:
    for module in CLI_MODULES:
        for command in importlib.import_module(module).commands:
            app.cli.add_command(command)


def _project_path(name: str):
    from app.config import PROJECT_ROOT

    return PROJECT_ROOT / name
