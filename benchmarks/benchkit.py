"""What the benchmarks share: a quiet machine, fresh databases, the app's processes, one teardown.

Used by benchmarks/bench_e2e.py (run as a script, so this folder is on its import path). Nothing
here imports the app: it builds and drops the PostgreSQL database and Redis db a run names, starts
the production processes (`manage.py`, gunicorn) each in its own session, measures processes by
group or by name from /proc, and `Teardown` undoes all of it, also when a run is interrupted.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
STOP_GRACE_SECONDS = 10
START_TIMEOUT = 60
QUIET_SHARE = 0.2
OTHER_LOAD_WARNING = 0.3  # of one core
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def step(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def wait_for_quiet(timeout: float) -> None:
    """Wait until the CPUs are mostly idle for 3 s, or `timeout` has passed (then say so)."""
    deadline = time.monotonic() + timeout
    while True:
        busy0, total0 = machine_busy_ticks()
        time.sleep(3)
        busy1, total1 = machine_busy_ticks()
        share = (busy1 - busy0) / max(total1 - total0, 1)
        if share < QUIET_SHARE:
            return
        if time.monotonic() > deadline:
            step(f"WARNING: the machine is {share:.0%} busy with other work; results will be skewed")
            return
        step(f"machine {share:.0%} busy with other work; waiting for it to settle")


def interrupt(signum, frame) -> None:
    """SIGTERM handler: unwind like Ctrl-C, so every `finally` stops what the run started."""
    raise KeyboardInterrupt


# --- databases ---------------------------------------------------------------------------------------


def fresh_database(kind: str, workdir: Path, pg_name: str) -> str:
    """A DATABASE_URL for an empty database: a new SQLite file, or `pg_name` dropped and made again."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    return fresh_postgres(pg_name)


def fresh_postgres(name: str) -> str:
    """Drop and create the PostgreSQL database `name` on 127.0.0.1:5432; its URL."""
    drop_postgres(name)
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def drop_postgres(pg_name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# --- processes ---------------------------------------------------------------------------------------


class Meter:
    """Peak RSS and CPU time of some processes, read from /proc (psutil is not installed).

    It picks processes by process group or by a word in their command line. `reaper` is a process
    whose children (picked too) may come and go faster than we sample: PostgreSQL's postmaster, one
    backend per connection, each in its own session. A dead child's CPU is read from the reaper's
    reaped-children counters.
    """

    def __init__(self, pgids: tuple[int, ...] = (), names: tuple[bytes, ...] = (), reaper: int = 0):
        self.pgids, self.names, self.reaper = pgids, names, reaper
        self.peak_rss_kb = 0
        self.ticks: dict[int, list[int]] = {}  # pid -> [ticks at window start (0 if born since), latest]
        self.dead_adjust = 0
        self.in_window = False

    def matches(self, path: str, fields: list[str]) -> bool:
        if int(fields[2]) in self.pgids or (self.reaper and int(fields[1]) == self.reaper):
            return True
        if not self.names:
            return False
        try:
            cmdline = Path(path, "cmdline").read_bytes()
        except OSError:
            return False  # it has just exited
        return any(name in cmdline for name in self.names)

    def sample(self, processes: list[tuple[str, list[str], int]]) -> None:
        rss, alive = 0, set()
        for path, fields, rss_kb in processes:
            if not self.matches(path, fields):
                continue
            pid, rss = int(Path(path).name), rss + rss_kb
            ticks = sum(int(v) for v in fields[11 : 15 if pid == self.reaper else 13])
            self.ticks.setdefault(pid, [0 if self.in_window else ticks, ticks])[1] = ticks
            alive.add(pid)
        self.peak_rss_kb = max(self.peak_rss_kb, rss)
        if self.reaper:  # a dead child's whole life now sits in the reaper's counters: count it once
            for pid in self.ticks.keys() - alive:
                self.dead_adjust -= self.ticks.pop(pid)[0]

    def start_window(self) -> None:
        self.ticks = {pid: [latest, latest] for pid, (_, latest) in self.ticks.items()}
        self.dead_adjust, self.in_window = 0, True

    def cpu_seconds(self) -> float:
        """CPU used in the window (a worker that died loses at most its last half second)."""
        used = sum(latest - first for first, latest in self.ticks.values()) + self.dead_adjust
        return used / CLOCK_TICKS


def read_processes() -> list[tuple[str, list[str], int]]:
    """(/proc path, stat fields after the command name, VmRSS kB) of every live process."""
    processes = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            rss = re.search(r"^VmRSS:\s+(\d+)", Path(entry.path, "status").read_text(), re.M)
            processes.append((entry.path, fields, int(rss[1]) if rss else 0))
        except (OSError, ValueError, IndexError):
            continue  # the process went away between the listing and the read
    return processes


def sample_all(meters: list[Meter]) -> None:
    processes = read_processes()
    for meter in meters:
        meter.sample(processes)


def server_meter(database: str, broker: str) -> Meter:
    """The database and broker servers this configuration uses (SQLite lives inside its users)."""
    names = (b"redis-server",) if broker == "redis" else ()
    if database == "sqlite":
        return Meter(names=names)
    return postgres_meter(names)


def postgres_meter(names: tuple[bytes, ...] = ()) -> Meter:
    """A meter on the local PostgreSQL server (its postmaster and every backend), plus `names`."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL) as admin:
        backend = admin.execute("SELECT pg_backend_pid()").fetchone()[0]
        # Read while the backend lives: once the connection closes, its /proc entry is gone.
        postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return Meter(pgids=(postmaster,), names=names, reaper=postmaster)


def machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


class CpuWindow:
    """The machine's busy cores and this process's own CPU over a window, to tell others' load apart."""

    def __init__(self) -> None:
        self.at = time.monotonic()
        self.busy, self.total = machine_busy_ticks()
        own = os.times()
        self.own = own.user + own.system

    def since(self, start: CpuWindow, meters: list[Meter], own_children: float = 0.0) -> dict[str, float]:
        """Shares of one core over the window: machine busy (of all CPUs), this script (with
        `own_children`, its child processes' CPU seconds in the window), anything else."""
        window = self.at - start.at
        busy_share = (self.busy - start.busy) / max(self.total - start.total, 1)
        own = (self.own - start.own + own_children) / window
        measured = sum(meter.cpu_seconds() for meter in meters) / window
        return {
            "window": window,
            "machine_busy": busy_share,
            "own_cpu": own,
            "other_cpu": max(0.0, busy_share * os.cpu_count() - own - measured),
        }


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


# --- the app's processes -----------------------------------------------------------------------------


def manage(env: dict[str, str], *arguments: str, timeout: float = 180) -> str:
    """Run one `manage.py` command to its end (the app's own door for setup and reads); its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT_DIR, env=env, check=True, timeout=timeout, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout


def start_group(command: list[str], env: dict[str, str], log_path: Path, nice: int = 0) -> subprocess.Popen:
    """Start a long-running process in its own session (so stopping it reaches all it forks).

    With `nice`, the session runs below the web, as scripts/run-prod.sh runs the cluster: the
    niceness, and the session's own (Linux's autogroup shares CPU between sessions first).
    """
    with log_path.open("a") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    if nice:
        os.setpriority(os.PRIO_PGRP, process.pid, nice)
        try:
            Path(f"/proc/{process.pid}/autogroup").write_text(str(nice))
        except OSError:  # no autogroup in this kernel
            pass
    return process


def stop_group(process: subprocess.Popen, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM the process's group, then SIGKILL whatever is left after `grace_seconds`."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        if sig == signal.SIGTERM:
            try:
                process.wait(timeout=grace_seconds)
            except subprocess.TimeoutExpired:
                pass
    process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_web(
    teardown: Teardown, env: dict[str, str], workdir: Path, workers: int, threads: int
) -> tuple[str, subprocess.Popen]:
    """gunicorn as scripts/run-prod.sh starts it; its URL once the login page answers."""
    port = free_port()
    command = [
        str(PROJECT_DIR / ".venv/bin/gunicorn"), "hitpaw_site.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(threads),
        "--keep-alive", "75",  # run-prod.sh's WEB_KEEPALIVE: the default 2 s drops a reused connection's POST
        "--access-logfile", str(workdir / "gunicorn.access.log"), "--forwarded-allow-ips", "127.0.0.1",
        "--access-logformat", '%(t)s "%(r)s" %(s)s %(L)s',
    ]  # fmt: skip
    step(f"starting gunicorn ({workers} processes × {threads} threads)")
    process = teardown.start(command, env, workdir / "gunicorn.log")
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/accounts/login/", process)
    return url, process


def wait_for_http(url: str, process: subprocess.Popen, headers: dict[str, str] | None = None) -> None:
    """Until `url` answers 200 (or `process` ends, or START_TIMEOUT passes)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer 200 within {START_TIMEOUT} s")


