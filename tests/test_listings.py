"""The listing pages from the build cache, one case at a time (site/listings.py).

Whatever the listing data comes from (every case read from the store in one
pass, or `serve`'s memory with the few changed cases read by name), the
pages are a full build's bytes; each case's figures are read once, and the
pages take the rest from the pieces the workers rendered.
"""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

from arrears.site import incremental, listings, paging

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tooling"))
from generate_portfolio import generate  # noqa: E402

DAY = date(2026, 11, 24)
LISTING_PAGES = ("index.html", "agenda.html", "insight.html", "due.json", "due.csv")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("listings") / "books"
    generate(root, 24, 3, seed=11)
    return root


@pytest.fixture
def books(generated, tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(paging, "CASES_PER_PAGE", 5)
    monkeypatch.setattr(paging, "ACTIONS_PER_PAGE", 4)
    root = tmp_path / "books"
    shutil.copytree(generated, root)
    return root


def listing(site: Path) -> dict[str, bytes]:
    names = [p for p in site.iterdir() if p.is_file() and (p.name in LISTING_PAGES or p.name.startswith(("cases", "agenda")))]
    return {p.name: p.read_bytes() for p in sorted(names)}


def pay(books: Path, case: str, amount: str) -> None:
    (books / "cases" / case / "notes" / f"2026-11-23-{amount}-pay.md").write_text(
        f"---\ndate: 2026-11-23\nkind: payment\namount: {amount}\nby: jo\n---\n", encoding="utf-8")


def full(books: Path, tmp_path: Path, name: str) -> dict[str, bytes]:
    return listing(incremental.build(books, DAY, tmp_path / name, full=True, workers=1).out)


def test_under_serve_the_remembered_figures_give_a_full_builds_pages(books, tmp_path):
    site, session = books / "site", incremental.Session()
    incremental.build(books, DAY, site, workers=1, session=session)
    assert len(session.listed) == 24
    assert listing(site) == full(books, tmp_path, "first")
    assert len(listing(site)) > len(LISTING_PAGES), "the lists are paged"
    for round, case in enumerate(["case-00003", "case-00017", "case-00003"]):
        pay(books, case, f"{round + 1}0.00")
        built = incremental.build(books, DAY, site, workers=1, session=session,
                                  changed=[str(books / "cases" / case / "notes")])
        assert "due.json" in built.written
        assert listing(site) == full(books, tmp_path, f"round-{round}")


def test_each_case_is_read_once_and_the_worklist_besides(books, monkeypatch):
    site = books / "site"
    incremental.build(books, DAY, site, workers=1)
    pay(books, "case-00008", "15.00")
    reads = []
    real = listings.pickle.loads
    monkeypatch.setattr(listings.pickle, "loads", lambda data: reads.append(1) or real(data))
    built = incremental.build(books, DAY, site, workers=1)
    assert "index.html" in built.written
    actions = (site / "agenda.html").read_text(encoding="utf-8").count('<li class="task ')
    assert actions > 0
    assert len(reads) <= 24 + 12, "every case once, then at most the worklist's twelve actions"


def test_a_case_whose_listing_data_is_lost_is_a_clear_error(books):
    site = books / "site"
    incremental.build(books, DAY, site, workers=1)
    store = incremental.cache.Store(books, site.resolve())
    store.db.execute("DELETE FROM listings WHERE name = 'case-00004'")
    store.close()
    pay(books, "case-00009", "12.00")
    with pytest.raises(RuntimeError, match="case-00004"):
        incremental.build(books, DAY, site, workers=1)


def test_a_store_of_another_format_is_removed_and_an_unreadable_one_replaced(books):
    site = books / "site"
    incremental.build(books, DAY, site, workers=1)
    cache_folder = books / ".arrears-cache"
    older = cache_folder / "site-0123456789ab.sqlite"  # cache format 4's name, with its own layout
    older.write_bytes(b"SQLite format 3\0" + b"\0" * 100)
    current = incremental.cache.store_path(books, site.resolve())
    assert current.is_file()
    current.write_bytes(b"not a database at all")
    for suffix in ("-wal", "-shm"):
        Path(f"{current}{suffix}").unlink(missing_ok=True)
    built = incremental.build(books, DAY, site, workers=1)
    assert built.full and built.published, "an unreadable store only makes the build a full one"
    assert not older.exists()
    assert listing(site) == listing(incremental.build(books, DAY, books / "again", full=True, workers=1).out)


def test_the_store_keeps_one_listing_per_case(books):
    site = books / "site"
    incremental.build(books, DAY, site, workers=1)
    for round, case in enumerate(["case-00002", "case-00002", "case-00011"]):
        pay(books, case, f"{round + 1}1.00")
        incremental.build(books, DAY, site, workers=1)
    shutil.rmtree(books / "cases" / "case-00020")
    incremental.build(books, DAY, site, workers=1)
    store = incremental.cache.Store(books, site.resolve())
    names = [name for (name,) in store.db.execute("SELECT name FROM listings")]
    store.close()
    assert sorted(names) == sorted(p.name for p in (books / "cases").iterdir()), "old listing data is swept"
