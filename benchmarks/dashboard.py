"""How long the staff dashboard's figures take over many reports.

    python -m benchmarks.dashboard [--database-url postgresql://...] [--reports 20000]

Seeds the demo, adds `--reports` handled reports spread over the last year in the demo's grids,
then, in one process, times each figure the dashboard asks for (for the district admin, over
the last four weeks and over the whole year) and one whole GET /staff/dashboard, printing the
median of five runs and the SQL statements each ran.
"""

from __future__ import annotations

import argparse

from benchmarks.harness import linli_environment, python_in_app

SEED = """
import random
from datetime import timedelta
import sqlalchemy as sa
from app import clock
from app.categories.models import Category
from app.extensions import db
from app.regions.models import Region, RegionLevel
from app.reports.models import Report
rng = random.Random(7)
grids = list(db.session.scalars(sa.select(Region).where(Region.level == RegionLevel.GRID)))
categories = list(db.session.scalars(sa.select(Category)))
now = clock.now()
rows = []
for n in range({reports}):
    filed = now - timedelta(hours=rng.randrange(1, 365 * 24))
    category = rng.choice(categories)
    grid = rng.choice(grids)
    done = filed + timedelta(hours=rng.randrange(2, 200)) < now
    rows.append(dict(number=f"SSP-BENCH-{{n:07d}}", source="bot", category_id=category.id,
        description="基准测试报事", lat=30.65, lng=104.08, address="", region_id=grid.id,
        status="closed" if done else "dispatched", created_at=filed, updated_at=filed,
        dispatched_at=filed + timedelta(hours=1),
        first_contact_at=filed + timedelta(hours=rng.choice([2, 5, 30])) if done else None,
        resolved_at=filed + timedelta(hours=rng.randrange(10, 150)) if done else None,
        closed_at=filed + timedelta(hours=160) if done else None,
        rated_at=filed + timedelta(hours=155) if done and rng.random() < 0.7 else None,
        solved=rng.random() < 0.85, satisfaction=rng.choice([3, 4, 5, 5]),
        response_due_at=filed + timedelta(hours=category.response_sla_hours),
        completion_due_at=filed + timedelta(hours=category.completion_sla_hours)))
for start in range(0, len(rows), 2000):
    db.session.execute(sa.insert(Report), rows[start:start + 2000])
db.session.commit()
print(db.session.scalar(sa.select(sa.func.count(Report.id))))
"""

MEASURE = """
import statistics, time
from datetime import timedelta
import sqlalchemy as sa
from app import clock, reports
from app.accounts.models import Staff
from app.accounts.service import start_staff_session
from app.extensions import db
from app.staff.auth import SESSION_COOKIE
admin = db.session.scalar(sa.select(Staff).where(Staff.username == "admin"))
region = admin.region
now = clock.now()
statements = []
sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
def measure(name, run):
    times, counts = [], []
    for _ in range(5):
        db.session.expire_all()
        statements.clear()
        begin = time.perf_counter()
        run()
        times.append((time.perf_counter() - begin) * 1000)
        counts.append(len(statements))
    print(f"{{name:<44}} {{statistics.median(times):8.1f}} ms {{counts[-1]:4d}} statements")
for label, days in (("4 weeks", 28), ("1 year", 365)):
    start = now - timedelta(days=days)
    measure(f"compute_rates, {{label}}", lambda: reports.compute_rates(region, start=start))
    measure(f"rates_by category, {{label}}", lambda: reports.rates_by(region, "category", start=start))
    measure(f"rates_by region, {{label}}", lambda: reports.rates_by(region, "region", start=start))
    measure(f"breakdown (all of the above), {{label}}", lambda: reports.breakdown(region, start=start))
measure("open_counts", lambda: reports.open_counts(region))
measure("weekly_trend, 8 weeks", lambda: reports.weekly_trend(region, weeks=8))
value, _staff = start_staff_session("admin", "linli-demo-2026")
db.session.commit()
client = app.test_client()
client.set_cookie(SESSION_COOKIE, value, path="/staff")
def page():
    assert client.get("/staff/dashboard").status_code == 200
measure("GET /staff/dashboard (4 weeks, whole district)", page)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--reports", type=int, default=20_000)
    args = parser.parse_args()
    with linli_environment(args.database_url) as env:
        total = python_in_app(env, SEED.format(reports=args.reports))
        print(f"reports in the database: {total} "
              f"({'PostgreSQL' if args.database_url else 'SQLite'})")
        print(python_in_app(env, MEASURE.format()))


if __name__ == "__main__":
    main()
