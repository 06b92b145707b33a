"""Time `arrears audit` on a generated history: 5,000 commits, 50,000 notes (target: under 10 s).

    .venv/bin/python tooling/bench_audit.py [--commits 5000] [--notes 50000] [--out bench-out/audit]

The repository is generated with one `git fast-import` stream (seconds, not
the minutes 5,000 `git commit`s would take), checked out so `git status` has
a real working tree, then audited twice: in process (`audit.audit`) and as
the command a user runs (`arrears audit`). A few notes are edited, deleted or
backdated along the way so the audit has something to find. Not part of the
test suite; `bench()` is importable for a `make bench` that wants it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

CASES = 1000
START = datetime(2024, 1, 1, 9, 0, tzinfo=timezone.utc)
ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
       "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n%s\n" % (len(raw), raw)


def stream(commits: int, notes: int) -> bytes:
    """A fast-import stream: case files first, then `notes` notes spread over `commits` commits."""
    per_commit = max(1, notes // commits)
    out = bytearray()
    written: list[tuple[str, str]] = []
    for index in range(commits):
        when = START + timedelta(hours=3 * index)
        stamp = f"Bench <bench@example.invalid> {int(when.timestamp())} +0000"
        out += b"commit refs/heads/main\n"
        out += f"author {stamp}\ncommitter {stamp}\n".encode()
        out += _data(f"records {index}")
        if index == 0:
            for case in range(CASES):
                out += f"M 100644 inline cases/case-{case:04d}/case.md\n".encode()
                out += _data(f"---\ndebtor: {{name: Debtor {case}, kind: business}}\nopened: 2024-01-01\n---\n")
        for slot in range(per_commit):
            number = index * per_commit + slot
            if number >= notes:
                break
            day = (when - timedelta(days=30 if number % 997 == 0 else 0)).date()  # now and then backdated
            path = f"cases/case-{number % CASES:04d}/notes/{day.isoformat()}-call-{number}.md"
            out += f"M 100644 inline {path}\n".encode()
            out += _data(f"---\ndate: {day.isoformat()}\nkind: call\noutcome: spoke\n---\nCall number {number}.\n")
            written.append((path, day.isoformat()))
        if index and index % 500 == 0:  # the odd rewrite for the audit to report
            victim, day = written[index]
            out += f"M 100644 inline {victim}\n".encode()
            out += _data(f"---\ndate: {day}\nkind: call\n---\nEdited afterwards.\n")
            out += f"D {written[index + 1][0]}\n".encode()
        out += b"\n"
    return bytes(out)


def generate(root: Path, commits: int, notes: int) -> float:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    env = dict(os.environ, **ENV)
    started = time.perf_counter()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True, env=env)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=stream(commits, notes), check=True, env=env)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True, env=env)
    return time.perf_counter() - started


def bench(root: Path, commits: int = 5000, notes: int = 50000, reuse: bool = False) -> dict[str, float]:
    """Generate the history under `root` and time the audit; returns the timings in seconds."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from arrears.git.audit import audit

    os.environ.update(ENV)
    reusable = reuse and (root / ".git").is_dir()
    timings = {"generate": 0.0 if reusable else generate(root, commits, notes)}
    cpu = _cpu()
    started = time.perf_counter()
    problems = audit(root)
    timings["audit (in process)"] = time.perf_counter() - started
    timings["  CPU, arrears + git"] = _cpu() - cpu
    timings["problems"] = len(problems)
    command = shutil.which("arrears") or str(Path(sys.executable).with_name("arrears"))
    started = time.perf_counter()
    done = subprocess.run([command, "audit", "--root", str(root)], capture_output=True)
    timings["arrears audit (command)"] = time.perf_counter() - started
    timings["exit status"] = done.returncode
    return timings


def _cpu() -> float:
    """CPU seconds of this process and its finished children: steadier than wall time on a busy machine."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--notes", type=int, default=50000)
    parser.add_argument("--out", type=Path, default=Path("bench-out/audit"))
    parser.add_argument("--reuse", action="store_true", help="Audit the repository generated last time.")
    args = parser.parse_args()
    timings = bench(args.out, args.commits, args.notes, args.reuse)
    for name, value in timings.items():
        shown = f"{value:8.2f} s" if isinstance(value, float) else f"{value:8d}"
        print(f"{name:28} {shown}")
    slow = timings["arrears audit (command)"] > 10
    print(f"target: under 10 s for {args.commits} commits and {args.notes} notes: {'MISSED' if slow else 'met'}")
    sys.exit(1 if slow else 0)


if __name__ == "__main__":
    main()
