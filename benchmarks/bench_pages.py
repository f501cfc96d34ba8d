"""Benchmark: the app's pages under load, with a team's 90 days of history in the database.

    .venv/bin/python benchmarks/bench_pages.py --database sqlite|postgres --jobs 100000 --users 20 --seconds 30
        [--think 1] [--warmup 5] [--keep-alive] [--web-workers 2] [--web-threads 4] [--quiet-wait 60] [--keep]

It builds everything fresh and throws it away afterwards (`benchkit.Teardown`): a temporary folder
with its own SQLite file (with the ORM broker and the database cache), or the PostgreSQL database
`enhance_bench` (dropped and recreated, then VACUUM ANALYZEd after seeding through `manage.py
dbshell`, as autovacuum would) with Redis db 7 (flushed) as broker and cache; `manage.py migrate`;
then benchmarks/seed_pages.py seeds `--jobs` jobs for ten people over 90 days inside `manage.py
shell` (public model API only), with batches (one of 500 photos), timelines and one ledger entry
per charged job.

Then it starts the production web server (gunicorn as scripts/run-prod.sh runs it, DEBUG off),
logs each person in through the login form, opens each page once per viewer to time it alone
(median of 5), and runs `locust` headless (benchmarks/locust_pages.py) with `--users` logged-in
people, each opening a random page every `--think` seconds on average (0: back to back): first a
`--warmup` run whose figures are thrown away, then the measured `--seconds`. It prints, per page,
the time alone, requests, p50/p95/max under load and failures, then requests/s and the CPU each
part used (gunicorn, locust, the database and Redis servers, anything else): on two cores the load
tool competes with the server, so its share is reported. The number of SQL queries per page is
held by the tests (tests/web/test_page_queries.py). Only loopback traffic; nothing is left running.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import requests

PROJECT_DIR = Path(__file__).resolve().parent.parent

from benchkit import (  # noqa: E402 - benchmarks/ is on the path when run as a script
    Meter,
    Teardown,
    machine_busy_ticks,
    manage,
    postgres_meter,
    read_processes,
    start_web,
    step,
    wait_for_quiet,
)

PG_BENCH_DB = "enhance_bench"
REDIS_BENCH_URL = "redis://127.0.0.1:6379/7"
TIMED_TRIES = 5
TARGET_P95_MS = 100
SEED_TIMEOUT = 1800
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CATEGORIES = ["shoes", "rings", "bags", "watches", "shirts", "lamps", "chairs", "plates", "hats", "belts"]
REVIEWER, ADMIN = "rita", "adam"  # as benchmarks/seed_pages.py names them


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wait_for_quiet(args.quiet_wait)
    with Teardown(keep=args.keep) as teardown:
        workdir = teardown.folder("enhance-bench-pages-")
        env = bench_env(args, workdir, teardown)
        step(f"migrating a fresh database ({env['DATABASE_URL']})")
        manage(env, "migrate", "--noinput", "-v", "0", timeout=300)
        step(f"seeding {args.jobs:,} jobs")
        began = time.monotonic()
        seeded = seed(env, workdir, args.jobs)
        seed_seconds = time.monotonic() - began
        step(f"seeded in {seed_seconds:.1f} s: {seeded['counts']}")
        if args.database == "postgres":
            step("VACUUM ANALYZE (what autovacuum does after a load)")
            manage(env, "dbshell", "--", "-c", "VACUUM ANALYZE", timeout=600)
        web_url, web = start_web(teardown, env, workdir, args.web_workers, args.web_threads)
        plan = write_plan(workdir, seeded, web_url)
        alone = measure_alone(web_url, plan)
        step(f"warming up for {args.warmup:g} s")
        run_locust(args, env, workdir, web_url, args.warmup, "warmup", teardown)
        step(f"measuring for {args.seconds:g} s with {args.users} users")
        stats, cpu = measured_run(args, env, workdir, web_url, web, teardown)
        print_result(args, seeded, seed_seconds, alone, stats, cpu)
        return 0


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
    parser.add_argument("--quiet-wait", type=float, default=60, metavar="SECONDS")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder and the bench database")
    args = parser.parse_args(argv)
    if args.jobs < 3000 or args.users < 1 or args.seconds <= 0 or args.think < 0:
        parser.error("--jobs must be at least 3000; --users and --seconds positive")
    return args


# --- setup -------------------------------------------------------------------------------------------


def bench_env(args: argparse.Namespace, workdir: Path, teardown: Teardown) -> dict[str, str]:
    """Production settings for every manage.py command and the web server: DEBUG off, no HTTPS redirect."""
    env = dict(os.environ)
    for name in ("DJANGO_TEST_DB_NAME", "REDIS_URL", "DJANGO_HTTPS", "DATABASE_CONN_MAX_AGE"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=teardown.database(args.database, workdir, PG_BENCH_DB),
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
        env["REDIS_URL"] = teardown.redis(REDIS_BENCH_URL)
    return env


def seed(env: dict[str, str], workdir: Path, jobs: int) -> dict:
    """benchmarks/seed_pages.py inside `manage.py shell`; what it seeded."""
    out = workdir / "seeded.json"
    code = f"import runpy; runpy.run_path({str(PROJECT_DIR / 'benchmarks/seed_pages.py')!r}, run_name='__main__')"
    manage(
        {**env, "BENCH_SEED_JOBS": str(jobs), "BENCH_SEED_OUT": str(out)},
        "shell",
        "-c",
        code,
        timeout=SEED_TIMEOUT,
    )
    return json.loads(out.read_text())


def log_in(web_url: str, username: str, password: str) -> requests.Session:
    """A person's own browser session, through the login form."""
    session = requests.Session()
    session.trust_env = False  # loopback only, never a proxy
    page = session.get(f"{web_url}/accounts/login/", timeout=30)
    token = CSRF_RE.search(page.text)
    answer = session.post(
        f"{web_url}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token[1] if token else ""},
        headers={"Referer": f"{web_url}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise SystemExit(f"{username} could not log in (HTTP {answer.status_code})")
    return session


def write_plan(workdir: Path, seeded: dict, web_url: str) -> dict:
    """What each locust user needs: its session, its jobs and batch, what it may see."""
    today = date.today()
    everyone = [pk for jobs in seeded["jobs"].values() for pk in jobs[:25]]
    ninety_days = (str(today - timedelta(days=89)), str(today))
    people = []
    for n, name in enumerate(seeded["people"]):
        session = log_in(web_url, name, seeded["password"])
        team = name in (ADMIN, REVIEWER)
        batch = seeded["big_batch"] if team else seeded["batches"].get(name)
        pages = pages_for(CATEGORIES[n % len(CATEGORIES)], batch, batch == seeded["big_batch"], ninety_days)
        if name == ADMIN:
            pages.append(("system", "/system/"))
        if team:  # reviewers and admins see everyone's usage: a different, larger report
            pages = [(page.replace("usage", "usage (team)"), url) for page, url in pages]
        jobs = everyone if team else seeded["jobs"][name]
        people.append({"name": name, "session": session.cookies["sessionid"], "jobs": jobs, "pages": pages})
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


def measure_alone(web_url: str, plan: dict) -> dict[str, float]:
    """Per page name: the median ms of a few requests with nothing else running, over HTTP."""
    results: dict[str, float] = {}
    for person in plan["people"]:
        session = requests.Session()
        session.trust_env = False
        session.cookies.set("sessionid", person["session"])
        for name, url in person["pages"]:
            if name in results:
                continue
            url = web_url + url.replace("{job}", str(person["jobs"][0]))
            timings = []
            for _ in range(TIMED_TRIES):
                began = time.perf_counter()
                response = session.get(url, timeout=60, allow_redirects=False)
                timings.append((time.perf_counter() - began) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{name}: {url} answered {response.status_code} for {person['name']}")
            results[name] = statistics.median(timings)
            step(f"alone: {name}: {results[name]:.1f} ms")
    return results


def run_locust(
    args, env, workdir: Path, url: str, seconds: float, label: str, teardown: Teardown
) -> subprocess.Popen:
    """Run locust headless for `seconds` (waits unless asked not to); its CSV goes to workdir/label_*."""
    command = [
        str(PROJECT_DIR / ".venv/bin/locust"), "-f", str(PROJECT_DIR / "benchmarks/locust_pages.py"),
        "--headless", "--users", str(args.users), "--spawn-rate", str(args.users), "--run-time",
        f"{seconds:g}s", "--host", url, "--csv", str(workdir / label), "--only-summary",
        "--stop-timeout", "5", "--loglevel", "WARNING",
    ]  # fmt: skip
    locust_env = dict(
        env, BENCH_PAGES_PLAN=str(workdir / "plan.json"), BENCH_THINK=str(args.think),
        BENCH_KEEP_ALIVE="1" if args.keep_alive else "0",
    )  # fmt: skip
    process = teardown.start(command, locust_env, workdir / f"{label}.log")
    if label == "warmup":
        process.wait(timeout=seconds + 60)
    return process


def measured_run(
    args, env, workdir: Path, url: str, web: subprocess.Popen, teardown: Teardown
) -> tuple[list[dict], dict]:
    """The measured locust run, with the CPU of each part sampled from /proc every 0.5 s."""
    meters = {"gunicorn": Meter(pgids=(web.pid,))}
    if args.database == "postgres":
        meters["postgres + redis"] = postgres_meter((b"redis-server",))
    processes = read_processes()
    for meter in meters.values():
        meter.sample(processes)
        meter.start_window()
    busy0, total0 = machine_busy_ticks()
    own0, began = sum(os.times()[:2]), time.monotonic()
    locust = run_locust(args, env, workdir, url, args.seconds, "run", teardown)
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
    counts = seeded["counts"]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True
    ).stdout.strip()
    print(f"\n{time.strftime('%Y-%m-%d %H:%M')} UTC, commit {commit}")
    print(f"\n{backend}: {counts['jobs']:,} jobs, {counts['charges']:,} ledger entries, ")
    print(f"{counts['events']:,} timeline events (seeded in {seed_seconds:.0f} s); {args.users} users, ")
    connections = "kept" if args.keep_alive else "one per request"
    print(
        f"think time {args.think:g} s, {args.seconds:g} s measured, gunicorn {args.web_workers}x{args.web_threads}, "
        f"connections: {connections}\n"
    )
    print("| page | alone (ms) | requests | p50 (ms) | p95 (ms) | max (ms) | failures |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    total = None
    for row in stats:
        if row["Name"] == "Aggregated":
            total = row
            continue
        alone_ms = alone.get(row["Name"], float("nan"))
        print(
            f"| {row['Name']} | {alone_ms:.0f} | {row['Request Count']} | {row['50%']} "
            f"| {row['95%']} | {float(row['Max Response Time']):.0f} | {row['Failure Count']} |"
        )
    if total is None:
        print("no requests were made")
        return
    print(
        f"| **all pages** | | {total['Request Count']} | {total['50%']} | {total['95%']} "
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
        f"| {backend} | {counts['jobs']:,} | {args.users}, {args.think:g} s | {rate:.1f} "
        f"| {total['50%']} ms | {total['95%']} ms | {worst:.0f} ms | {float(total['Max Response Time']):.0f} ms "
        f"| {cpu['gunicorn']:.0%} / {database_cpu:.0%} / {cpu['locust']:.0%} / {cpu['anything else']:.0%} |\n"
    )
    print(
        "CPU in the window (share of one core): "
        + ", ".join(f"{name} {share:.0%}" for name, share in cpu.items())
        + f" (of {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    sys.exit(main())
