"""Read endpoints' throughput against a bare Flask app under the same gunicorn settings.

    python -m benchmarks.api_throughput [--database-url postgresql://...] [--seconds 8]

Serves Linli (2 sync workers, demo data) and a bare hello-world app (2 sync workers), loads both
from 127.0.0.1 with wrk in the same run and prints requests/s, p99 and the ratio to the bare app.
Goal: every read endpoint at ≥ 50% of the bare app's throughput.
"""

from __future__ import annotations

import argparse

from benchmarks.harness import gunicorn, linli_environment, python_in_app, wrk

GOAL = 0.5

TOKEN_CODE = """
import sqlalchemy as sa
from datetime import timedelta
from app.accounts import tokens
from app.accounts.models import Resident
from app.extensions import db
resident = db.session.scalars(sa.select(Resident).order_by(Resident.id)).first()
token, _ = tokens.issue_token(resident=resident, ttl=timedelta(hours=1))
db.session.commit()
print(token)
"""

ENDPOINTS = [
    ("GET /api/v1/regions", "/api/v1/regions", False),
    ("GET /api/v1/categories", "/api/v1/categories", False),
    ("GET /api/v1/me", "/api/v1/me", True),
    ("GET /api/v1/reports", "/api/v1/reports", True),
    ("GET /api/v1/reports/public", "/api/v1/reports/public", True),
    # The demo's garbage report (in progress) lies at this point.
    ("GET /api/v1/reports/nearby",
     "/api/v1/reports/nearby?lat=30.6552&lng=104.0831&category=garbage", True),
    ("GET /api/v1/proposals", "/api/v1/proposals", True),
    ("GET /api/v1/polls", "/api/v1/polls", True),
    ("GET /api/v1/letters", "/api/v1/letters", True),
    ("GET /api/v1/public-letters", "/api/v1/public-letters", True),
    ("GET /api/v1/notifications", "/api/v1/notifications", True),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite in a temp dir)")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    with linli_environment(args.database_url) as env:
        token = python_in_app(env, TOKEN_CODE)
        with gunicorn("benchmarks.bare_app:app", env) as bare:
            baseline = wrk(bare + "/hello", seconds=args.seconds, connections=args.connections)
        rows = []
        with gunicorn("wsgi:app", env) as linli:
            for label, path, needs_token in ENDPOINTS:
                headers = {"Authorization": f"Bearer {token}"} if needs_token else None
                rows.append((label, wrk(linli + path, seconds=args.seconds,
                                        connections=args.connections, headers=headers)))

    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"gunicorn 2 sync workers, wrk {args.connections} connections × {args.seconds}s, "
          f"{database}")
    print(f"{'endpoint':28} {'req/s':>9} {'p99 ms':>8} {'errors':>7} {'vs bare':>8}")
    print(f"{'bare Flask /hello':28} {baseline.requests_per_second:9.0f} "
          f"{baseline.p99_ms:8.1f} {baseline.errors:7d} {'1.00':>8}")
    ok = True
    for label, result in rows:
        ratio = result.requests_per_second / baseline.requests_per_second
        ok &= ratio >= GOAL and result.errors == 0
        print(f"{label:28} {result.requests_per_second:9.0f} {result.p99_ms:8.1f} "
              f"{result.errors:7d} {ratio:8.2f}")
    print(f"goal: every endpoint ≥ {GOAL:.0%} of the bare app, no errors: "
          f"{'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
