"""The build cache under `.arrears-cache/`: what each case page was built from, by content hash.

Nothing here is needed to read the records or the site: deleting the folder
only makes the next build a full one. It holds

- `site-<hash of the site folder>.sqlite` (see `Store`): for the last site
  built there, the inputs every page shares, and per case the content hash
  of each of its files (with the size and times that let an unchanged file
  skip being read again, as Git's index does), the resulting fingerprint,
  and the case's listing data for the listing pages; and what those pages
  were made of (their running sums and each page's inputs by digest), for
  the next build to adjust rather than redo;
- `markdown/<case>.pickle`: the case's rendered Markdown bodies by a hash of
  their text, so a rebuilt page re-renders only the bodies that changed.

Writes go to a temporary file renamed into place, so a build that is stopped
half-way leaves the previous cache (or none), never a torn one.
"""

from __future__ import annotations

import gc
import marshal
import os
import pickle
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from contextlib import contextmanager
from typing import Iterable, Iterator, NamedTuple

from arrears.git.command import GitError, open_repo
from arrears.records.files import digest
from arrears.git.history import History, read_history
from arrears.site.publish import rename_over, write_beside

CACHE = ".arrears-cache"
FORMAT = 7
"""Bumped when the cache's layout changes: an older cache is then ignored."""

Stat = tuple[int, int, int, int, str]
"""A file as last seen: (size, mtime_ns, ctime_ns, inode, content hash)."""


LISTING = ("data", "row", "action", "json", "csv", "entry")
"""What the store keeps of each case for the listing pages (see `listings`): `data` the pickled
figures they are computed from, the rest that case's own piece of each page, already rendered."""

_STREAMED = ("json", "csv", "entry")
"""The pieces read for every case on each listing build (due.json, due.csv, cases.js), in a table
of their own: scanning them does not wade through the larger figures and rows (4 to 15 times
faster)."""

_TABLE = {column: "streamed" if column in _STREAMED else "listings" for column in LISTING}


class CaseEntry(NamedTuple):
    """What the main process keeps of one case as last built: enough for the listing pages' hash and
    the problems it reports. Its file stats and fingerprint stay in the store, read by the worker
    that scans the case, and its listing data too, read only when the listing pages are rendered."""

    listing_hash: str  # hash of its listing data and pieces (see `render.render_case`)
    problems: tuple[tuple, ...]  # the case's load warnings and check findings, as Problem fields
    files: int  # attachments copied beside the page


@dataclass
class Index:
    """What the site at `out` was built from."""

    inputs: str = ""  # hash of what every page shares: settings, templates, as-of, code, Git commit
    out: str = ""  # the site folder built into (absolute)
    out_inode: int = 0  # its inode: another build (or a deleted site) replaces it with a new one
    listing_hash: str = ""  # hash of every case's listing: unchanged, the listing pages are too
    cases: dict[str, CaseEntry] = field(default_factory=dict)
    history: str = ""  # which Git history the fingerprints were made with (`history_key`)
    listing_state: dict[str, bytes] = field(default_factory=dict, repr=False)
    """What the listing pages were made of, for the next build to start from (see `listings`): the
    running sums over every case, and each page's inputs by digest. Saved when not empty."""


_NO_PROBLEMS = marshal.dumps(())  # what most cases have: read without unmarshalling


def history_key(history: History | None) -> str:
    """Which Git history this is, as far as the case pages go: the last commit touching the records
    (the history is read for them alone), so a commit elsewhere keeps the key."""
    if history is None:
        return ""
    return f"{len(history.commits)}:{history.commits[-1].hash}" if history.commits else "0"


def folder(root: Path) -> Path:
    return root / CACHE


def store_path(root: Path, out: Path | str) -> Path:
    """One store per site folder, so `serve`'s private site and the published one never mix."""
    return folder(root) / f"site-{digest(str(out).encode())[:12]}.v{FORMAT}.sqlite"  # another layout: another file


