"""A command run as a subprocess whose stderr is read line by line as it comes, so that a test waits on
a line (bounded by a timeout), never on a fixed time: `arrears serve` and `arrears build-server`."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import threading
import time


class StderrLines:
    """Starts `arguments` with SIGINT at `sigint` (default: its default disposition, whatever this test
    run inherited; a background job inherits it ignored) and collects its stderr lines."""

    timeout = 20.0

    def __init__(self, arguments: list[str], env: dict[str, str], sigint=signal.SIG_DFL):
        self.process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                        env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, sigint))
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:  # type: ignore[union-attr]
            self.lines.put(line.rstrip("\n"))

    def wait_for_line(self, pattern: str) -> str:
        """The next line matching `pattern` (the lines before it are kept in `seen`)."""
        deadline = time.monotonic() + self.timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} within {self.timeout} s; saw {self.seen}")
