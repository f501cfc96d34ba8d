"""Let processes started by `rundesk` die with it, even when it is killed with SIGKILL.

`rundesk` hands each child the read end of a pipe and keeps the write end. When `rundesk` dies,
however it dies, the kernel closes the write end; the child sees end-of-file and kills its own
process group (gunicorn or qcluster with all their workers), so no orphan keeps serving or working.
"""

from __future__ import annotations

import os
import signal
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
