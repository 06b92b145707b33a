"""`make bench`: times arrears on a large generated portfolio against two floors.

Each step runs as its own process (as a user would run it) and is reported
in seconds, as a multiple of its floor, and with its peak memory:

- parse floor: read every record and parse its front matter with PyYAML's
  C loader, nothing else, in two processes;
- render floor: the parse floor plus rendering every body with the Markdown
  renderer arrears ships and writing one HTML file per case, in two processes.

    python tooling/bench.py --cases 2500 --notes 20
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_portfolio import add_interest, generate  # noqa: E402

AS_OF = "2026-11-24"
REPEATS = 5  # one-note rebuilds are short: single runs on a shared machine vary by a tenth of a second


class SetAside:
    """Outputs moved out of the way instead of deleted while anything is timed; deleted at the end.

    Deleting the last site right before a cold build made that build pay for
    the deletion: ext4 without a journal (this VM's disk) avoids reusing
    inodes freed in the last one to six minutes, and the kernel allocates
    each new file by walking every such inode of its block group
    (`recently_deleted` in `find_inode_bit`, a perf profile's top kernel
    symbols). The bench deleted about 1,900 inodes before each cold build at
    625 cases and 625 before each floor, so the build's three inodes a case
    cost up to 1 ms each and its system time grew from run to run (0.4 to
    2.2 s at 625 cases in five runs). A user's first build follows no such
    deletion, and a journalled ext4 (the default) never makes the check.
    """

    def __init__(self, keep: Path):
        self.folder = keep.resolve() / "set-aside"
        self.folder.mkdir(parents=True, exist_ok=True)  # what a killed bench left goes at the end too

    def scratch(self) -> str:
        """A new empty folder, kept until `empty`."""
        return tempfile.mkdtemp(dir=self.folder)

    def move(self, path: Path) -> None:
        """Take `path` (a site, a cache) away from where the next command looks, without deleting it."""
        if path.exists():
            path.rename(Path(self.scratch()) / path.name)

    def empty(self) -> None:
        """Delete what was set aside (after the last timing: the kernel's walk then slows nobody)."""
        print(f"deleting what the bench set aside ({self.folder}) ...", flush=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def timing_environment(keep: Path) -> None:
    """What every command the benches time inherits (set in this process, before any is started)."""
    # Steps start as an installed tool would: from compiled byte code (kept in bench-out/, not the tree).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str((keep / "pycache").resolve())
    os.environ["ARREARS_NO_BUILD_SERVER"] = "1"  # each build timed is its own, but for those timed with a server
    # The generated portfolios are not Git repositories, but bench-out/ sits in arrears' own work tree
    # (ignored there): without a ceiling each build read arrears' history and named its HEAD.
    os.environ["GIT_CEILING_DIRECTORIES"] = str(keep.resolve())


def case_folders(root: Path) -> list[Path]:
    return sorted(path for path in (root / "cases").iterdir() if path.is_dir())


def _front(text: str) -> str:
    end = text.find("\n---", 3)
    return text[4:end]


def _parse_floor(folders: list[Path]) -> int:
    import yaml

    count = 0
    for folder in folders:
        for path in folder.rglob("*.md"):
            yaml.load(_front(path.read_text(encoding="utf-8")), Loader=yaml.CSafeLoader)
            count += 1
    return count


def _render_floor(folders: list[Path], out: str) -> int:
    import yaml
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": False})
    count = 0
    for folder in folders:
        parts = []
        for path in sorted(folder.rglob("*.md")):
            text = path.read_text(encoding="utf-8")
            yaml.load(_front(text), Loader=yaml.CSafeLoader)
            parts.append(renderer.render(text[text.find("\n---", 3) + 4:]))
            count += 1
        Path(out, folder.name + ".html").write_text("".join(parts), encoding="utf-8")
    return count


def precompile_templates(root: Path) -> None:
    """Compile the templates into the user's cache before any clock starts, as the Python code is:
    a user's first build does it once, and a cold build (no site, no `.arrears-cache/`) reuses them."""
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                    "from arrears.site.render import precompile; precompile(Path(sys.argv[1]))", str(root)], check=True)


def floor(function, root: Path, *extra) -> float:
    """Run `function` over the case folders split between two processes; seconds taken."""
    folders = case_folders(root)
    halves = [folders[0::2], folders[1::2]]
    started = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(function, halves, *[[value] * 2 for value in extra]))
    return time.perf_counter() - started


