"""The listing pages from the build cache, one case at a time (site/listings.py).

Whether the sums come from every case read from the store in one pass or
from the last build's, adjusted by the cases that changed, the pages are a
full build's bytes; each case's figures are read once at most, the pages
take the rest from the pieces the workers rendered, and a rebuild writes
only the pages whose inputs moved.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from arrears.site import incremental, listings, paging
from conftest import copy_books


DAY = date(2026, 11, 24)
LISTING_PAGES = ("index.html", "agenda.html", "insight.html", "due.json", "due.csv")


@pytest.fixture
def books(generated_books, tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(paging, "CASES_PER_PAGE", 5)
    monkeypatch.setattr(paging, "ACTIONS_PER_PAGE", 4)
    return copy_books(generated_books(24, 3, 11), tmp_path)


def listing(site: Path) -> dict[str, bytes]:
    names = [p for p in site.iterdir() if p.is_file() and (p.name in LISTING_PAGES or p.name.startswith(("cases", "agenda")))]
    return {p.name: p.read_bytes() for p in sorted(names)}


def pay(books: Path, case: str, amount: str) -> None:
    (books / "cases" / case / "notes" / f"2026-11-23-{amount}-pay.md").write_text(
        f"---\ndate: 2026-11-23\nkind: payment\namount: {amount}\nby: jo\n---\n", encoding="utf-8")


def full(books: Path, tmp_path: Path, name: str) -> dict[str, bytes]:
    return listing(incremental.build(books, DAY, tmp_path / name, full=True, workers=1).out)


def test_under_serve_each_rebuild_gives_a_full_builds_pages(books, tmp_path):
    site, session = books / "site", incremental.Session()
    incremental.build(books, DAY, site, workers=1, session=session)
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
    monkeypatch.setattr(listings, "RECOUNT_SHARE", 10 ** 6)  # every case met again, as with no sums stored
    reads = []
    real = listings.pickle.loads
    monkeypatch.setattr(listings.pickle, "loads", lambda data: reads.append(1) or real(data))
    built = incremental.build(books, DAY, site, workers=1)
    assert "index.html" in built.written
    actions = (site / "agenda.html").read_text(encoding="utf-8").count('<li class="task ')
    assert actions > 0
    assert len(reads) <= 2 + 24 + 12, ("the page digests and the long files' layouts, every case once, "
                                       "then at most the worklist's twelve actions")


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
    for table in ("listings", "streamed"):
        names = [name for (name,) in store.db.execute(f"SELECT name FROM {table}")]
        assert sorted(names) == sorted(p.name for p in (books / "cases").iterdir()), f"old {table} rows are swept"
    store.close()


# --- a rebuild adjusts the last build's sums and writes only the pages whose inputs moved ----------


def test_a_payment_reads_only_its_case_and_rewrites_only_the_pages_it_is_on(books, tmp_path, monkeypatch):
    site = books / "site"
    incremental.build(books, DAY, site, workers=1)
    pay(books, "case-00008", "15.00")  # on the case list's page 2 (five cases a page)
    reads = []
    real = listings.pickle.loads
    monkeypatch.setattr(listings.pickle, "loads", lambda data: reads.append(1) or real(data))
    built = incremental.build(books, DAY, site, workers=1)
    assert len(reads) <= 3 + 2 + 12, ("the stored sums, page digests and long files' layouts, the case as it was "
                                      "and is, the worklist")
    assert {"index.html", "insight.html", "due.json", "due.csv", "cases.js", "cases-2.html"} <= set(built.written)
    assert not {"cases-3.html", "cases-4.html", "cases-5.html", "search.html"} & set(built.written)
    monkeypatch.setattr(listings.pickle, "loads", real)
    assert listing(site) == full(books, tmp_path, "after")


def test_a_page_made_from_every_case_is_rewritten_when_any_case_changes(books, tmp_path):
    (books / "templates/site").mkdir(parents=True)
    (books / "templates/site/cases.html").write_text(
        '{% extends "site/base.html" %}{% block main %}<p>Every balance:'
        '{% for f in cases %} {{ f.balance }}{% endfor %}</p>{% endblock %}\n', encoding="utf-8")
    site = books / "site"
    incremental.build(books, DAY, site, workers=1)
    pay(books, "case-00001", "17.00")  # on page 1: page 3 lists other cases, but this template shows them all
    built = incremental.build(books, DAY, site, workers=1)
    assert "cases-3.html" in built.written
    assert listing(site) == full(books, tmp_path, "after")


def _note(books: Path, case: str, name: str, text: str) -> None:
    (books / "cases" / case / "notes" / name).write_text(text, encoding="utf-8")


CHANGES = [
    ("a payment", lambda b: pay(b, "case-00005", "40.00")),
    ("another on the same case", lambda b: pay(b, "case-00005", "41.00")),
    ("a dispute sets a case apart", lambda b: _note(b, "case-00013", "2026-11-20-dispute.md",
        "---\ndate: 2026-11-20\nkind: dispute\nstate: open\nby: jo\nsummary: Goods never arrived\n---\n")),
    ("the dispute resolved", lambda b: _note(b, "case-00013", "2026-11-21-resolved.md",
        "---\ndate: 2026-11-21\nkind: dispute\nstate: resolved\nby: jo\nsummary: Found in their stores\n---\n")),
    ("a case with an error is left out", lambda b: _note(b, "case-00019", "2026-11-22-bad.md",
        "---\ndate: 2026-11-22\nkind: payment\namount: lots\nby: jo\n---\n")),
    ("a case goes", lambda b: shutil.rmtree(b / "cases" / "case-00021")),
    ("a case comes", lambda b: shutil.copytree(b / "cases" / "case-00002", b / "cases" / "case-00002b")),
    ("the error mended", lambda b: (b / "cases/case-00019/notes/2026-11-22-bad.md").unlink()),
    ("a case in a new currency, with a new owner and a tag", lambda b: _euro_case(b)),
    ("a payment settles it", lambda b: pay(b, "euro-case", "90000.00")),
    ("it goes, and its currency, owner and tag with it", lambda b: shutil.rmtree(b / "cases" / "euro-case")),
]


def _euro_case(books: Path) -> None:
    shutil.copytree(books / "cases" / "case-00003", books / "cases" / "euro-case")
    case = books / "cases" / "euro-case" / "case.md"
    text = case.read_text(encoding="utf-8").replace("currency: GBP", "currency: EUR")
    case.write_text(re.sub(r"\nowner: .*\n", "\ntags: [export]\nowner: ines\n", text), encoding="utf-8")


def test_after_each_kind_of_change_the_adjusted_pages_are_a_full_builds(books, tmp_path, monkeypatch):
    site = books / "site"
    incremental.build(books, DAY, site, workers=1)
    counted, real = [], listings._count
    monkeypatch.setattr(listings, "_count", lambda *a: counted.append(1) or real(*a))
    for number, (what, change) in enumerate(CHANGES):
        change(books)
        built = incremental.build(books, DAY, site, workers=1)
        assert built.published, what
        assert not counted, f"{what}: the last build's sums adjusted, not every case met again"
        monkeypatch.setattr(listings, "_count", real)
        assert listing(site) == full(books, tmp_path, f"step-{number}"), what
        monkeypatch.setattr(listings, "_count", lambda *a: counted.append(1) or real(*a))
        if number == len(CHANGES) - 2:
            assert "€" in (site / "index.html").read_text(encoding="utf-8") and "ines" in (site / "index.html").read_text(encoding="utf-8")
    assert "€" not in (site / "index.html").read_text(encoding="utf-8")
    assert "ines" not in (site / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo_listed(tmp_path_factory) -> list[tuple[str, listings.Listed]]:
    """Every case of the demo portfolio (three currencies, owners, tags, cases set apart) as the
    listing pages meet it."""
    root = tmp_path_factory.mktemp("demo") / "books"
    shutil.copytree(Path(__file__).resolve().parents[1] / "cases", root / "cases")
    shutil.copy(Path(__file__).resolve().parents[1] / "arrears.toml", root / "arrears.toml")
    built = incremental.build(root, DAY, root / "site", workers=1)
    store = incremental.cache.Store(root, built.out)
    found = [(name, listings.pickle.loads(data)) for name, data in
             store.db.execute("SELECT name, data FROM listings ORDER BY name")]
    store.close()
    assert len({listed.summary.currency for _, listed in found}) == 3
    return _Cases(found)


class _Cases(list):
    def __repr__(self) -> str:  # hypothesis prints its arguments when a test fails
        return f"<the {len(self)} demo cases>"


def _made_afresh(chosen: list[tuple[str, listings.Listed]]) -> listings._Counted:
    counted = listings._Counted.empty(DAY)
    for name, listed in chosen:
        counted.add(name, listed)
    return counted


def _shown(counted: listings._Counted) -> str:
    """Everything the listing pages show of the sums, as text (so 0 and 0.00 differ)."""
    tally = counted.tally
    return repr((tally.totals(), listings.pages.currency_totals(tally), listings.pages.state_bars(tally),
                 sorted(tally.owners), sorted(tally.tags), counted.insight.insight(), counted.keys,
                 counted.set_apart()))


@given(st.data())
@settings(max_examples=60)
def test_sums_adjusted_case_by_case_are_the_sums_made_afresh(demo_listed, data):
    names = [name for name, _ in demo_listed]
    before = data.draw(st.sets(st.sampled_from(names)), label="cases before")
    after = data.draw(st.sets(st.sampled_from(names)), label="cases after")
    by_name = dict(demo_listed)
    counted = _made_afresh([(name, by_name[name]) for name in sorted(before)])
    for name in data.draw(st.permutations(sorted(before - after)), label="taken out"):
        counted.remove(name, by_name[name])
    for name in data.draw(st.permutations(sorted(after - before)), label="put in"):
        counted.add(name, by_name[name])
    assert _shown(counted) == _shown(_made_afresh([(name, by_name[name]) for name in sorted(after)]))


def test_taking_out_a_case_the_sums_never_met_is_refused(demo_listed):
    by_name = dict(demo_listed)
    euro = next(name for name, listed in demo_listed if listed.summary.currency == "EUR")
    apart = next(name for name, listed in demo_listed if isinstance(listed.agenda, listings.SetApartCase))
    acting = next(name for name, listed in demo_listed if isinstance(listed.agenda, listings.AgendaItem))
    no_euros = [(name, listed) for name, listed in demo_listed if listed.summary.currency != "EUR"]
    with pytest.raises(LookupError):  # its currency: a rebuild then meets every case again
        _made_afresh(no_euros).remove(euro, by_name[euro])
    for missing in (apart, acting):  # the cases set apart, the agenda's order
        with pytest.raises(LookupError):
            _made_afresh([(name, listed) for name, listed in demo_listed if name != missing]).remove(
                missing, by_name[missing])


@given(st.data())
@settings(max_examples=60)
def test_sums_added_up_in_parts_and_merged_are_the_sums_made_afresh(demo_listed, data):
    """A cold build's workers add up their own parts of the cases (`listings.Met`) and the parent
    merges them: in any split, met in any order, the pages show what one count of every case shows."""
    parts = data.draw(st.integers(1, 6), label="parts")
    placed = data.draw(st.lists(st.integers(0, parts - 1), min_size=len(demo_listed), max_size=len(demo_listed)),
                       label="part of each case")
    merged = listings.Met.empty(DAY)
    for part in data.draw(st.permutations(range(parts)), label="order the parts come back in"):
        met = listings.Met.empty(DAY)
        for name, listed in data.draw(st.permutations([c for c, p in zip(demo_listed, placed) if p == part]),
                                      label="order the part meets its cases in"):
            met.add(name, listed)
        merged.merge(met)
    merged.counted.keys.sort()
    assert merged.names == {name for name, _ in demo_listed}
    assert _shown(merged.counted) == _shown(_made_afresh(sorted(demo_listed)))


def test_parts_that_met_the_same_case_are_refused(demo_listed):
    name, listed = demo_listed[0]
    one, other = listings.Met.empty(DAY), listings.Met.empty(DAY)
    one.add(name, listed)
    other.add(name, listed)
    with pytest.raises(ValueError):
        one.merge(other)


def test_a_cold_build_reads_back_only_the_worklist_and_writes_what_a_count_of_every_case_does(
        books, tmp_path, monkeypatch):
    reads = []
    real = listings.pickle.loads
    monkeypatch.setattr(listings.pickle, "loads", lambda data: reads.append(1) or real(data))
    merged = listing(incremental.build(books, DAY, tmp_path / "merged", workers=2).out)
    read_merged = len(reads)
    monkeypatch.setattr(listings.Met, "add", lambda self, name, listed: None)  # as if no worker had counted
    reads.clear()
    counted = listing(incremental.build(books, DAY, tmp_path / "counted", workers=2).out)
    assert read_merged == len(reads) - 24, ("each of the 24 cases is read back from the store only when no "
                                            "worker added it up; the agenda's actions are read either way")
    assert merged == counted
