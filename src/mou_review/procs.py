"""Worker processes that die with their parent.

A spawn worker of `ingest`/`triage` outlives a parent killed with SIGKILL (it waits on its task
queue forever, holding ~170 MB and the multiprocessing resource tracker's pipe, so the tracker
stays too). Each worker calls `exit_with_parent` at start-up: on Linux the kernel sends it SIGKILL
when the parent dies (prctl PR_SET_PDEATHSIG); elsewhere, and as a second line, a daemon thread
exits when the worker is re-parented. With the workers gone the tracker sees its pipe close and exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
POLL_SECONDS = 1.0


def exit_with_parent(poll_seconds: float = POLL_SECONDS) -> None:
    """Make this process end when the process that started it ends (call it in the child)."""
    parent = _started_by()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request was in place
        os._exit(1)
    watchdog = threading.Thread(
        target=_watch, args=(parent, poll_seconds), name="exit-with-parent", daemon=True
    )
    watchdog.start()


def _started_by() -> int:
    """The pid of the process that started this one, even if it died while this one was still
    importing (then `getppid` already names the reaper, and only multiprocessing remembers)."""
    import multiprocessing

    started_by = multiprocessing.parent_process()
    return started_by.pid if started_by is not None and started_by.pid else os.getppid()


def _watch(parent: int, poll_seconds: float) -> None:
    while os.getppid() == parent:
        time.sleep(poll_seconds)
    os._exit(1)  # no cleanup: the parent that would collect our results is gone
