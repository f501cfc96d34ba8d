"""Benchmark: the app's pages under load, with a team's 90 days of history in the database.

    .venv/bin/python scripts/bench_pages.py --database sqlite|postgres --jobs 100000 --users 20 --seconds 30
        [--think 1] [--warmup 5] [--keep-alive] [--web-workers 2] [--web-threads 4] [--quiet-wait 60] [--keep]
        [--pg-db enhance_bench_pages] [--redis-db 8]

It builds everything fresh and throws it away afterwards: a temporary folder with its own SQLite file
(with the ORM broker and the database cache), or the PostgreSQL database `--pg-db` (dropped and
recreated, then VACUUM ANALYZEd after seeding as autovacuum would) with Redis db `--redis-db` (flushed) as
broker and cache; `manage.py migrate`; then scripts/seed_pages.py seeds `--jobs` jobs for ten people
over 90 days, with batches (one of 500 photos), timelines and one ledger entry per charged job.

Before any load it opens each page once per viewer in this process (Django's test client, same
settings) to count its SQL queries and time it alone (median of 5). Then it starts the production web
server, `scripts/run-prod.sh` with ROLE=web (gunicorn, DEBUG off, a random secret key, static files by
whitenoise, no HTTPS redirect), and `locust` headless (scripts/locust_pages.py) with `--users`
logged-in people, each opening a random page every `--think` seconds on average (0: back to back):
first a `--warmup` run whose figures are thrown away, then the measured `--seconds`. It reads
locust's CSV and prints, per page, the queries, the time alone, requests, p50/p95/max under load and
failures, then requests/s and the CPU each part used in the window (gunicorn, locust, the database
and Redis servers, anything else): on two cores the load tool competes with the server, so its share
is reported. Only loopback traffic; nothing is left running.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from scripts.benchkit import (  # noqa: E402
    Meter,
    drop_postgres,
    fresh_postgres,
    machine_busy_ticks,
    postgres_meter,
    read_processes,
    step,
    wait_for_quiet,
)

PG_BENCH_DB = "enhance_bench_pages"
REDIS_BENCH_DB = 8
MIGRATE_TIMEOUT = 300
START_TIMEOUT = 120
STOP_GRACE_SECONDS = 25
TIMED_TRIES = 5
TARGET_P95_MS = 100


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    wait_for_quiet(args.quiet_wait)
    workdir = Path(tempfile.mkdtemp(prefix="enhance-bench-pages-"))
    web: subprocess.Popen | None = None
    try:
        env = bench_env(args, workdir)
        step(f"migrating a fresh database ({env['DATABASE_URL']})")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=PROJECT_DIR, env=env, check=True, timeout=MIGRATE_TIMEOUT,
        )  # fmt: skip
        os.environ.update(env)
        import django

        django.setup()
        from scripts import seed_pages

        step(f"seeding {args.jobs:,} jobs")
        began = time.monotonic()
        seeded = seed_pages.seed(args.jobs)
        seed_seconds = time.monotonic() - began
        step(f"seeded in {seed_seconds:.1f} s: {seeded.counts}")
        if args.database == "postgres":
            settle_postgres()
        plan = write_plan(workdir, seeded)
        alone = measure_alone(plan)
        from django.db import connections

        connections.close_all()
        web = start_web(env, workdir, args)
        url = f"http://127.0.0.1:{args.port}"
        step(f"warming up for {args.warmup:g} s")
        run_locust(args, env, workdir, url, args.warmup, "warmup")
        step(f"measuring for {args.seconds:g} s with {args.users} users")
        stats, cpu = measured_run(args, env, workdir, url, web)
        print_result(args, seeded, seed_seconds, alone, stats, cpu)
        return 0
    finally:
        if web is not None:
            stop_web(web)
        cleanup(args, workdir)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument(
        "--think", type=float, default=1.0,
        help="seconds each user waits between pages, on average (0.5x to 1.5x); 0 = back to back",
    )  # fmt: skip
    parser.add_argument(
        "--keep-alive", action="store_true",
        help="clients keep their connection (a browser on gunicorn itself); default: one per request, "
        "as from a reverse proxy such as nginx",
    )  # fmt: skip
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--quiet-wait", type=float, default=60, metavar="SECONDS")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder and the bench database")
    parser.add_argument("--pg-db", default=PG_BENCH_DB, help="PostgreSQL database to drop, make and drop")
    parser.add_argument(
        "--redis-db", type=int, default=REDIS_BENCH_DB, help="Redis db number to flush and use"
    )
    args = parser.parse_args(argv)
    if args.jobs < 100 or args.users < 1 or args.seconds <= 0 or args.think < 0:
        parser.error("--jobs must be at least 100; --users and --seconds positive")
    args.port = args.port or free_port()
    args.redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    return args


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


# --- setup -------------------------------------------------------------------------------------------


def bench_env(args: argparse.Namespace, workdir: Path) -> dict[str, str]:
    """Production settings for migrate, this process and the web server: DEBUG off, no HTTPS redirect."""
    env = dict(os.environ)
    for name in ("DJANGO_TEST_DB_NAME", "REDIS_URL", "DJANGO_HTTPS", "DATABASE_CONN_MAX_AGE"):
        env.pop(name, None)
    database = (
        f"sqlite:///{workdir / 'bench.sqlite3'}" if args.database == "sqlite" else fresh_postgres(args.pg_db)
    )
    env.update(
        DATABASE_URL=database,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        HITPAW_API_KEY="bench-key",  # a key, so not sandbox mode; nothing here calls HitPaw
        ENHANCER_MEDIA_ROOT=str(workdir / "media"),
        DJANGO_SETTINGS_MODULE="hitpaw_site.settings",
        NO_PROXY="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    if args.database == "postgres":
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        env["REDIS_URL"] = args.redis_url
    return env


def settle_postgres() -> None:
    """VACUUM ANALYZE, as autovacuum soon does after a big load: planner statistics and index-only scans."""
    from django.db import connection

    step("VACUUM ANALYZE (what autovacuum does after a load)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def write_plan(workdir: Path, seeded) -> dict:
    """What each locust user needs: its session, its jobs and batch, what it may see."""
    from django.utils import timezone

    from scripts.seed_pages import ADMIN, CATEGORIES, REVIEWER

    today = timezone.localdate()
    everyone = [pk for jobs in seeded.jobs.values() for pk in jobs[:25]]
    ninety_days = (str(today - timedelta(days=89)), str(today))
    people = []
    for n, (name, session) in enumerate(seeded.sessions.items()):
        team = name in (ADMIN, REVIEWER)
        batch = seeded.big_batch if team else seeded.batches.get(name)
        pages = pages_for(CATEGORIES[n % len(CATEGORIES)], batch, batch == seeded.big_batch, ninety_days)
        if name == ADMIN:
            pages.append(("system", "/system/"))
        if team:  # reviewers and admins see everyone's usage: a different, larger report
            pages = [(page.replace("usage", "usage (team)"), url) for page, url in pages]
        jobs = everyone if team else seeded.jobs[name]
        people.append({"name": name, "session": session, "jobs": jobs, "pages": pages})
    plan = {"people": people}
    (workdir / "plan.json").write_text(json.dumps(plan))
    return plan


def pages_for(
    search: str, batch: int | None, big: bool, ninety_days: tuple[str, str]
) -> list[tuple[str, str]]:
    """(name in the report, URL) of each page one person opens; `{job}` is one of their jobs."""
    start, end = ninety_days
    pages = [
        ("job page", "/jobs/{job}/"),
        ("history", "/jobs/"),
        ("history, search", f"/jobs/?q={search}&status=done"),
        ("usage, this month", "/usage/"),
        ("usage, 90 days", f"/usage/?range=custom&start={start}&end={end}"),
    ]
    if batch:
        size = "500 photos" if big else "small"
        pages += [
            (f"batch page ({size})", f"/batches/{batch}/"),
            (f"batch status.json ({size})", f"/batches/{batch}/status.json"),
        ]
    return pages


def measure_alone(plan: dict) -> dict[str, tuple[int, float]]:
    """Per page name: (SQL queries, median ms of a few requests with nothing else running), in-process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    results: dict[str, tuple[int, float]] = {}
    for person in plan["people"]:
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = person["session"]
        for name, url in person["pages"]:
            if name in results:
                continue
            url = url.replace("{job}", str(person["jobs"][0]))
            timings = []
            for _ in range(TIMED_TRIES):
                with CaptureQueriesContext(connection) as queries:
                    began = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - began) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{name}: {url} answered {response.status_code} for {person['name']}")
            results[name] = (len(queries.captured_queries), statistics.median(timings))
            step(f"alone: {name}: {results[name][0]} queries, {results[name][1]:.1f} ms")
    return results


