"""Periodic sweeps: idempotent jobs run every few minutes (overdue escalation, poll closing, ...).

A domain declares a sweep with `@every(minutes=5)` in its `jobs.py`. The clock (`flask clock`,
or the thread `flask worker` starts) enqueues each sweep when it is due. Sweeps are written so
that two clocks running at once are harmless (`UPDATE ... WHERE escalated_at IS NULL`); with
Redis, a `SET NX EX` lock also keeps a sweep from being enqueued twice in one interval.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from flask import Flask

from app import jobs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str
    func: Callable[[], None]
    interval_seconds: int


SWEEPS: dict[str, Sweep] = {}


def every(*, minutes: int = 0, seconds: int = 0):
    """Declare a sweep; the decorated function takes no arguments."""

    def register(func: Callable[[], None]) -> Callable[[], None]:
        name = f"{func.__module__}.{func.__qualname__}"
        SWEEPS[name] = Sweep(name, func, minutes * 60 + seconds)
        return func

    return register


# Jobs modules outside app/ whose sweeps run too.
OTHER_JOBS_MODULES = ["bot.jobs"]


def load_sweeps() -> None:
    """Import every domain's jobs module so that its sweeps are declared."""
    import importlib
    import pkgutil

    import app as package

    for name in OTHER_JOBS_MODULES:
        importlib.import_module(name)
    for module in pkgutil.iter_modules(package.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"app.{module.name}.jobs")
            except ModuleNotFoundError as exc:
                if exc.name != f"app.{module.name}.jobs":
                    raise


def run_all_now(app: Flask) -> list[str]:
    """Run every sweep once, in this process (tests, cron users, `flask jobs sweep`)."""
    load_sweeps()
    names = []
    for sweep in SWEEPS.values():
        with app.app_context():
            sweep.func()
        names.append(sweep.name)
    return names


def _claim(app: Flask, sweep: Sweep, last_run: dict[str, float]) -> bool:
    if app.config.get("REDIS_URL"):
        try:
            client = jobs.redis_connection(app)
            return bool(client.set(f"linli:sweep:{sweep.name}", "1", nx=True,
                                   ex=max(sweep.interval_seconds - 1, 1)))
        except redis.RedisError as exc:
            log.warning("clock cannot reach Redis, skipping %s: %s", sweep.name, exc)
            return False
    due = last_run.get(sweep.name, 0) + sweep.interval_seconds <= time.monotonic()
    if due:
        last_run[sweep.name] = time.monotonic()
    return due


def run_clock(app: Flask, stop: threading.Event, tick_seconds: float = 5.0) -> None:
    """Enqueue each sweep when due until `stop` is set."""
    load_sweeps()
    last_run: dict[str, float] = {}
    log.info("clock started with %d sweeps", len(SWEEPS))
    while not stop.is_set():
        for sweep in SWEEPS.values():
            if _claim(app, sweep, last_run):
                with app.app_context():
                    try:
                        jobs.enqueue(sweep.func)
                    except Exception:
                        log.exception("sweep %s failed", sweep.name)
        stop.wait(tick_seconds)
