"""A burst of ballots: 10,000 eligible residents vote at once, 2,000 duplicates mixed in.

    python -m benchmarks.vote_burst [--database-url postgresql://postgres@127.0.0.1/linli_polls_bench]
                                    [--voters 10000] [--duplicates 2000] [--processes 4]
                                    [--threads 8] [--workers 5]

Serves Linli with gunicorn (sync workers) on 127.0.0.1 against PostgreSQL (the database is
created when missing and its schema rebuilt), creates the residents, their tokens and an open
two-question poll in one process, then fires every ballot from several client processes (each
with several threads, `Connection: close` as behind nginx). Half of the duplicates are sent
right beside the resident's first ballot, by another client, so that the two race; the rest
come later. Afterwards it checks that every resident got exactly one 201, every duplicate a
409, the database holds exactly one participation and one ballot per resident, and the
tallies equal both the accepted answers and a recount of the ballots. It then closes the poll
(seal, recount, notify every participant) and times that too.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from benchmarks.harness import ensure_postgres_database, gunicorn, linli_environment, python_in_app

DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1/linli_polls_bench"

SETUP_CODE = """
import hashlib, json, secrets
from datetime import timedelta
import sqlalchemy as sa
from app import clock
from app.accounts.models import AuthToken, Resident, Staff
from app.extensions import db
from app.polls import service
from app.regions.models import Region

community = db.session.scalar(sa.select(Region).where(Region.code == "jj-syj-hp"))
moderator = db.session.scalar(sa.select(Staff).where(Staff.username == "moderator"))
now = clock.now()
resident_ids = db.session.scalars(
    sa.insert(Resident).returning(Resident.id, sort_by_parameter_order=True),
    [{"mp_openid": f"bench-{i:05d}", "nickname": f"居民{i}", "community_id": community.id,
      "verification_level": 1, "phone_masked": "138****0000", "elder_mode": False,
      "oa_subscribed": False, "created_at": now, "updated_at": now}
     for i in range(VOTERS)]).all()
tokens = [secrets.token_urlsafe(32) for _ in resident_ids]
db.session.execute(sa.insert(AuthToken), [
    {"token_hash": hashlib.sha256(t.encode()).hexdigest(), "resident_id": rid,
     "created_at": now, "expires_at": now + timedelta(days=1)}
    for t, rid in zip(tokens, resident_ids)])
db.session.commit()
poll = service.create_poll(moderator, {
    "region_id": community.id, "title": "中心花园改造方案",
    "questions": [
        {"text": "选哪个方案？", "kind": "single",
         "options": [{"text": t} for t in ("方案一", "方案二", "方案三", "方案四")]},
        {"text": "最需要哪些设施？（最多两项）", "kind": "multiple", "max_choices": 2,
         "options": [{"text": t} for t in ("座椅", "遮阳棚", "健身器材", "儿童区", "夜间照明")]},
    ],
    "closes_at": now + timedelta(days=7)})
service.open_poll(moderator, poll.id)
questions = [[q.id, [o.id for o in q.options], q.max_choices] for q in poll.questions]
with open(SETUP_FILE, "w") as out:
    json.dump({"poll_id": poll.id, "questions": questions, "tokens": tokens}, out)
print(poll.id)
"""

VERIFY_CODE = """
import json
import sqlalchemy as sa
from app.extensions import db
from app.polls import ballot_box
from app.polls.models import PollParticipation
participations = db.session.scalar(sa.select(sa.func.count()).select_from(PollParticipation)
                                   .where(PollParticipation.poll_id == poll_id))
distinct_units = db.session.scalar(sa.select(sa.func.count(sa.distinct(PollParticipation.unit_id)))
                                   .where(PollParticipation.poll_id == poll_id))
print(json.dumps({"participations": participations, "distinct_units": distinct_units,
                  "ballots": ballot_box.ballot_count(poll_id),
                  "tallies": ballot_box.tallies(poll_id),
                  "recount": dict(ballot_box.recount(poll_id))}))
"""

CLOSE_CODE = """
import json, time
import sqlalchemy as sa
from app import clock
from app.extensions import db
from app.notifications.models import Notification
from app.polls import ballot_box, service
from app.polls.models import Poll, PollBallot
db.session.execute(sa.update(Poll).where(Poll.id == poll_id).values(closes_at=clock.now()))
db.session.commit()
started = time.perf_counter()
closed = service.close_poll(poll_id)
seconds = time.perf_counter() - started
print(json.dumps({"closed": closed, "seconds": seconds,
                  "sealed": db.session.scalar(sa.select(sa.func.count()).select_from(PollBallot)
                                              .where(PollBallot.poll_id == poll_id,
                                                     PollBallot.sealed.is_(True))),
                  "notifications": db.session.scalar(
                      sa.select(sa.func.count(Notification.id))
                      .where(Notification.dedupe_key.startswith(f"poll:{poll_id}:results:"))),
                  "tallies_equal_recount": ballot_box.reconcile(poll_id) == {}}))
