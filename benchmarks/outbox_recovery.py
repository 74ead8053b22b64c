"""The outbox through a Redis outage: cost of recording with Redis down, then recovery speed.

    python -m benchmarks.outbox_recovery --redis-url redis://127.0.0.1:6379/<n>
        [--database-url postgresql://...] [--rows 2000]

Records `--rows` notifications (one transaction each, as a feature would) with Redis
unreachable, then with Redis back runs the outbox sweep and an in-process rq worker against the
console gateway (which only logs), then records as many again with Redis up as a baseline. Prints
the time per recording transaction, the sweep's queueing rate and the delivery rate. The Redis
database given is flushed.
"""

from __future__ import annotations

import argparse

from benchmarks.harness import linli_environment, python_in_app

RECORD = """
import logging, time, statistics
import sqlalchemy as sa
from app.accounts.models import Resident
from app.extensions import db
from app.notifications import notify
logging.getLogger().setLevel(logging.ERROR)
residents = list(db.session.scalars(sa.select(Resident).order_by(Resident.id)))
for n, resident in enumerate(residents):
    resident.oa_openid, resident.oa_subscribed = f"oBENCH{{n}}", True
db.session.commit()
timings = []
for i in range({rows}):
    resident = residents[i % len(residents)]
    started = time.perf_counter()
    notify(kind="report.accepted", dedupe_key=f"{label}:{{i}}", resident_id=resident.id,
           title="报事已受理", text="您反映的问题已受理。",
           fields={{"number": f"SSP-{{i:04d}}", "thing": "路灯损坏", "phrase": "已受理"}})
    db.session.commit()
    timings.append(time.perf_counter() - started)
timings.sort()
print(f"{{statistics.mean(timings) * 1000:.2f}} {{timings[int(len(timings) * 0.99)] * 1000:.2f}}")
"""

RECOVER = """
import logging, time
from datetime import timedelta
import sqlalchemy as sa
from app import clock, jobs
from app.extensions import db
from app.notifications.jobs import sweep_outbox
from app.notifications.models import Notification
logging.getLogger().setLevel(logging.ERROR)
jobs.redis_connection(app).flushdb()
# The sweep leaves rows younger than two minutes to their own job: look three minutes ahead.
real_now = clock.now
clock.now = lambda: real_now() + timedelta(minutes=3)
started = time.perf_counter()
sweep_outbox()
swept = time.perf_counter() - started
queued = len(jobs.get_queue(app))
started = time.perf_counter()
ran = jobs.run_queued_jobs(app)
worked = time.perf_counter() - started
sent = db.session.scalar(sa.select(sa.func.count()).where(Notification.status == "sent"))
print(f"{{queued}} {{swept:.3f}} {{ran}} {{worked:.3f}} {{sent}}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite in a temp dir)")
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()

    with linli_environment(args.database_url, redis_url=args.redis_url) as env:
        down = {**env, "REDIS_URL": "redis://127.0.0.1:1/0"}
        mean_ms, p99_ms = python_in_app(down, RECORD.format(rows=args.rows, label="down")).split()
        queued, swept, ran, worked, sent = python_in_app(env, RECOVER.format()).split()
        up_mean_ms, up_p99_ms = python_in_app(env, RECORD.format(rows=args.rows,
                                                                 label="up")).split()

    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{args.rows} notifications, {database}, console gateway, one rq SimpleWorker")
    print(f"recording with Redis up (baseline): {float(up_mean_ms):.2f} ms mean, "
          f"{float(up_p99_ms):.2f} ms p99 per transaction")
    print(f"recording with Redis unreachable:   {float(mean_ms):.2f} ms mean, "
          f"{float(p99_ms):.2f} ms p99 per transaction "
          f"({float(mean_ms) / float(up_mean_ms):.2f}× the baseline)")
    print(f"sweep after Redis returned: {queued} rows queued in {float(swept):.2f} s "
          f"({int(queued) / float(swept):.0f} rows/s)")
    print(f"worker: {ran} jobs in {float(worked):.2f} s ({int(ran) / float(worked):.0f} jobs/s), "
          f"{sent} notifications sent")


if __name__ == "__main__":
    main()
