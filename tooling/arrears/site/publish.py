"""Publishing a site: the one place that swaps folders and files into place atomically.

A full build writes a whole new site beside the output and swaps it in
(`publish`); an incremental one swaps rebuilt case folders in one by one
(`swap_folder`) and replaces listing pages file by file (`replace_file`).
Readers never see a half-written file or half a site. The output folder is
only ever replaced if it holds the `.arrears-site` marker, so a mistyped
`--out` cannot wipe someone's documents.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import IO, Callable, Iterable

MARKER = ".arrears-site"
MARKER_TEXT = ("This folder was built by `arrears build` and is replaced on every build.\n"
               "Do not keep anything else here.\n")
ASSETS = ("site.css", "site.js", "icon.svg", "print.css")
"""What every site has under assets/, from the templates (see `render.write_assets`)."""


class SiteError(Exception):
    """A build that must not go ahead (an output folder we did not build): said to the user."""


def check_output(out: Path, root: Path | None = None) -> None:
    """Refuse an output we must not replace: a file, a foreign folder, or the records themselves."""
    if root is not None:
        real_root, real_out = root.resolve(), out.resolve()
        if real_out == real_root or real_root.is_relative_to(real_out) or real_out.is_relative_to(real_root / "cases"):
            raise SiteError(f"refusing to build into {out}: it would replace the records themselves; "
                            "choose another --out (the default is site/ under the records)")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise SiteError(f"refusing to build into {out}: it exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise SiteError(f"refusing to replace {out}: it is not empty and was not built by arrears "
                        f"(no {MARKER} marker inside). Choose another --out, or move that folder away.")


def publish(out: Path, write: Callable[[Path], None], root: Path | None = None) -> None:
    """Run `write` into a temporary folder beside `out`, then rename it into place.

    The old site is renamed aside first and deleted only after the new one is in
    place; if anything fails the temporary folder is removed and `out` is untouched.
    """
    out = Path(os.path.abspath(out))
    check_output(out, root)
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=scratch_prefix(out, "building"), dir=out.parent))
    try:
        write(building)
        (building / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        os.chmod(building, 0o777 & ~umask())
        swap_folder(building, out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def scratch_prefix(out: Path, purpose: str) -> str:
    """The name of a folder a build works in beside `out`: `.site.building-<pid>-…`.

    The process id lets a later build tell a folder left by a build that was
    killed (its process is gone) from one a build is still working in.
    """
    return f".{out.name}.{purpose}-{os.getpid()}-"


_SCRATCH = re.compile(r"^\.(?P<name>.+)\.(?:building|staging|old)-(?P<pid>[0-9]+)-")


def remove_stale(out: Path) -> list[Path]:
    """Remove what killed builds left beside `out` (and beside its case folders): their scratch
    folders, never those of a build still running. Returns what was removed."""
    removed = []
    for folder in (out.parent, out / "cases"):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not entry.name.startswith("."):  # a case folder, or the site itself: never scratch
                continue
            found = _SCRATCH.match(entry.name)
            wanted = out.name if folder == out.parent else None
            if (found is None or (wanted is not None and found["name"] != wanted)
                    or not entry.is_dir(follow_symlinks=False) or _running(int(found["pid"]))):
                continue
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, but not ours to signal
        return True
    try:  # a zombie (killed, not yet reaped) is not running
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return True


def swap_folder(new: Path, old: Path) -> None:
    """Put `new` in place of `old` (each rename is atomic); the old folder is deleted only once
    the new one is in place, and put back if that fails."""
    old.parent.mkdir(parents=True, exist_ok=True)
    if not old.exists():
        os.rename(new, old)
        return
    aside = Path(tempfile.mkdtemp(prefix=scratch_prefix(old, "old"), dir=old.parent))
    os.rmdir(aside)
    os.rename(old, aside)
    try:
        os.rename(new, old)
    except BaseException:
        os.rename(aside, old)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def replace_file(folder: Path, relative: str, text: str) -> bool:
    """Write a file beside its final place, then rename it there: never seen half-written.

    A file that already holds these bytes is left alone (False).
    """
    path = folder / relative
    data = text.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    rename_over(write_beside(path, lambda stream: stream.write(data), binary=True), path, public=True)
    return True


def write_beside(path: Path, write: Callable[[IO], object], binary: bool = False) -> str:
    """A temporary file beside `path`, filled by `write` (UTF-8 text, or bytes): its name, for
    `rename_over`. Removed again if writing fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with (os.fdopen(handle, "wb") if binary else os.fdopen(handle, "w", encoding="utf-8", newline="")) as stream:
            write(stream)
    except BaseException:
        _remove(temporary)
        raise
    return temporary


def rename_over(temporary: str, path: Path, public: bool = False) -> None:
    """Put a file written by `write_beside` in `path`'s place, in one rename. `public`: readable as
    any file the user writes (the umask's mode) rather than mkstemp's owner-only one."""
    try:
        if public:
            os.chmod(temporary, 0o666 & ~umask())
        os.replace(temporary, path)
    except BaseException:
        _remove(temporary)
        raise


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def write_chunks(folder: Path, relative: str, chunks: Iterable[str]) -> None:
    """A text (perhaps made piece by piece), as UTF-8 with its line ends as they are, into a folder
    being built (nobody reads it yet).

    Written with the system calls alone (open, write, close): a build writes
    two pages a case, and `open()`'s file object adds a stat, a terminal
    check and a seek to each; the folder is made only when the file cannot
    be opened for want of it (a case's second page finds it there).
    """
    path = f"{folder}/{relative}"
    data = "".join(chunks).encode("utf-8")
    try:
        handle = os.open(path, _NEW_FILE, 0o666)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle = os.open(path, _NEW_FILE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
    finally:
        os.close(handle)


def umask() -> int:
    """The process's umask (read by setting it, so set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
