"""What changed under cases/ since the last build, from Linux's inotify: the build server's change journal.

Why not watchdog (which `serve` uses): the build server must know, when a
build is asked for, that it has read every change made before the request.
The kernel delivers one inotify descriptor's events in order, so the journal
watches cases/ and its own cookie folder through one descriptor: `sync`
creates a cookie file and waits to see it come back, and every earlier
change has then been read (Watchman's and Git's fsmonitor's technique).
watchdog spreads watches over several descriptors and threads and recovers
from a full kernel queue without saying that events were lost.

Whenever the journal cannot vouch for what it holds (the kernel's queue
overflowed, a folder was moved, the cookie did not come back in time,
cases/ itself went away) it says so, and the next build scans every case,
as a build without a server does. Case folders holding a symbolic link or a
file with more than one hard link are rescanned at every build: a change
made through the other name is not seen here. (A new hard link sends the
journal over every folder again, to find the file's other names.)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import select
import stat
import struct
import threading
from pathlib import Path

IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_Q_OVERFLOW, IN_IGNORED = 0x400, 0x800, 0x4000, 0x8000
IN_ONLYDIR, IN_DONT_FOLLOW, IN_ISDIR = 0x01000000, 0x02000000, 0x40000000
CHANGES = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
           | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW)
_EVENT = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len (then the name, NUL-padded)
SYNC_TIMEOUT = 10.0
"""Seconds `sync` waits for its cookie before saying that anything may have changed."""


class Unavailable(OSError):
    """No inotify here (not Linux), or too few watches allowed for every folder under cases/."""


class Journal:
    """The paths changed under `cases` since the last `take`, read by a thread of its own.

    `cookies` is a folder of the tool's own (under .arrears-cache/), watched
    through the same descriptor so that `sync` can mark a point in the stream.
    """

    def __init__(self, cases: Path, cookies: Path):
        self.cases, self.cookies = Path(cases), Path(cookies)
        self.cookies.mkdir(parents=True, exist_ok=True)
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if not hasattr(libc, "inotify_init1"):
            raise Unavailable(errno.ENOSYS, "inotify is Linux's; the build server needs it")
        self._libc = libc
        self._fd = libc.inotify_init1(os.O_CLOEXEC | os.O_NONBLOCK)
        if self._fd < 0:
            raise Unavailable(ctypes.get_errno(), "inotify_init1 failed: " + os.strerror(ctypes.get_errno()))
        self._wake = os.pipe()
        self._folders: dict[int, Path] = {}
        self._lock = threading.Condition()
        self._changed: set[str] = set()
        self._lost = True  # nothing is known until a first build has scanned every case
        self._linked: set[str] = set()  # case folders holding a link: rescanned every time
        self._top: int | None = None  # the watch on cases/ itself
        self._rewatch_due = False  # the watches no longer match the folders: `take` starts them again
        self._seen: set[str] = set()
        self._cookie = 0
        self._closed = False
        try:
            self._cookie_watch = self._add(self.cookies)
            self._watch_tree(self.cases)
        except OSError:
            self.close()
            raise
        self._rewatch_due = self._top is None  # no cases/ yet: looked for again at each `take`
        self._thread = threading.Thread(target=self._read_forever, name="arrears-journal", daemon=True)
        self._thread.start()

    # --- what the build server asks ---------------------------------------------------------------

    def sync(self, timeout: float = SYNC_TIMEOUT) -> None:
        """Return once every change made before this call has been read (or, after `timeout`, with
        the journal marked as knowing nothing)."""
        with self._lock:
            self._cookie += 1
            name = f"cookie-{os.getpid()}-{self._cookie}"
            if not self._thread.is_alive():  # the reader stopped (the descriptor failed): nothing is known
                self._lost = True
                return
            if self._cookie_watch not in self._folders:  # .arrears-cache/ was deleted: watch its new folder
                self._lost = True
                try:
                    self.cookies.mkdir(parents=True, exist_ok=True)
                    self._cookie_watch = self._add(self.cookies)
                except OSError:
                    return
        path = self.cookies / name
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except OSError:
            with self._lock:
                self._lost = True
            return
        try:
            with self._lock:
                if not self._lock.wait_for(lambda: name in self._seen or self._closed, timeout):
                    self._lost = True
                self._seen.discard(name)
        finally:
            try:
                path.unlink()
            except OSError:
                pass

    def take(self) -> set[str] | None:
        """The paths changed since the last `take` (each case folder with a link among them), or None
        when anything may have changed; the journal starts afresh either way."""
        with self._lock:
            if self._rewatch_due:
                self._rewatch()
            lost, changed = self._lost, self._changed | {str(self.cases / name) for name in self._linked}
            self._lost, self._changed = False, set()
        return None if lost else changed

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._lock.notify_all()
        os.write(self._wake[1], b"x")
        thread = getattr(self, "_thread", None)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        for fd in (self._fd, *self._wake):
            try:
                os.close(fd)
            except OSError:
                pass

    # --- watching ---------------------------------------------------------------------------------

    def _add(self, folder: Path) -> int:
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(folder), CHANGES)
        if wd < 0:
            number = ctypes.get_errno()
            if number == errno.ENOSPC:
                raise Unavailable(number, "too few inotify watches for every folder under cases/: raise "
                                          "fs.inotify.max_user_watches (sysctl)")
            raise OSError(number, os.strerror(number), str(folder))
        self._folders[wd] = folder
        if folder == self.cases:
            self._top = wd
        return wd

    def _watch_tree(self, folder: Path) -> None:
        """Watch `folder` and every folder under it (each watched before it is listed, so nothing
        made meanwhile is missed), noting the case folders that hold links."""
        pending = [folder]
        while pending:
            current = pending.pop()
            try:
                self._add(current)
                entries = list(os.scandir(current))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                else:
                    self._note_link(Path(entry.path))

    def _rewatch(self) -> None:
        """Start again from nothing: after a folder moved (its watches would name the old path), a
        new hard link (the walk finds its other names), cases/ went away, or a walk ran out of
        watches. Until a walk completes, every `take` says that anything may have changed."""
        for wd in list(self._folders):
            if wd != self._cookie_watch:
                self._libc.inotify_rm_watch(self._fd, wd)
                del self._folders[wd]
        self._top = None
        self._linked.clear()
        self._lost = True
        try:
            self._watch_tree(self.cases)
        except Unavailable:
            self._top = None  # some folders unwatched: try again at the next `take`
        self._rewatch_due = self._top is None

    def _start_again(self) -> None:
        """Nothing is known, and the watches are started again at the next `take` (once, however
        many events asked for it)."""
        self._lost = self._rewatch_due = True

    def _note_link(self, path: Path) -> bool:
        """Note the case of a symbolic link or a hard-linked file; True for a hard link (whose other
        names, perhaps in other cases, only a walk of every folder finds: the kernel tells a folder's
        watch nothing when one of its files gains a name elsewhere)."""
        try:
            found = os.lstat(path)
        except OSError:
            return False
        hard = stat.S_ISREG(found.st_mode) and found.st_nlink > 1
        if stat.S_ISLNK(found.st_mode) or hard:
            name = self._case_of(path)
            if name is not None:
                self._linked.add(name)
        return hard

    def _case_of(self, path: Path) -> str | None:
        try:
            parts = path.relative_to(self.cases).parts
        except ValueError:
            return None
        return parts[0] if parts else None

    # --- reading ----------------------------------------------------------------------------------

    def _read_forever(self) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        poller.register(self._wake[0], select.POLLIN)
        while not self._closed:
            poller.poll()
            if self._closed:
                return
            try:
                data = os.read(self._fd, 1 << 20)
            except BlockingIOError:
                continue
            except OSError:
                return
            with self._lock:
                self._events(data)
                self._lock.notify_all()

    def _events(self, data: bytes) -> None:
        offset = 0
        while offset + _EVENT.size <= len(data):
            wd, mask, _, length = _EVENT.unpack_from(data, offset)
            name = data[offset + _EVENT.size:offset + _EVENT.size + length].rstrip(b"\0")
            offset += _EVENT.size + length
            self._event(wd, mask, os.fsdecode(name))

    def _event(self, wd: int, mask: int, name: str) -> None:
        if mask & IN_Q_OVERFLOW:
            self._lost = True
            return
        if wd == self._cookie_watch:
            if mask & IN_CREATE:
                self._seen.add(name)
            elif mask & IN_IGNORED:
                del self._folders[wd]
            return
        folder = self._folders.get(wd)
        if folder is None:
            return
        if mask & IN_IGNORED:
            del self._folders[wd]
            if wd == self._top:  # cases/ went away: watched again once it is back
                self._top = None
                self._start_again()
            return
        if mask & (IN_DELETE_SELF | IN_MOVE_SELF):
            self._changed.add(str(folder))
            if wd == self._top or mask & IN_MOVE_SELF:
                self._start_again()
            return
        path = folder / name if name else folder
        self._changed.add(str(path))
        if mask & IN_ISDIR and mask & (IN_MOVED_FROM | IN_MOVED_TO):
            self._start_again()  # the watches under a moved folder would name its old place
        elif mask & IN_ISDIR and mask & IN_CREATE:
            try:
                self._watch_tree(path)
            except Unavailable:
                self._start_again()  # a folder left unwatched
        elif mask & (IN_CREATE | IN_MOVED_TO) and self._note_link(path):
            self._start_again()  # a new hard link: the walk finds its other names
