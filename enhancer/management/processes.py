"""Child processes: stop a process group for sure, and let `rundesk`'s children die with it.

`stop_group` is the one way we stop a process group we started (rundesk's parts, the tests'
clusters and servers, the benchmarks): SIGTERM, a grace period, then SIGKILL, since qcluster can
hang on SIGTERM (django-q2 issue #346).

`rundesk` starts each part through this module (`python -m enhancer.management.processes`): a
small wrapper that leads the part's process group and checks every second that `rundesk` is still
its parent. When `rundesk` is gone, however it died (even SIGKILL), the wrapper kills its group,
so no orphan keeps serving or working.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

PARENT_CHECK_SECONDS = 1.0


def run_while_parent_lives(command: list[str]) -> int:
    """Run `command` in this process's group until it ends or our parent does; its exit code."""
    parent = os.getppid()
    # SIGTERM and SIGINT reach the whole group: the part stops itself, and we wait for it. (A
    # handler, not SIG_IGN: the part's exec resets a handler, and would keep an ignored signal.)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, frame: None)
    child = subprocess.Popen(command)
    while True:
        try:
            return child.wait(timeout=PARENT_CHECK_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        if os.getppid() != parent:  # our parent died and we were handed to another
            os.killpg(os.getpgrp(), signal.SIGKILL)


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


if __name__ == "__main__":
    # python -m enhancer.management.processes COMMAND...
    sys.exit(run_while_parent_lives(sys.argv[1:]))
