"""How `arrears serve` stops: on SIGINT or SIGTERM, within moments, a build's workers included.

A build may be running in a thread of its own, fanned out to worker
processes; stopping does not wait for it. Forks are held once stopping has
begun (a build thread about to start one more worker waits until the process
exits), and every child is killed, so no worker outlives serve.
"""

from __future__ import annotations

import os
import threading


class Stop:
    """SIGINT (Ctrl-C) and SIGTERM, caught from the moment serve starts.

    serve installs its own handlers for both: a process started in the
    background (`make test &`, a scheduler) inherits SIGINT as ignored and
    would otherwise never stop on it, and SIGTERM is what systemd, Docker and
    CI send. Installed before anything else, so a signal during start-up
    (reading settings, binding the port) is not lost either.
    """

    def __init__(self):
        import signal

        self.event = threading.Event()
        self._previous = {number: signal.signal(number, lambda *_: self.event.set())
                          for number in (signal.SIGINT, signal.SIGTERM)}
        os.register_at_fork(before=_before_fork, after_in_parent=_forks.release, after_in_child=_forks.release)

    def wait(self) -> None:
        """Until a signal (or `event.set()`). In slices: the kernel may deliver the signal to a
        build thread, and then nothing interrupts the main thread's wait to run the handler."""
        while not self.event.wait(0.1):
            pass

    def restore(self) -> None:
        import signal

        for number, handler in self._previous.items():
            signal.signal(number, handler)


_stopping = threading.Event()
_forks = threading.Lock()
"""Held across every fork once serve runs, so that stopping can wait for one in flight."""


def _before_fork() -> None:
    """Once serve is stopping, a build thread about to start one more worker waits here until the
    process exits, so no worker is started after the last ones are killed."""
    if _stopping.is_set() and threading.current_thread() is not threading.main_thread():
        threading.Event().wait()
    _forks.acquire()


def end_workers(grace: float = 0.5) -> None:
    """Kill the build's worker processes (and any other child), if a build is running: they hold
    nothing worth keeping (a half-written staging folder, which the next build replaces)."""
    import multiprocessing
    import signal

    _stopping.set()
    _forks.acquire()  # a fork in flight completes first; none starts after (never released: serve is ending)
    tracked = multiprocessing.active_children()
    for pid in _child_pids() | {child.pid for child in tracked if child.pid}:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for child in tracked:
        child.join(grace)


def _child_pids() -> set[int]:
    """This process's children, as the kernel knows them (Linux), registered with multiprocessing or not."""
    found: set[int] = set()
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/self/task/{task}/children") as listed:
                found.update(int(pid) for pid in listed.read().split())
        except (OSError, ValueError):
            pass
    return found
