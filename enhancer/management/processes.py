"""Child processes: stop a process group for sure, and let children die with their parent.

`stop_group` is the one way we stop a process group we started (rundesk's parts, the tests'
clusters and servers, the benchmarks): SIGTERM, a grace period, then SIGKILL, since qcluster can
hang on SIGTERM (django-q2 issue #346).

The lifeline lets processes started by `rundesk` die with it, even when it is killed with SIGKILL:
`rundesk` hands each child the read end of a pipe and keeps the write end. When `rundesk` dies,
however it dies, the kernel closes the write end; the child sees end-of-file and kills its own
process group (gunicorn or qcluster with all their workers), so no orphan keeps serving or working.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading

ENV_VAR = "ENHANCER_LIFELINE_FD"


def watch_parent() -> None:
    """Start watching the lifeline, if this process was given one."""
    raw = os.environ.get(ENV_VAR)
    if not raw or not raw.isdigit():
        return
    fd = int(raw)
    # Only a group leader of its own session (started with start_new_session) may kill its group.
    if os.getpgrp() != os.getsid(0):
        return
    threading.Thread(target=_wait_then_die, args=(fd,), name="lifeline", daemon=True).start()


def _wait_then_die(fd: int) -> None:
    try:
        while os.read(fd, 1):
            pass
    except OSError:
        pass
    os.killpg(os.getpgrp(), signal.SIGKILL)


def lower_priority(session_leader: int, niceness: int) -> None:
    """Run a session we started (its leader's pid) below the web: its niceness, and its session's.

    Linux's autogroup (on in many distributions' kernels) first shares the CPU equally between
    sessions; a process's niceness then only ranks it against others of its own session. So a
    niced task cluster in its own session still took as much CPU as the web in another. The
    session's own niceness (`/proc/<pid>/autogroup`) is what ranks it against the web. Where
    autogroup is off, niceness alone counts; under systemd, a unit's CPUWeight plays the session's
    part (README, deployment).
    """
    try:
        os.setpriority(os.PRIO_PGRP, session_leader, niceness)  # the workers it forks inherit it
    except ProcessLookupError:  # it has already ended: its supervisor sees that and says so
        return
    try:
        with open(f"/proc/{session_leader}/autogroup", "w") as autogroup:
            autogroup.write(str(niceness))
    except OSError:  # no autogroup in this kernel, or not Linux
        pass


def signal_group(pgid: int, sig: int) -> None:
    """Signal a process group, tolerating one that has already gone."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def stop_group(process: subprocess.Popen, grace_seconds: float) -> None:
    """SIGTERM `process`'s group (it must lead its own session), then SIGKILL whatever is left."""
    signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        pass
    signal_group(process.pid, signal.SIGKILL)  # workers the group leader left behind, if any
    process.wait()
