"""Shared benchmark plumbing: a throwaway Linli database, gunicorn servers, wrk runs."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def linli_environment(database_url: str | None = None, redis_url: str | None = None):
    """Environment variables for a fresh Linli with demo data (SQLite in a temp dir by default)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "FLASK_APP": "wsgi.py",
            "LINLI_ENV": "development",
            "SECRET_KEY": "benchmark-secret-key-0123456789abcdef",
            "DATABASE_URL": database_url or f"sqlite:///{tmp}/bench.db",
            "MEDIA_ROOT": f"{tmp}/media",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
        for name in [n for n in env if n.startswith("WECHAT_")]:
            env.pop(name)
        if database_url and database_url.startswith("postgres"):
            ensure_postgres_database(database_url)
            _reset_postgres(env)
        run_flask(env, "db", "upgrade")
        run_flask(env, "demo", "seed")
        yield env


def ensure_postgres_database(database_url: str) -> None:
    """Create the PostgreSQL database named in `database_url` unless it exists."""
    import sqlalchemy as sa

    url = sa.make_url(database_url).set(drivername="postgresql+psycopg")
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": url.database})
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    finally:
        server.dispose()


def _reset_postgres(env):
    code = ("from app import create_app; from app.extensions import db\n"
            "app = create_app()\n"
            "with app.app_context(), db.engine.begin() as c:\n"
            "    c.exec_driver_sql('DROP SCHEMA public CASCADE; CREATE SCHEMA public')\n")
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


def run_flask(env, *args) -> str:
    result = subprocess.run([str(BIN / "flask"), *args], env=env, cwd=ROOT, check=True,
                            capture_output=True, text=True)
    return result.stdout


def python_in_app(env, code: str) -> str:
    """Run Python inside a Linli app context and return what it printed."""
    wrapper = ("from app import create_app\napp = create_app()\n"
               "with app.app_context():\n" + "".join(f"    {line}\n" for line in code.splitlines()))
    result = subprocess.run([sys.executable, "-c", wrapper], env=env, cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        result.check_returncode()
    return result.stdout.strip()


@contextlib.contextmanager
def gunicorn(app_path: str, env: dict, *, workers: int = 2, worker_class: str = "sync"):
    """Serve `app_path` with gunicorn on 127.0.0.1; yields the base URL."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-k", worker_class, "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", app_path],
        env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=1)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"gunicorn {app_path} did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def _to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str, *, seconds: int = 8, connections: int = 16, threads: int = 2,
        headers: dict | None = None, script: str | None = None) -> LoadResult:
    """Load `url` with wrk (Debian package `wrk`) and parse its figures."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
               "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", script]
    output = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                          output):
        errors += sum(int(n) for n in match.groups())
    return LoadResult(rps, p50, p99, errors)