"""


def plan_requests(setup: dict, duplicates: int, seed: int) -> list[dict]:
    """Every resident's ballot, plus `duplicates` second attempts (with other answers): half
    right after the first (so that they race it), half at random later places."""
    picker = random.Random(seed)
    (q1, q1_options, _), (q2, q2_options, q2_max) = setup["questions"]

    def random_answers() -> list[dict]:
        return [{"question_id": q1, "option_ids": [picker.choice(q1_options)]},
                {"question_id": q2,
                 "option_ids": picker.sample(q2_options, picker.randint(1, q2_max))}]

    # Each request gets a place in the sending order: a first ballot at its position, a racing
    # duplicate just after it, a later duplicate anywhere after it.
    firsts = list(range(len(setup["tokens"])))
    picker.shuffle(firsts)
    keyed = [(float(position), {"resident": resident, "answers": random_answers()})
             for position, resident in enumerate(firsts)]
    repeaters = picker.sample(range(len(firsts)), duplicates)
    for number, position in enumerate(repeaters):
        place = position + 0.5 if number < duplicates // 2 else picker.uniform(position + 1,
                                                                                len(firsts))
        keyed.append((place, {"resident": firsts[position], "answers": random_answers()}))
    keyed.sort(key=lambda pair: pair[0])
    path = f"/api/v1/polls/{setup['poll_id']}/ballot"
    return [{**request, "method": "POST", "path": path} for _place, request in keyed]


def _client_process(port: int, tokens: list[str], requests: list[dict], threads: int,
                    start_at: float) -> list[tuple]:
    """Send `requests` over `threads` threads, each on a new connection; returns
    (resident, status, sent, answered, answers) per request, with wall-clock times."""
    results: list[tuple] = []
    lock = threading.Lock()

    def run(mine: list[dict]) -> None:
        done = []
        for request in mine:
            headers = {"Authorization": f"Bearer {tokens[request['resident']]}",
                       "Connection": "close"}
            body = None
            if "answers" in request:
                body = json.dumps({"answers": request["answers"]})
                headers["Content-Type"] = "application/json"
            sent = time.time()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                connection.request(request["method"], request["path"], body=body,
                                   headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                status = 0
            finally:
                connection.close()
            done.append((request["resident"], status, sent, time.time(),
                         request.get("answers")))
        with lock:
            results.extend(done)

    workers = [threading.Thread(target=run, args=(requests[k::threads],))
               for k in range(threads)]
    time.sleep(max(0.0, start_at - time.time()))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def fire(port: int, tokens: list[str], plan: list[dict], processes: int,
         threads: int) -> tuple[list[tuple], float]:
    """Send the plan from `processes` × `threads` clients; consecutive requests go to
    different clients, so a racing duplicate leaves beside its original. Returns the results
    and the wall time from the first request sent to the last answer."""
    clients = processes * threads
    per_client = [plan[k::clients] for k in range(clients)]
    per_process = [[request for k in range(p, clients, processes) for request in per_client[k]]
                   for p in range(processes)]
    start_at = time.time() + 1.0  # every process starts sending at the same moment
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        pending = [pool.apply_async(_client_process, (port, tokens, requests, threads, start_at))
                   for requests in per_process]
        results = [row for job in pending for row in job.get()]
    elapsed = max(row[3] for row in results) - min(row[2] for row in results)
    return results, elapsed


def expected_tallies(results: list[tuple]) -> Counter:
    tallies: Counter = Counter()
    for _resident, status, _sent, _answered, answers in results:
        if status == 201:
            for answer in answers:
                tallies.update(answer["option_ids"])
    return tallies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--voters", type=int, default=10_000)
    parser.add_argument("--duplicates", type=int, default=2_000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8, help="client threads per process")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--baseline", type=int, default=3_000,
                        help="GET /api/v1/me requests sent first, by the same clients, "
                             "for comparison")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("the burst is measured on PostgreSQL: pass a postgresql:// URL")

    ensure_postgres_database(args.database_url)
    with linli_environment(args.database_url) as env, tempfile.TemporaryDirectory() as tmp:
        setup_file = Path(tmp) / "setup.json"
        started = time.perf_counter()
        python_in_app(env, f"VOTERS = {args.voters}\nSETUP_FILE = {str(setup_file)!r}\n"
                      + SETUP_CODE)
        setup_seconds = time.perf_counter() - started
        setup = json.loads(setup_file.read_text())
        plan = plan_requests(setup, args.duplicates, args.seed)
        with gunicorn("wsgi:app", env, workers=args.workers) as base:
            port = int(base.rsplit(":", 1)[1])
            baseline_plan = [{"resident": i % len(setup["tokens"]), "method": "GET",
                              "path": "/api/v1/me"} for i in range(args.baseline)]
            baseline, baseline_elapsed = fire(port, setup["tokens"], baseline_plan,
                                              args.processes, args.threads)
            load_before = os.getloadavg()[0]
            results, elapsed = fire(port, setup["tokens"], plan, args.processes, args.threads)
            load_after = os.getloadavg()[0]
        poll_line = f"poll_id = {setup['poll_id']}\n"
        stored = json.loads(python_in_app(env, poll_line + VERIFY_CODE))
        closing = json.loads(python_in_app(env, poll_line + CLOSE_CODE))

    statuses = Counter(row[1] for row in results)
    accepted_per_resident = Counter(row[0] for row in results if row[1] == 201)
    latencies_ms = [(row[3] - row[2]) * 1000 for row in results]
    accepted_ms = [(row[3] - row[2]) * 1000 for row in results if row[1] == 201]
    expected = expected_tallies(results)
    tallies = {int(k): v for k, v in stored["tallies"].items()}
    recount = {int(k): v for k, v in stored["recount"].items()}
    checks = {
        "every resident got exactly one 201":
            len(accepted_per_resident) == args.voters
            and set(accepted_per_resident.values()) == {1},
        f"{args.duplicates} duplicates refused with 409": statuses[409] == args.duplicates,
        "no other responses": set(statuses) <= {201, 409},
        f"exactly {args.voters} participations, one per resident":
            stored["participations"] == stored["distinct_units"] == args.voters,
        f"exactly {args.voters} ballots": stored["ballots"] == args.voters,
        "tallies equal the accepted answers":
            {k: v for k, v in tallies.items() if v} == dict(expected),
        "tallies equal a recount of the ballots":
            {k: v for k, v in tallies.items() if v} == recount,
        "closing sealed every ballot and notified every participant":
            closing["closed"] and closing["sealed"] == args.voters
            and closing["notifications"] == args.voters and closing["tallies_equal_recount"],
    }

    print(f"vote burst: {args.voters} eligible residents, {args.duplicates} duplicate attempts "
          f"({args.duplicates // 2} racing their first ballot), {len(plan)} requests")
    print(f"gunicorn {args.workers} sync workers on 127.0.0.1, PostgreSQL; client "
          f"{args.processes} processes × {args.threads} threads, Connection: close "
          f"(clients share the machine's {multiprocessing.cpu_count()} cores with the server)")
    print(f"setup (residents, tokens, poll, in one process): {setup_seconds:.1f} s")
    print(f"responses: 201 × {statuses[201]}, 409 × {statuses[409]}, other × "
          f"{sum(n for s, n in statuses.items() if s not in (201, 409))}")
    print(f"burst wall time: {elapsed:.2f} s")
    print(f"ballots per second: {statuses[201] / elapsed:.0f} "
          f"(all requests: {len(results) / elapsed:.0f}/s)")
    baseline_ms = [(row[3] - row[2]) * 1000 for row in baseline]
    print(f"same clients, same run, GET /api/v1/me (token lookup, no write): "
          f"{len(baseline) / baseline_elapsed:.0f} requests/s, p50 "
          f"{statistics.median(baseline_ms):.1f} ms, p99 {percentile(baseline_ms, 0.99):.1f} ms "
          f"(non-200: {sum(1 for row in baseline if row[1] != 200)})")
    print(f"machine load average (1 min) before/after the burst: {load_before:.1f} / "
          f"{load_after:.1f}")
    print(f"latency, all requests: p50 {statistics.median(latencies_ms):.1f} ms, "
          f"p99 {percentile(latencies_ms, 0.99):.1f} ms; accepted ballots: p50 "
          f"{statistics.median(accepted_ms):.1f} ms, p99 {percentile(accepted_ms, 0.99):.1f} ms")
    print(f"closing the poll (seal {args.voters} ballots, recount, {closing['notifications']} "
          f"notifications): {closing['seconds']:.2f} s")
    print("verification:")
    for label, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {label}")
    duplicates_stored = stored["ballots"] - args.voters
    print(f"duplicates stored: {duplicates_stored}; tallies exact: "
          f"{checks['tallies equal the accepted answers'] and checks['tallies equal a recount of the ballots']}")
    if not all(checks.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
