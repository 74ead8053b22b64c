"""WeChat pushes to /wechat under load: how far the synchronous part stays from the 5 s deadline.

    python -m benchmarks.bot_callbacks [--redis-url redis://127.0.0.1:6379/8]
                                       [--database-url postgresql://...] [--seconds 6]

Serves Linli with gunicorn (4 sync workers, demo data, the official account configured in safe
mode, WeChat's API played by the fake server so that jobs have somewhere to go), then loads
/wechat from 127.0.0.1 with wrk and a Lua script holding pre-built encrypted pushes, each with
its own MsgId (signed and encrypted exactly as WeChat does, bot/pusher.py), from 200 followers
who have each written once before (so the load is the steady state, not first contacts).
Scenarios: encrypted text pushes and encrypted voice pushes (Recognition set), after a bare
Flask hello-world under the same settings (the machine's own floor in this run). Prints
requests/s, p50 and p99, and p99 as a fraction of WeChat's 5-second deadline.

With --redis-url the dedupe uses Redis and jobs go to rq (nothing runs inline in the request);
without it the receipts are rows in the database and jobs run inline. The Redis database given
is flushed before and after.
"""

from __future__ import annotations

import argparse
import tempfile
import urllib.request
from pathlib import Path

from benchmarks.harness import LoadResult, gunicorn, linli_environment, wrk
from bot.pusher import WeChatPusher

DEADLINE_MS = 5000
TARGET_P99_MS = 50
FOLLOWERS = 200
TOKEN = "benchmark-token"
APP_ID = "wxbenchmark00001"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

TEXTS = ["你好", "0", "2", "我要查进度", "9", "返回"]
RECOGNITIONS = ["二。", "嗯，我选第三个。", "查进度。", "你好。", "", "长辈模式。"]

LUA_TEMPLATE = """
local pushes = {
%(pushes)s
}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  position = tid
end
local headers = {["Content-Type"] = "text/xml", ["Connection"] = "close"}
function request()
  local push = pushes[(position %% #pushes) + 1]
  position = position + %(threads)d
  return wrk.format("POST", push[1], headers, push[2])
end
"""


def pushers() -> list[WeChatPusher]:
    return [WeChatPusher(TOKEN, appid=APP_ID, aes_key=AES_KEY, openid=f"oBENCH{n:05d}")
            for n in range(FOLLOWERS)]


def lua_script(pushes, threads: int, directory: Path) -> str:
    entries = ",\n".join(f"{{[==[{push.url('/wechat')}]==], [==[{push.body.decode()}]==]}}"
                         for push in pushes)
    path = directory / "pushes.lua"
    path.write_text(LUA_TEMPLATE % {"pushes": entries, "threads": threads}, encoding="utf-8")
    return str(path)


def build_pushes(kind: str, count: int) -> list:
    followers = pushers()
    pushes = []
    for n in range(count):
        pusher = followers[n % FOLLOWERS]
        if kind == "text":
            pushes.append(pusher.text(TEXTS[n % len(TEXTS)], mode="aes"))
        else:
            pushes.append(pusher.voice(RECOGNITIONS[n % len(RECOGNITIONS)], mode="aes"))
    return pushes


def warm_up(base: str, workers: int) -> None:
    """One message from every follower, so that each has a record and a dialog row; then every
    text and voice message of the scenarios several times over, so that each worker has served
    each kind once (its first answer of a kind costs up to ~100 ms more: imports, compiled SQL)
    and the figures are the steady state."""
    followers = pushers()
    warm_pushes = [pusher.text("你好", mode="aes") for pusher in followers]
    for round_number in range(4 * workers):
        pusher = followers[round_number % FOLLOWERS]
        warm_pushes += [pusher.text(text, mode="aes") for text in TEXTS]
        warm_pushes += [pusher.voice(words, mode="aes") for words in RECOGNITIONS]
    for push in warm_pushes:
        request = urllib.request.Request(base + push.url("/wechat"), data=push.body,
                                         headers={"Content-Type": "text/xml",
                                                  "Connection": "close"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200


def flush_redis(url: str | None) -> None:
    if url:
        import redis

        redis.Redis.from_url(url).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite in a temp dir)")
    parser.add_argument("--redis-url", help="Redis for dedupe and rq (flushed!)")
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pushes", type=int, default=20000,
                        help="distinct pushes per scenario (more than wrk will send)")
    args = parser.parse_args()

    from tests.fakes.wechat_server import running_fake_wechat

    flush_redis(args.redis_url)
    rows: list[tuple[str, LoadResult]] = []
    with running_fake_wechat() as fake, tempfile.TemporaryDirectory() as tmp, \
            linli_environment(args.database_url, args.redis_url) as env:
        env = {**env, "WECHAT_OA_TOKEN": TOKEN, "WECHAT_OA_APP_ID": APP_ID,
               "WECHAT_OA_SECRET": "benchmark-secret", "WECHAT_OA_AES_KEY": AES_KEY,
               "WECHAT_API_BASE": fake.base_url}
        with gunicorn("benchmarks.bare_app:app", env, workers=args.workers) as bare:
            rows.append(("bare Flask /hello", wrk(
                bare + "/hello", seconds=args.seconds, connections=args.connections,
                threads=args.threads, headers={"Connection": "close"})))
        with gunicorn("wsgi:app", env, workers=args.workers) as base:
            warm_up(base, args.workers)
            for kind in ("text", "voice"):
                script = lua_script(build_pushes(kind, args.pushes), args.threads, Path(tmp))
                result = wrk(base + "/wechat", seconds=args.seconds,
                             connections=args.connections, threads=args.threads,
                             script=script)
                rows.append((f"encrypted {kind} push", result))
    flush_redis(args.redis_url)

    database = "PostgreSQL" if args.database_url else "SQLite"
    dedupe = "Redis SET NX EX, jobs to rq" if args.redis_url else "database receipts, jobs inline"
    print(f"gunicorn {args.workers} sync workers, wrk {args.connections} connections × "
          f"{args.seconds}s (Connection: close), {database}, dedupe: {dedupe}")
    print(f"{'scenario':24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'p99/5s':>8}")
    for label, result in rows:
        print(f"{label:24} {result.requests_per_second:8.0f} {result.p50_ms:8.1f} "
              f"{result.p99_ms:8.1f} {result.errors:7d} {result.p99_ms / DEADLINE_MS:8.4f}")
    worst = max(result.p99_ms for label, result in rows if label.startswith("encrypted"))
    print(f"target: p99 ≤ {TARGET_P99_MS} ms for the synchronous part: "
          f"{'met' if worst <= TARGET_P99_MS else 'NOT met'} (worst p99 {worst:.1f} ms)")
    if args.pushes < max(result.requests_per_second for label, result in rows
                         if label.startswith("encrypted")) * args.seconds:
        print("note: wrk sent more requests than there were distinct pushes; "
              "the rest were answered as WeChat retries")


if __name__ == "__main__":
    main()