# Rowid tables for `cases`, `listings` and `pending`: their rows are kilobytes (a case's file stats,
# its figures and rendered pieces), and SQLite keeps a WITHOUT ROWID row's local part to a quarter
# of a page, spilling the rest to an overflow page of its own (30 KB a case at 10,000 cases); a rowid
# table keeps a row whole in its page, found through the index on its name. The streamed pieces are
# small enough to stay WITHOUT ROWID, clustered in name order for the scans.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cases (name TEXT NOT NULL UNIQUE, fingerprint TEXT, stats BLOB, listing_hash TEXT,
                                  problems BLOB, files INTEGER);
CREATE TABLE IF NOT EXISTS listings (name TEXT NOT NULL, hash TEXT NOT NULL, data BLOB, row TEXT, action TEXT,
                                     UNIQUE (name, hash));
CREATE TABLE IF NOT EXISTS streamed (name TEXT, hash TEXT, json TEXT, csv TEXT, entry TEXT,
                                     PRIMARY KEY (name, hash)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending (build TEXT NOT NULL, name TEXT NOT NULL, fingerprint TEXT, stats BLOB,
                                    listing_hash TEXT, problems BLOB, files INTEGER, UNIQUE (build, name));
"""


class Store:
    """The build cache's database for one site folder (SQLite, in WAL mode).

    Why a database and not one pickled index: a build that changed one case
    writes one row instead of rewriting every case's data (22 MB at 2,500
    cases), and each worker reads and writes only the rows of its own cases,
    so the main process never holds every case's file stats or listing data.
    Workers record what they built under the build's token in `pending`; the
    main process adopts those rows in one transaction once the site is
    published (`save`), so a refused or killed build leaves the store as the
    last published site left it. Listing data is stored by its hash, so
    writing it early is harmless.
    """

    def __init__(self, root: Path, out: Path | str):
        self.path = store_path(root, out)
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self.wanted: dict[str, str] = {}

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():  # a connection never crosses a fork
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            self._pid = os.getpid()
            # (only a new file takes it) a case's streamed pieces fit in a WITHOUT ROWID page's quarter,
            # so scanning them reads no overflow page (see _SCHEMA)
            self._db.execute("PRAGMA page_size=8192")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        return self._db

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None

    def index(self) -> Index:
        """The last published build's index, or an empty one (none, another format, unreadable)."""
        try:
            meta = dict(self.db.execute("SELECT key, value FROM meta"))
            if meta.get("format") != FORMAT:
                return Index()
            with gc_paused():
                cases = {name: CaseEntry(listing, () if problems == _NO_PROBLEMS else marshal.loads(problems), files)
                         for name, listing, problems, files
                         in self.db.execute("SELECT name, listing_hash, problems, files FROM cases")}
            return Index(meta["inputs"], meta["out"], meta["out_inode"], meta["listing_hash"], cases,
                         history=meta.get("history", ""))
        except (sqlite3.Error, KeyError, TypeError, ValueError, EOFError):
            self._reset()
            return Index()

    def _reset(self) -> None:
        """An unreadable store is thrown away: the next build is a full one."""
        self.close()
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except OSError:
                pass

    def meta(self, key: str) -> object:
        """One value the last published build kept (see `Index.listing_state`), or None."""
        found = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if found is None else found[0]

    def data_of(self, pairs: Iterable[tuple[str, str]]) -> dict[str, bytes]:
        """The listing data (`data`) stored under these (name, listing hash) pairs, whichever build
        wrote them: a rebuild reads the changed cases' figures as the last build had them."""
        hashes = dict(pairs)
        return {name: data for name, hash_, data in self._by_name("name, hash, data", "listings", list(hashes))
                if hashes[name] == hash_}

    def previous_of(self, names: list[str]) -> dict[str, tuple[str, bytes, str, bytes, int]]:
        """The cases as last published, for the worker scanning them: by name, (fingerprint,
        marshalled stats, listing hash, marshalled problems, attachments)."""
        return {name: rest for name, *rest in self._by_name(
            "name, fingerprint, stats, listing_hash, problems, files", "cases", names)}

    def _by_name(self, columns: str, table: str, names: list[str]) -> Iterator[tuple]:
        """`SELECT columns FROM table` for these names, 500 to a query (SQLite's limit on parameters;
        one query per case would cost more than the rows)."""
        for start in range(0, len(names), 500):
            part = names[start:start + 500]
            yield from self.db.execute(f"SELECT {columns} FROM {table} WHERE name IN ({', '.join('?' * len(part))})",
                                       part)

    def record(self, build: str, rows: list[tuple], listings: list[tuple]) -> None:
        """A worker's results: (name, fingerprint, stats, listing_hash, problems, files) rows under
        `build`, and the listing data they name: (name, hash, *LISTING)."""
        if not rows and not listings:
            return
        with _transaction(self.db):
            self.db.executemany("INSERT OR IGNORE INTO listings VALUES (?, ?, ?, ?, ?)",
                                [(name, hash_, data, row, action) for name, hash_, data, row, action, *_ in listings])
            self.db.executemany("INSERT OR IGNORE INTO streamed VALUES (?, ?, ?, ?, ?)",
                                [(name, hash_, *streamed) for name, hash_, _, _, _, *streamed in listings])
            self.db.executemany("INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?, ?, ?, ?)",
                                [(build, *row) for row in rows])

    def want(self, wanted: dict[str, str]) -> None:
        """The cases (name -> listing hash) the next `listed` calls read."""
        self.wanted = wanted

    def listed(self, column: str, names: Iterable[str] | None = None) -> Iterator[tuple[str, object]]:
        """(name, value of `column`) of the wanted cases, in name order; only `names`, if given, in
        their order. (The table may also hold a case's data from before this build, under another
        hash: filtering here is three times faster than joining with a table of the wanted ones.)"""
        if column not in LISTING:
            raise ValueError(column)
        wanted = self.wanted
        if names is None:
            for name, hash_, value in self.db.execute(f"SELECT name, hash, {column} FROM {_TABLE[column]} ORDER BY name"):
                if wanted.get(name) == hash_:
                    yield name, value
            return
        chosen = list(names)
        for start in range(0, len(chosen), 500):  # a part at a time, in the order given
            part = chosen[start:start + 500]
            found = {name: value for name, hash_, value in self._by_name(f"name, hash, {column}", _TABLE[column], part)
                     if wanted.get(name) == hash_}
            yield from ((name, found[name]) for name in part if name in found)

    def listed_in_order(self, column: str, names: list[str]) -> Iterator[tuple[str, object]]:
        """`listed` for many `names` in their order (the agenda's), in one query: a temporary table of
        them joined with the listings, rather than a query per page."""
        if column not in LISTING:
            raise ValueError(column)
        db, wanted = self.db, self.wanted
        db.execute("CREATE TEMP TABLE IF NOT EXISTS chosen (position INTEGER PRIMARY KEY, name TEXT, hash TEXT)")
        with _transaction(db):
            db.execute("DELETE FROM chosen")
            db.executemany("INSERT INTO chosen VALUES (?, ?, ?)",
                           ((position, name, wanted.get(name)) for position, name in enumerate(names)))
        yield from db.execute(f"SELECT c.name, l.{column} FROM chosen c JOIN {_TABLE[column]} l"
                              " ON l.name = c.name AND l.hash = c.hash ORDER BY c.position")

    def save(self, build: str, index: Index, full: bool) -> None:
        """Adopt the build's pending rows and its index, in one transaction."""
        db = self.db
        with _transaction(db):
            if full:
                db.execute("DELETE FROM cases")
            else:
                gone = [(name,) for (name,) in db.execute("SELECT name FROM cases") if name not in index.cases]
                db.executemany("DELETE FROM cases WHERE name = ?", gone)
                # the listing data these cases had before this build (a full build sweeps every case's)
                replaced = list(db.execute("SELECT name, listing_hash FROM pending WHERE build = ?", (build,)))
                for table in ("listings", "streamed"):
                    db.executemany(f"DELETE FROM {table} WHERE name = ?", gone)
                    db.executemany(f"DELETE FROM {table} WHERE name = ? AND hash != ?", replaced)
            db.execute("INSERT OR REPLACE INTO cases SELECT name, fingerprint, stats, listing_hash, problems, files"
                       " FROM pending WHERE build = ?", (build,))
            db.execute("DELETE FROM pending WHERE build = ?", (build,))
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           [("format", FORMAT), ("inputs", index.inputs), ("out", index.out),
                            ("out_inode", index.out_inode), ("listing_hash", index.listing_hash),
                            ("history", index.history),
                            *index.listing_state.items()])
            if full:
                for table in ("listings", "streamed"):
                    db.execute(f"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM cases"
                               f" WHERE cases.name = {table}.name AND cases.listing_hash = {table}.hash)")

    def discard(self, build: str) -> None:
        """Forget a build's pending rows (it was refused, or built a past commit)."""
        with _transaction(self.db):
            self.db.execute("DELETE FROM pending WHERE build = ?", (build,))


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def load_markdown(root: Path, case_id: str, code: str) -> dict:
    """A case's rendered bodies, if rendered by this same code (else an empty memory)."""
    try:
        with open(folder(root) / "markdown" / f"{case_id}.pickle", "rb") as handle:
            stored = unpickle(handle.read())
        return stored["bodies"] if stored.get("code") == code else {}
    except (OSError, EOFError, pickle.UnpicklingError, KeyError, TypeError, ValueError, AttributeError):
        return {}


