"""Worker processes: how many to start, and a pool whose workers never outlive the command.

Kept apart from `pipeline` so that a command that only scans files (a build
with nothing to redo) can start workers without importing the whole core.
"""

from __future__ import annotations

import os
from typing import Sequence, TypeVar

T = TypeVar("T")

SMALLEST_PART = 8
"""Cases in the last parts `parts` cuts: a few tens of milliseconds of work."""


def parts(items: Sequence[T], count: int, smallest: int = SMALLEST_PART) -> list[Sequence[T]]:
    """`items` cut into consecutive parts for `count` workers that take them in turn, largest first
    (guided self-scheduling): each part is half of one worker's share of what is left. The first
    parts keep the traffic down; the last are small, so the workers finish together even when the
    machine slowed one of them (with equal parts, one core sat idle for up to a part at the end)."""
    found: list[Sequence[T]] = []
    start = 0
    while start < len(items):
        size = max(smallest, (len(items) - start) // (2 * count))
        found.append(items[start:start + size])
        start += size
    return found


def worker_pool(count: int):
    """`count` forked worker processes that die with this one, even if it is killed with SIGKILL.

    A pool's own shutdown never runs for a killed parent, and orphaned
    workers would go on rendering pages nobody will publish.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(os.getpid(),))


# A worker's garbage is one case's objects, nearly all freed by their reference counts as the case
# is done: the collector's default (a collection every 700 net allocations) ran 1,140 collections
# a worker in a cold build of 2,500 cases, 0.43 s of each worker's 11 s, to find almost nothing.
WORKER_GC_THRESHOLD = 20_000


def _start_worker(parent: int) -> None:
    """In a new worker: die with the parent; leave what the parent made (modules, the templates)
    to the permanent generation, and collect cycles less often."""
    import gc

    _die_with_parent(parent)
    gc.freeze()
    gc.set_threshold(WORKER_GC_THRESHOLD)


def _die_with_parent(parent: int) -> None:
    """In a worker: Linux sends SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG); elsewhere a
    watcher thread ends the worker once it has been orphaned."""
    import signal

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # 1: PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before the request took effect
                os._exit(1)
            return
    except (OSError, AttributeError):
        pass
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="arrears-orphan-watch", daemon=True).start()


def worker_count(folders: int, asked: int | None) -> int:
    """How many processes to use for this many case folders (ARREARS_WORKERS, else every core from 200 on)."""
    if asked is None:
        asked = int(os.environ.get("ARREARS_WORKERS", "0")) or (os.cpu_count() or 1)
        if folders < 200:  # starting processes costs more than it saves
            asked = 1
    if not hasattr(os, "fork"):
        return 1
    return max(1, min(asked, folders or 1))
