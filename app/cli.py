"""Process commands: `flask worker`, `flask clock`, `flask jobs ...`."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from app import jobs, periodic


@click.group("jobs", help="Background jobs and periodic sweeps.")
def jobs_group():
    pass


@jobs_group.command("sweep")
@with_appcontext
def sweep_command():
    """Run every periodic sweep once, now, in this process (for cron or by hand)."""
    names = periodic.run_all_now(current_app._get_current_object())
    click.echo(f"ran {len(names)} sweeps")


@jobs_group.command("drain")
@with_appcontext
def drain_command():
    """Run every queued rq job now, in this process, then exit."""
    count = jobs.run_queued_jobs(current_app._get_current_object())
    click.echo(f"ran {count} jobs")


def _start_clock(app) -> threading.Event:
    stop = threading.Event()
    thread = threading.Thread(target=periodic.run_clock, args=(app, stop), daemon=True,
                              name="linli-clock")
    thread.start()
    return stop


@click.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
@click.option("--clock/--no-clock", default=True, help="Also enqueue the periodic sweeps.")
@click.option("--simple", is_flag=True, help="Run jobs in this process instead of forking.")
@with_appcontext
def worker_command(burst, clock, simple):
    """Run an rq worker (with its scheduler, for retries) inside the app context."""
    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: jobs run inline, no worker is needed "
                                   "(run `flask clock` for the periodic sweeps)")
    periodic.load_sweeps()
    stop = _start_clock(app) if clock and not burst else None
    try:
        jobs.make_worker(app, simple=simple).work(burst=burst, with_scheduler=True)
    finally:
        if stop:
            stop.set()


@click.command("clock")
@click.option("--tick", default=5.0, show_default=True, help="Seconds between checks.")
@with_appcontext
def clock_command(tick):
    """Enqueue (with Redis) or run (inline) each periodic sweep when it is due, until stopped."""
    app = current_app._get_current_object()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        periodic.run_clock(app, stop, tick_seconds=tick)
    except KeyboardInterrupt:
        stop.set()


commands = [jobs_group, worker_command, clock_command]
