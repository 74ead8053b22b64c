"""Migrations produce exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL


def schema_differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


@contextlib.contextmanager
def empty_database(tmp_path):
    """A brand-new database of the kind the suite runs on."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = sa.make_url(TEST_DATABASE_URL)
    name = f"{url.database}_migrations"
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


@pytest.fixture
def fresh_app(test_environ, tmp_path):
    with empty_database(tmp_path) as url:
        app = create_app({"ENVIRON": {**test_environ, "DATABASE_URL": url}})
        yield app
        with app.app_context():
            db.engine.dispose()


def test_upgrade_from_empty_yields_the_models_schema(fresh_app):
    with fresh_app.app_context():
        upgrade()
    assert schema_differences(fresh_app) == []


def test_latest_migration_downgrades_and_upgrades_again(fresh_app):
    with fresh_app.app_context():
        upgrade()
        downgrade(revision="-1")
        upgrade()
    assert schema_differences(fresh_app) == []


def test_there_is_a_single_head(app):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


@pytest.mark.postgres
def test_postgres_run_really_uses_postgres(app):
    assert db.engine.dialect.name == "postgresql"