# --- teardown ----------------------------------------------------------------------------------------


class Teardown:
    """Everything a run made, undone in one place: process groups stopped (newest first), the
    PostgreSQL database dropped, the Redis db flushed, temporary folders deleted. A context
    manager; with `keep`, the data stays for inspection (the processes are stopped anyway)."""

    def __init__(self, keep: bool = False) -> None:
        self.keep = keep
        self.processes: list[subprocess.Popen] = []
        self.stoppers: list = []  # callables, such as the fake HitPaw's stop()
        self.pg_databases: list[str] = []
        self.redis_urls: list[str] = []
        self.folders: list[Path] = []

    def __enter__(self) -> Teardown:
        signal.signal(signal.SIGTERM, interrupt)
        return self

    def __exit__(self, *exc_info) -> None:
        for process in reversed(self.processes):
            stop_group(process)
        for stop in reversed(self.stoppers):
            stop()
        if self.keep:
            step(f"kept {', '.join(map(str, self.folders + self.pg_databases + self.redis_urls))}")
            return
        for name in self.pg_databases:
            drop_postgres(name)
        for url in self.redis_urls:
            flush_redis(url)
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)

    def folder(self, prefix: str) -> Path:
        made = Path(tempfile.mkdtemp(prefix=prefix))
        self.folders.append(made)
        return made

    def database(self, kind: str, workdir: Path, pg_name: str) -> str:
        if kind == "postgres":
            self.pg_databases.append(pg_name)
        return fresh_database(kind, workdir, pg_name)

    def redis(self, url: str) -> str:
        self.redis_urls.append(url)
        flush_redis(url)
        return url

    def start(
        self, command: list[str], env: dict[str, str], log_path: Path, nice: int = 0
    ) -> subprocess.Popen:
        process = start_group(command, env, log_path, nice)
        self.processes.append(process)
        return process