def start_web(env: dict[str, str], workdir: Path, args: argparse.Namespace) -> subprocess.Popen:
    """scripts/run-prod.sh with ROLE=web, in its own session; returns once it answers."""
    step(f"starting the web server (gunicorn {args.web_workers} workers x {args.web_threads} threads)")
    web_env = dict(
        env, ROLE="web", BIND=f"127.0.0.1:{args.port}", WEB_WORKERS=str(args.web_workers),
        WEB_THREADS=str(args.web_threads),
    )  # fmt: skip
    log = (workdir / "web.log").open("wb")
    web = subprocess.Popen(
        ["scripts/run-prod.sh"], cwd=PROJECT_DIR, env=web_env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise SystemExit(f"the web server exited: see {workdir / 'web.log'}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=5)
            return web
        except urllib.error.HTTPError:
            return web  # it answers (503 is fine: no task cluster runs)
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the web server did not answer in time")


def gunicorn_group(web: subprocess.Popen) -> int:
    """The process group of the gunicorn master run-prod.sh started (setsid: its own session)."""
    for path, fields, _ in read_processes():
        if int(fields[1]) == web.pid and b"gunicorn" in Path(path, "cmdline").read_bytes():
            return int(fields[2])
    raise SystemExit("no gunicorn process found under run-prod.sh")


def run_locust(args, env, workdir: Path, url: str, seconds: float, label: str) -> subprocess.Popen:
    """Run locust headless for `seconds` (waits unless asked not to); its CSV goes to workdir/label_*."""
    command = [
        str(PROJECT_DIR / ".venv/bin/locust"), "-f", str(PROJECT_DIR / "scripts/locust_pages.py"),
        "--headless", "--users", str(args.users), "--spawn-rate", str(args.users), "--run-time",
        f"{seconds:g}s", "--host", url, "--csv", str(workdir / label), "--only-summary",
        "--stop-timeout", "5", "--loglevel", "WARNING",
    ]  # fmt: skip
    locust_env = dict(
        env, BENCH_PAGES_PLAN=str(workdir / "plan.json"), BENCH_THINK=str(args.think),
        BENCH_KEEP_ALIVE="1" if args.keep_alive else "0",
    )  # fmt: skip
    log = (workdir / f"{label}.log").open("wb")
    process = subprocess.Popen(
        command, cwd=workdir, env=locust_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    if label == "warmup":
        process.wait(timeout=seconds + 60)
    return process


def measured_run(args, env, workdir: Path, url: str, web: subprocess.Popen) -> tuple[list[dict], dict]:
    """The measured locust run, with the CPU of each part sampled from /proc every 0.5 s."""
    meters = {"gunicorn": Meter(pgids=(gunicorn_group(web),))}
    if args.database == "postgres":
        meters["postgres + redis"] = postgres_meter((b"redis-server",))
    processes = read_processes()
    for meter in meters.values():
        meter.sample(processes)
        meter.start_window()
    busy0, total0 = machine_busy_ticks()
    own0, began = sum(os.times()[:2]), time.monotonic()
    locust = run_locust(args, env, workdir, url, args.seconds, "run")
    meters["locust"] = Meter(pgids=(locust.pid,))
    meters["locust"].start_window()
    while locust.poll() is None:
        processes = read_processes()
        for meter in meters.values():
            meter.sample(processes)
        time.sleep(0.5)
    window = time.monotonic() - began
    busy1, total1 = machine_busy_ticks()
    cpu = {name: meter.cpu_seconds() / window for name, meter in meters.items()}
    cpu["this script"] = (sum(os.times()[:2]) - own0) / window
    busy_cores = (busy1 - busy0) / max(total1 - total0, 1) * os.cpu_count()
    cpu["anything else"] = max(0.0, busy_cores - sum(cpu.values()))
    if locust.returncode not in (0, 1):  # 1: some requests failed, which the table shows
        raise SystemExit(f"locust failed: see {workdir / 'run.log'}")
    with (workdir / "run_stats.csv").open() as stats_file:
        return list(csv.DictReader(stats_file)), cpu


# --- report ------------------------------------------------------------------------------------------


def print_result(args, seeded, seed_seconds: float, alone: dict, stats: list[dict], cpu: dict) -> None:
    backend = "SQLite + ORM broker" if args.database == "sqlite" else "PostgreSQL + Redis"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True
    ).stdout.strip()
    print(f"\n{time.strftime('%Y-%m-%d %H:%M')} UTC, commit {commit}")
    print(f"\n{backend}: {seeded.counts['jobs']:,} jobs, {seeded.counts['charges']:,} ledger entries, ")
    print(
        f"{seeded.counts['events']:,} timeline events (seeded in {seed_seconds:.0f} s); {args.users} users, "
    )
    connections = "kept" if args.keep_alive else "one per request"
    print(
        f"think time {args.think:g} s, {args.seconds:g} s measured, gunicorn {args.web_workers}x{args.web_threads}, "
        f"connections: {connections}\n"
    )
    print("| page | queries | alone (ms) | requests | p50 (ms) | p95 (ms) | max (ms) | failures |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    total = None
    for row in stats:
        if row["Name"] == "Aggregated":
            total = row
            continue
        queries, alone_ms = alone.get(row["Name"], (0, float("nan")))
        print(
            f"| {row['Name']} | {queries} | {alone_ms:.0f} | {row['Request Count']} | {row['50%']} "
            f"| {row['95%']} | {float(row['Max Response Time']):.0f} | {row['Failure Count']} |"
        )
    if total is None:
        print("no requests were made")
        return
    print(
        f"| **all pages** | | | {total['Request Count']} | {total['50%']} | {total['95%']} "
        f"| {float(total['Max Response Time']):.0f} | {total['Failure Count']} |"
    )
    rate = float(total["Requests/s"])
    worst = max(float(row["95%"]) for row in stats if row["Name"] != "Aggregated")
    verdict = "met" if worst <= TARGET_P95_MS else "NOT met"
    print(
        f"\n{rate:.1f} requests/s; worst page p95 {worst:.0f} ms: target p95 <= {TARGET_P95_MS} ms {verdict}"
    )
    database_cpu = cpu.get("postgres + redis", 0.0)
    print(
        "\n| set-up | jobs | users, think | requests/s | p50 | p95 | worst page p95 | max "
        "| CPU: gunicorn / database / locust / other |\n|---|---:|---|---:|---:|---:|---:|---:|---|"
    )
    print(
        f"| {backend} | {seeded.counts['jobs']:,} | {args.users}, {args.think:g} s | {rate:.1f} "
        f"| {total['50%']} ms | {total['95%']} ms | {worst:.0f} ms | {float(total['Max Response Time']):.0f} ms "
        f"| {cpu['gunicorn']:.0%} / {database_cpu:.0%} / {cpu['locust']:.0%} / {cpu['anything else']:.0%} |\n"
    )
    print(
        "CPU in the window (share of one core): "
        + ", ".join(f"{name} {share:.0%}" for name, share in cpu.items())
        + f" (of {os.cpu_count()} cores)"
    )


# --- teardown ----------------------------------------------------------------------------------------


def stop_web(web: subprocess.Popen) -> None:
    """SIGTERM to run-prod.sh (it stops gunicorn's group); SIGKILL whatever is left after a grace."""
    step("stopping the web server")
    try:
        group = gunicorn_group(web)
    except SystemExit:
        group = None
    os.killpg(web.pid, signal.SIGTERM)
    try:
        web.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(web.pid, signal.SIGKILL)
        web.wait()
    if group is not None:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass  # already gone, as it should be


def cleanup(args: argparse.Namespace, workdir: Path) -> None:
    if args.keep:
        step(f"kept {workdir}" + (f" and database {args.pg_db}" if args.database == "postgres" else ""))
        return
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: BLE001 - Django may never have been set up
        pass
    if args.database == "postgres":
        drop_postgres(args.pg_db)
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