def save_markdown(root: Path, case_id: str, code: str, bodies: dict) -> None:
    _write_atomically(folder(root) / "markdown" / f"{case_id}.pickle",
                      pickle.dumps({"code": code, "bodies": bodies}, protocol=pickle.HIGHEST_PROTOCOL))


def drop_markdown(root: Path, case_id: str) -> None:
    try:
        os.unlink(folder(root) / "markdown" / f"{case_id}.pickle")
    except OSError:
        pass


def history(root: Path, memory: dict | None = None) -> History | None:
    """`history.history_at(root)`, kept here under the commit it was read at.

    Reading a long history costs seconds (a second and a half for 5,000 commits
    and 50,000 notes) and changes only with a new commit, so a build reads it
    once per commit: Git is asked only which commit HEAD is. A long-running
    caller passes a `memory` (a dict) to skip even loading it again.
    """
    try:
        repo = open_repo(root)
        found = repo.git("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
    except GitError:
        return None
    head = found.stdout.decode("ascii", "replace").strip()
    if found.returncode != 0 or not head:
        return None  # no commits yet
    name = digest(f"{FORMAT}\0{repo.top}\0{repo.prefix}\0{head}".encode())
    if memory is not None and name in memory:
        return memory[name]
    read = _stored_history(root, name) or _read_and_store_history(root, repo, head, name)
    if memory is not None and read is not None:
        memory.clear()
        memory[name] = read
    return read


def _stored_history(root: Path, name: str) -> History | None:
    try:
        with open(folder(root) / "history" / f"{name}.pickle", "rb") as handle:
            return unpickle(handle.read())
    except (OSError, EOFError, pickle.UnpicklingError, TypeError, ValueError, AttributeError):
        return None


def _read_and_store_history(root: Path, repo, head: str, name: str) -> History | None:
    try:
        read = read_history(repo, head)
    except GitError:
        return None
    path = folder(root) / "history" / f"{name}.pickle"
    if path.parent.is_dir():
        for older in path.parent.glob("*.pickle"):  # one commit's history is enough to keep
            older.unlink(missing_ok=True)
    _write_atomically(path, pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL))
    return read


def ensure(root: Path) -> None:
    """Create the cache folder, with a .gitignore of its own in case the repository's lacks one."""
    base = folder(root)
    (base / "markdown").mkdir(parents=True, exist_ok=True)
    for older in base.glob("index-*.pickle"):  # the pickled index of cache format 3 and before
        older.unlink(missing_ok=True)
    for older in base.glob("site-*.sqlite*"):  # stores of another format
        if f".v{FORMAT}.sqlite" not in older.name:
            older.unlink(missing_ok=True)
    ignore = base / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# arrears' build cache: safe to delete\n*\n", encoding="utf-8")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while loading: the index, the history and the listing
    data are hundreds of thousands of small objects, none of them garbage, and the collections
    their creation triggers would double the time it takes to load them."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def unpickle(data: bytes):
    with gc_paused():
        return pickle.loads(data)


def _write_atomically(path: Path, data: bytes) -> None:
    rename_over(write_beside(path, lambda stream: stream.write(data), binary=True), path)