def run_step(arguments: list[str], cwd: Path) -> tuple[float, float, int]:
    """Run one command; (seconds, peak resident MiB of the process tree, exit status)."""
    started = time.perf_counter()
    process = subprocess.Popen(arguments, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, process.returncode


def search_index(site: Path) -> None:
    """The Pagefind index on its own, over the site just built: its time and its size on disk."""
    sys.path.insert(0, str(HERE))
    from arrears.site import search

    pages = sum(1 for _ in site.glob(search.GLOB))
    found = search.index_site(site)
    if found is None:
        print(f"{'search index (Pagefind)':34} {'missing':>8}   (pip install 'pagefind[bin]')", flush=True)
        return
    print(f"{'search index (Pagefind)':34} {found.seconds:8.2f}   ({found.size / 2**20:.1f} MiB on disk for "
          f"{pages} case pages)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark arrears on a generated portfolio.")
    parser.add_argument("--cases", type=int, default=2500)
    parser.add_argument("--notes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-audit", action="store_true", help="skip the Git audit benchmark")
    parser.add_argument("--keep", type=Path, default=Path("bench-out"), help="where generated portfolios are cached")
    args = parser.parse_args()

    arrears = str(Path(sys.executable).with_name("arrears"))
    root = args.keep / f"portfolio-{args.cases}x{args.notes}-seed{args.seed}"
    if not root.exists():
        print(f"generating {args.cases} cases x {args.notes} notes into {root} ...", flush=True)
        generate(root.with_suffix(".partial"), args.cases, args.notes, args.seed)
        root.with_suffix(".partial").rename(root)
    root = root.resolve()
    charged = root.with_name(root.name + "-interest")  # the same portfolio, an interest rule on every case
    if not charged.exists():
        shutil.copytree(root, charged.with_suffix(".partial"), ignore=shutil.ignore_patterns("site", ".arrears-cache"))
        add_interest(charged.with_suffix(".partial"))
        charged.with_suffix(".partial").rename(charged)
    notes = sum(1 for _ in root.glob("cases/*/notes/*.md"))
    print(f"portfolio: {args.cases} cases, {notes} notes ({root})")

    timing_environment(args.keep)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE / "arrears")], check=False)
    precompile_templates(root)

    aside = SetAside(args.keep)
    parse_floor = floor(_parse_floor, root)
    render_floor = floor(_render_floor, root, aside.scratch())
    print(f"{'step':34} {'seconds':>8} {'x floor':>8} {'peak MiB':>9}")
    print(f"{'parse floor (2 processes)':34} {parse_floor:8.2f}")
    print(f"{'render floor (2 processes)':34} {render_floor:8.2f}", flush=True)

    site = root / "site"
    aside.move(site)
    aside.move(root / ".arrears-cache")
    note = min(root.glob("cases/*/notes/*.md"))
    original = note.read_bytes()
    payment = note.parent / "2026-11-23-99-bench-payment.md"
    payment.unlink(missing_ok=True)

    def edit_note(run: int) -> None:
        note.write_text(original.decode("utf-8") + f"\nOne more line ({run}).\n", encoding="utf-8")

    def add_payment(run: int) -> None:  # each run another amount: the dashboard and agenda change too
        payment.write_text(f"---\ndate: 2026-11-23\nkind: payment\namount: {10 + run}.00\nby: jo\n---\n",
                           encoding="utf-8")

    build = [arrears, "build", "--root", str(root), "--as-of", AS_OF]
    quick = [*build, "--no-search"]  # the pages alone: Pagefind reindexes the whole site (timed below)
    steps = [  # (label, command, floor, prepare before each run, runs: the median is shown)
        ("check", [arrears, "check", "--root", str(root), "--as-of", AS_OF], parse_floor, None, 1),
        ("due --format json", [arrears, "due", "--root", str(root), "--as-of", AS_OF, "--format", "json"],
         parse_floor, None, 1),
        ("insight --format json",
         [arrears, "insight", "--root", str(root), "--as-of", AS_OF, "--format", "json"], parse_floor, None, 1),
        ("export --format json", [arrears, "export", "--root", str(root), "--as-of", AS_OF, "--format", "json"],
         parse_floor, None, 1),
        ("export --format parquet", [arrears, "export", "--root", str(root), "--as-of", AS_OF, "--format", "parquet",
                                     "--force", "-o", str(args.keep / "export-parquet")], parse_floor, None, 1),
        ("build (cold)", build, render_floor, None, 1),
        ("build --no-search, one note changed", quick, render_floor, edit_note, REPEATS),
        ("build --no-search, payment added", quick, render_floor, add_payment, REPEATS),
        ("build, one note changed (reindexed)", build, render_floor, edit_note, 1),
    ]
    medians: dict[str, float] = {}
    try:
        due_times = []
        for label, root_of in (("due, no interest", root), ("due, interest on every case", charged)):
            command = [arrears, "due", "--root", str(root_of), "--as-of", AS_OF, "--format", "json"]
            due_times.append(statistics.median(run_step(command, root_of)[0] for _ in range(3)))
        print(f"{'due: no interest / interest':34} {due_times[0]:8.2f} {due_times[1]:8.2f}   "
              f"(interest {due_times[1] / due_times[0]:.2f}x, target <= 1.25x; medians of 3)", flush=True)
        for label, command, base, prepare, runs in steps:
            timings = []
            for run in range(runs):
                if prepare:
                    prepare(run)
                timings.append(run_step(command, root))
            failed = [status for _, _, status in timings if status not in (0, 1)]
            if failed:
                print(f"{label:34} {'failed':>8}   (exit {failed[0]}; is the command there yet?)", flush=True)
                continue
            seconds = statistics.median(t for t, _, _ in timings)
            medians[label] = seconds
            peak = max(p for _, p, _ in timings)
            spread = (f"   (median of {runs}: {min(t for t, _, _ in timings):.2f}-{max(t for t, _, _ in timings):.2f})"
                      if runs > 1 else "")
            print(f"{label:34} {seconds:8.2f} {seconds / base:8.2f} {peak:9.0f}{spread}", flush=True)
            if label == "insight --format json" and medians.get("due --format json"):
                print(f"{'  insight / due':34} {seconds / medians['due --format json']:8.2f}   (target <= 3)",
                      flush=True)
            if label.startswith("export") and medians.get("due --format json"):
                print(f"{'  ' + label.split()[-1] + ' export / due':34} {seconds / medians['due --format json']:8.2f}"
                      "   (target <= 1.2)", flush=True)
        search_index(site)
    finally:  # the cached portfolio stays as generated
        note.write_bytes(original)
        payment.unlink(missing_ok=True)
    if not args.skip_audit:
        from bench_audit import bench as bench_audit

        history = args.keep / "audit-5000-commits"
        timings = bench_audit(history.resolve(), reuse=True)
        print(f"{'audit (5,000 commits, 50,000 notes)':34} {timings['arrears audit (command)']:8.2f}"
              f"   (target < 10 s; exit {timings['exit status']})", flush=True)
    subprocess.run([sys.executable, str(HERE / "bench_import.py")], check=False)  # 20,000 Xero rows, twice
    reload_script = HERE / "bench_serve.py"
    if reload_script.exists():
        subprocess.run([sys.executable, str(reload_script), str(root)], check=False)
    aside.empty()


if __name__ == "__main__":
    main()
