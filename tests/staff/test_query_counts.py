"""The busy pages run a fixed number of SQL statements, however many reports they show or
count: nothing is loaded one report (or one line) at a time."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import StaffRole
from app.extensions import db
from tests.factories import CategoryFactory, ReportFactory, StaffFactory


@contextmanager
def counted_statements():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def add_reports(regions, handler, clock, count: int, offset: int = 0) -> None:
    categories = [CategoryFactory(code=f"c{offset}-{n}", name=f"类别{offset}-{n}")
                  for n in range(3)]
    for number in range(count):
        ReportFactory(region=[regions.grid, regions.grid2][number % 2],
                      category=categories[number % 3], dispatched=True, assignee=handler,
                      created_at=clock.moment - timedelta(days=number % 20, hours=1))


@pytest.mark.parametrize("url", ["/staff/dashboard", "/staff/reports", "/staff/tasks"])
def test_a_page_runs_as_many_statements_for_thirty_reports_as_for_three(
        pages, regions, handler, clock, url):
    viewer = handler if url == "/staff/tasks" else StaffFactory(
        region=regions.community, role=StaffRole.MODERATOR)
    add_reports(regions, handler, clock, 3)
    pages.sign_in(viewer)
    pages.get(url)
    with counted_statements() as few:
        assert pages.get(url).status_code == 200
    add_reports(regions, handler, clock, 27, offset=1)
    with counted_statements() as many:
        assert pages.get(url).status_code == 200
    assert len(many) == len(few), "\n".join(many)
