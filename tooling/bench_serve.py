"""`make bench`, last step: how long `arrears serve` takes from an edit to the browser's reload event.

Starts the preview on a free loopback port, listens to its event stream as a
browser tab would, then edits a note (a line added to its body) and adds a
payment (which changes the dashboard, the agenda and due.json too), timing
each from the moment the file is written to the event that reloads the tab
showing the case page, and, for the payment, the tab showing the dashboard. Every wait is
bounded; the edits are undone afterwards.

    python tooling/bench_serve.py ROOT
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from arrears.serve.preview import DEBOUNCE  # noqa: E402

AS_OF = "2026-11-24"
START_TIMEOUT = 900.0  # the first build of a large portfolio
EVENT_TIMEOUT = 30.0
ROUNDS = 3


class Events:
    """The /__arrears/events stream, read on a thread: each `state` event's data as a dict."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=EVENT_TIMEOUT)
        self.sock.sendall(f"GET /__arrears/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())  # serve answers only its own Host
        self.stream = self.sock.makefile("rb")
        self.received: list[tuple[float, dict]] = []
        self.arrived = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        data = None
        try:
            for line in self.stream:
                if line.startswith(b"data: "):
                    data = json.loads(line[6:])
                elif line == b"\n" and data is not None:
                    with self.arrived:
                        self.received.append((time.perf_counter(), data))
                        self.arrived.notify_all()
                    data = None
        except OSError:
            pass

    def after(self, count: int, build: int, page: str | None = None) -> tuple[float, dict]:
        """The first event after the `count` already seen that announces a build newer than `build`
        (one that replaced `page`, if given: what makes a tab showing that page reload)."""
        deadline = time.monotonic() + EVENT_TIMEOUT
        with self.arrived:
            while True:
                for stamp, data in self.received[count:]:
                    if data["problems"]:
                        raise TimeoutError(f"the records have errors: {data['problems'][:2]}")
                    if data["build"] > build and (page is None or data["changed"] is None or page in data["changed"]):
                        return stamp, data
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no reload event within the time limit")
                self.arrived.wait(left)

    def close(self) -> None:
        self.sock.close()


def peak_mib(pid: int) -> float:
    """The serve process's peak resident memory so far (VmHWM), in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    arrears = str(Path(sys.executable).with_name("arrears"))
    process = subprocess.Popen([arrears, "serve", "--root", str(root), "--port", "0", "--as-of", AS_OF],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    found = threading.Event()
    port = []

    def read() -> None:
        for line in process.stderr:  # type: ignore[union-attr]
            lines.append(line.rstrip("\n"))
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if match and not port:
                port.append(int(match.group(1)))
                found.set()

    threading.Thread(target=read, daemon=True).start()
    started = time.perf_counter()
    note = min(root.glob("cases/*/notes/*.md"))
    payment = note.parent / "2026-11-23-99-bench-payment.md"
    original = note.read_bytes()
    try:
        if not found.wait(START_TIMEOUT):
            raise TimeoutError("serve did not start: " + " | ".join(lines[-5:]))
        first = time.perf_counter() - started
        events = Events(port[0])
        _, state = events.after(0, -1)
        case_page = f"cases/{note.parts[-3]}/index.html"
        body, money, dashboard = [], [], []
        for round_ in range(ROUNDS):
            seen = len(events.received)
            written = time.perf_counter()
            note.write_bytes(original + f"\nBenchmark line {round_}.\n".encode())
            stamp, state = events.after(seen, state["build"], case_page)
            body.append(stamp - written)
            time.sleep(0.5)
            state = events.received[-1][1]
            seen = len(events.received)
            written = time.perf_counter()
            if payment.exists():
                payment.unlink()
            else:
                payment.write_text("---\ndate: 2026-11-23\nkind: payment\namount: 10.00\nby: jo\n---\n",
                                   encoding="utf-8")
            stamp, _ = events.after(seen, state["build"], case_page)
            money.append(stamp - written)
            stamp, _ = events.after(seen, state["build"], "index.html")
            dashboard.append(stamp - written)
            time.sleep(0.5)
            state = events.received[-1][1]
        events.close()
        peak = peak_mib(process.pid)
        print(f"{'serve: first build until serving':34} {first:8.2f} {'':8} {peak:9.0f}")
        print(f"{'serve: note edit to reload':34} {statistics.median(body):8.2f} {'':8} {'':9}"
              f"   (median of {ROUNDS}; includes serve's {DEBOUNCE:.1f} s debounce)")
        print(f"{'serve: payment added, case reload':34} {statistics.median(money):8.2f} {'':8} {'':9}"
              f"   (the tab showing the case)")
        print(f"{'serve: payment added, dash reload':34} {statistics.median(dashboard):8.2f} {'':8} {'':9}"
              f"   (the dashboard's tab: agenda and due.json rewritten too)")
    except (TimeoutError, OSError) as error:
        print(f"{'serve: edit to reload':34} {'failed':>8}   ({error}; serve said: {' | '.join(lines[-4:])})")
    finally:
        note.write_bytes(original)
        payment.unlink(missing_ok=True)
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
