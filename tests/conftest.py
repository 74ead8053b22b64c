"""Shared fixtures: the app on a real database, a test client, the region tree, auth helpers.

Databases: SQLite in a temporary directory by default; PostgreSQL when DATABASE_URL is set (CI
runs the whole suite a second time that way, with REDIS_URL set too, see .ci/run). The schema is
built by running the migrations, and every table is emptied after each test.

Jobs: inline by default; with REDIS_URL they go to rq, and `run_jobs()` runs what is queued.
"""

from __future__ import annotations

import contextvars
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient

from app import create_app, jobs
from app.extensions import db

TEST_DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
TEST_REDIS_URL = os.environ.get("REDIS_URL", "").strip()
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgres")


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    skip_redis = pytest.mark.skip(reason="needs Redis (set REDIS_URL)")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not TEST_REDIS_URL:
            item.add_marker(skip_redis)


def pytest_sessionfinish(session, exitstatus):
    """With LINLI_REQUIRE_SERVICES=1 (CI's PostgreSQL + Redis run), a skipped test is a failure."""
    if os.environ.get("LINLI_REQUIRE_SERVICES") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"LINLI_REQUIRE_SERVICES=1 but {len(skipped)} tests were skipped",
                            red=True)
        session.exitstatus = 1


class LinliTestClient(FlaskClient):
    """Each request runs in its own app context (own `g`, own database session), as in
    production. The test's own session is committed before and expired after each request, so
    what the test created is visible to the request and what the request changed is visible
    to the test."""

    def open(self, *args, **kwargs):
        if db.session().in_transaction():
            db.session.commit()
        context = contextvars.copy_context()

        def run():
            _cv_app.set(None)
            return super(LinliTestClient, self).open(*args, **kwargs)

        try:
            return context.run(run)
        finally:
            db.session.expire_all()


def _test_environ(tmp: Path) -> dict:
    return {
        "LINLI_ENV": "testing",
        "SECRET_KEY": "test-secret-key-0123456789abcdef0123456789",
        "DATABASE_URL": TEST_DATABASE_URL or f"sqlite:///{tmp / 'test.db'}",
        "REDIS_URL": TEST_REDIS_URL,
        "MEDIA_ROOT": str(tmp / "media"),
        "PUBLIC_BASE_URL": "https://linli.test",
        "WECHAT_MP_APP_ID": "wxminiprogram0001",
        "WECHAT_MP_SECRET": "mini-secret",
        "WECHAT_OA_APP_ID": "wxofficialacct001",
        "WECHAT_OA_SECRET": "oa-secret",
        "WECHAT_OA_TOKEN": "linlitoken",
        "WECHAT_OA_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    }


@pytest.fixture(scope="session")
def test_environ(tmp_path_factory):
    return _test_environ(tmp_path_factory.mktemp("linli"))


@pytest.fixture(scope="session")
def app(test_environ):
    app = create_app({"ENVIRON": test_environ})
    app.test_client_class = LinliTestClient
    with app.app_context():
        _reset_schema()
    return app


def _reset_schema() -> None:
    """Drop whatever a previous run left and build the schema by running the migrations."""
    from flask_migrate import upgrade

    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            metadata = sa.MetaData()
            metadata.reflect(connection)
            metadata.drop_all(connection)
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    upgrade()


def _empty_all_tables() -> None:
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(
                f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                connection.exec_driver_sql(f"DELETE FROM {table}")


@pytest.fixture(autouse=True)
def app_context(app):
    """Every test runs in an app context with empty tables, media store and Redis database."""
    with app.app_context():
        if app.config.get("REDIS_URL"):
            jobs.redis_connection(app).flushdb()
        yield
        _empty_all_tables()
        shutil.rmtree(app.config["MEDIA_ROOT"], ignore_errors=True)


@pytest.fixture(autouse=True)
def wechat(app):
    """The fake WeChat every test talks to (in-process, through `responses`).

    Login codes `ok:<openid>` / `ok:<openid>:<unionid>` succeed, `used` is 40163, others 40029;
    see tests/fakes/wechat_server.py for media, content-check verdicts and injected failures.
    Requests to 127.0.0.1 pass through to real local servers.
    """
    import responses

    from tests.fakes.wechat_responses import mount_fake_wechat
    from tests.fakes.wechat_server import FakeWeChat

    fake = FakeWeChat()
    # A fresh gateway per test: a cached one would hold an access token from an earlier
    # test's fake, which this fake refuses once (40001), doubling the first recorded call.
    app.extensions.pop("wechat_gateway", None)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_passthru("http://127.0.0.1")
        rsps.add_passthru("http://localhost")
        mount_fake_wechat(rsps, fake)
        yield fake


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def run_jobs(app):
    """Run the jobs queued in rq (no-op with inline jobs, which already ran at commit)."""
    return lambda: jobs.run_queued_jobs(app)


@pytest.fixture
def media_root(app):
    return Path(app.config["MEDIA_ROOT"])


@pytest.fixture
def tmp_dir():
    with tempfile.TemporaryDirectory() as path:
        yield Path(path)


# --- data -----------------------------------------------------------------------------------

@pytest.fixture
def regions():
    """A small tree: 锦江区 → 书院街街道 → 和平社区 (grids g1, g2; courtyard) and 桂花巷社区 (grid)."""
    from tests.factories import build_region_tree

    return build_region_tree()


@pytest.fixture
def auth_headers():
    """auth_headers(resident_or_staff) → {"Authorization": "Bearer …"} with a fresh token."""
    from tests.factories import bearer_headers

    return bearer_headers


class FrozenClock:
    """Controls app.clock.now() for a test: `clock.set(dt)`, `clock.advance(hours=2)`."""

    def __init__(self, monkeypatch):
        from datetime import UTC, datetime

        self.moment = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
        monkeypatch.setattr("app.clock.now", lambda: self.moment)

    def set(self, moment):
        self.moment = moment

    def advance(self, **delta):
        from datetime import timedelta

        self.moment = self.moment + timedelta(**delta)
        return self.moment


@pytest.fixture
def clock(monkeypatch):
    return FrozenClock(monkeypatch)
