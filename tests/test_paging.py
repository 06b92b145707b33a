"""A large portfolio's listing pages come in pages (site/paging.py), with a small page size here.

Each case is on exactly one page of the case list, in the table's order, and
cases.js names every case; the agenda's pages split its actions in order;
an incremental build that shrinks or grows the lists gives a full build's
bytes, removing the pages past the new last one; and a portfolio on one page
has no extra files at all.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from arrears.site import incremental, paging, search
from conftest import copy_books, tree


DAY = date(2026, 11, 24)
CASES, ACTIONS = 7, 5  # per page, in these tests
ROW = re.compile(r'<td data-label="Case"><a href="cases/([^/"]+)/index.html">')
ACTION = re.compile(r'<li class="task rank-[0-9]+">\s*<div class="task-main">\s*<a href="cases/([^/"]+)/index.html">')


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(paging, "CASES_PER_PAGE", CASES)
    monkeypatch.setattr(paging, "ACTIONS_PER_PAGE", ACTIONS)


@pytest.fixture
def books(generated_books, tmp_path) -> Path:
    return copy_books(generated_books(30, 2, 3), tmp_path)


def table_ids(html: str) -> list[str]:
    start = html.index('id="case-table"')
    table = html[start:html.index("</table>", start)]
    return ROW.findall(table)


def case_pages(site: Path) -> list[str]:
    """index.html, cases-2.html, ... as far as they go."""
    names, number = ["index.html"], 2
    while (site / f"cases-{number}.html").is_file():
        names.append(f"cases-{number}.html")
        number += 1
    return names


def agenda_pages(site: Path) -> list[str]:
    names, number = ["agenda.html"], 2
    while (site / f"agenda-{number}.html").is_file():
        names.append(f"agenda-{number}.html")
        number += 1
    return names


def actions(html: str) -> list[str]:
    start = html.index('<ol class="tasks agenda">')
    listed = html[start:html.index("</ol>", start)]
    return ACTION.findall(listed)


def index_cases(site: Path) -> list[list]:
    text = (site / paging.INDEX).read_text(encoding="ascii")
    prefix = "window.arrearsCases = "
    data = json.loads(text[text.index(prefix) + len(prefix):].rstrip().rstrip(";"))
    assert list(data["fields"]) == ["id", "href", "debtor", "vulnerable", "owner", "state", "state_label",
                                    "state_order", "tags", "search", "balance", "balance_value", "overdue",
                                    "overdue_value", "days", "next_due", "next_due_amount", "next_due_value",
                                    "follow_up", "follow_up_value", "follow_up_due"]
    return data["cases"]


def test_every_case_is_on_exactly_one_page_in_order_and_in_cases_js(books, small_pages):
    site = books / "site"
    built = incremental.build(books, DAY, site, full=True, workers=1)
    ids = sorted(path.name for path in (books / "cases").iterdir())
    pages = case_pages(site)
    assert len(pages) == -(-len(ids) // CASES)  # 30 cases, 7 a page: 5 pages
    on_pages = [table_ids((site / name).read_text(encoding="utf-8")) for name in pages]
    assert all(len(found) <= CASES for found in on_pages)
    assert [case for found in on_pages for case in found] == ids
    assert [case[0] for case in index_cases(site)] == ids
    last = (site / pages[-1]).read_text(encoding="utf-8")
    assert f"page {len(pages)} of {len(pages)}" in last.lower() and 'data-index="cases.js"' in last
    assert 'href="index.html#cases"' in last and 'href="agenda.html"' in last  # links from a root-level page
    assert built.pages == 2 * len(ids) + 3 + (len(pages) - 1) + (len(agenda_pages(site)) - 1)


def test_the_agenda_pages_split_its_actions_in_order(books, small_pages, monkeypatch, tmp_path):
    site = books / "site"
    incremental.build(books, DAY, site, full=True, workers=1)
    monkeypatch.setattr(paging, "ACTIONS_PER_PAGE", 10_000)
    whole = actions(incremental.build(books, DAY, tmp_path / "whole", full=True, workers=1).out
                    .joinpath("agenda.html").read_text(encoding="utf-8"))
    pages = agenda_pages(site)
    assert len(whole) > 2 * ACTIONS and len(pages) == -(-len(whole) // ACTIONS)
    split = [actions((site / name).read_text(encoding="utf-8")) for name in pages]
    assert [case for page in split for case in page] == whole
    first = (site / "agenda.html").read_text(encoding="utf-8")
    assert f"{len(whole)} actions, most urgent first" in first
    later = (site / pages[1]).read_text(encoding="utf-8")
    assert "Set apart, not chased" not in later and f"page 2 of {len(pages)}" in later


def test_shrinking_and_growing_the_lists_gives_a_full_builds_bytes(books, small_pages, tmp_path):
    site = books / "site"
    incremental.build(books, DAY, site, workers=1)
    before = set(case_pages(site)) | set(agenda_pages(site))
    gone = sorted((books / "cases").iterdir())[:20]
    kept = tmp_path / "kept"
    kept.mkdir()
    for folder in gone:
        shutil.move(str(folder), kept / folder.name)
    shrunk = incremental.build(books, DAY, site, workers=1)
    assert not shrunk.full
    after = set(case_pages(site)) | set(agenda_pages(site))
    assert after < before and set(shrunk.removed) >= before - after
    assert not any((site / name).exists() for name in before - after)
    assert tree(site) == tree(incremental.build(books, DAY, tmp_path / "full-shrunk", full=True, workers=1).out)

    for folder in gone[:12]:
        shutil.move(str(kept / folder.name), books / "cases" / folder.name)
    grown = incremental.build(books, DAY, site, workers=1)
    assert not grown.full and "cases-3.html" in grown.written
    assert tree(site) == tree(incremental.build(books, DAY, tmp_path / "full-grown", full=True, workers=1).out)

    for folder in sorted((books / "cases").iterdir())[CASES:]:  # one page: no pager, no cases.js
        shutil.rmtree(folder)
    one = incremental.build(books, DAY, site, workers=1)
    assert case_pages(site) == ["index.html"] and not (site / paging.INDEX).exists()
    assert "cases.js" in one.removed and 'class="pager"' not in (site / "index.html").read_text(encoding="utf-8")
    assert tree(site) == tree(incremental.build(books, DAY, tmp_path / "full-one", full=True, workers=1).out)


def test_a_stray_file_beside_the_pages_still_goes(books, small_pages):
    site = books / "site"
    incremental.build(books, DAY, site, workers=1)
    (site / "cases-99.html").write_text("stray", encoding="utf-8")
    note = min((books / "cases/case-00002/notes").glob("*.md"))
    note.write_text(note.read_text(encoding="utf-8") + "\nRang again.\n", encoding="utf-8")
    (books / "cases/case-00002/notes/2026-11-19-99-payment.md").write_text(
        "---\ndate: 2026-11-19\nkind: payment\namount: 1.00\nby: jo\n---\nPaid.\n", encoding="utf-8")
    built = incremental.build(books, DAY, site, workers=1)
    assert "cases-99.html" in built.removed and not (site / "cases-99.html").exists()


def test_one_page_has_no_extra_files(books):
    site = incremental.build(books, DAY, books / "site", full=True, workers=1).out
    assert not (site / paging.INDEX).exists() and not list(site.glob("cases-*.html"))
    assert not list(site.glob("agenda-*.html"))
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "data-index" not in html and 'class="pager"' not in html


def test_listing_pages_stay_out_of_search(books, small_pages):
    site = incremental.build(books, DAY, books / "site", full=True, workers=1, search_index=False).out
    listing = [p for p in site.glob("*.html")]
    assert any(p.name.startswith("cases-") for p in listing)
    assert not any(p.match(search.GLOB) for p in listing)  # Pagefind reads only the case pages
    assert not any("data-pagefind-body" in p.read_text(encoding="utf-8") for p in listing)


def test_cases_js_keeps_hostile_text_inert(books, small_pages):
    from conftest import RecordsTree

    from site_records import write_injection

    records = RecordsTree(books)
    write_injection(records)
    records.case("zz-sep", """
        debtor:
          name: "Line\\u2028break\\u2029 </script><script>alert('js')</script> & co"
          kind: business
        opened: 2026-01-01
    """)
    site = incremental.build(books, DAY, books / "site", full=True, workers=1).out
    text = (site / paging.INDEX).read_text(encoding="ascii")  # ASCII only: U+2028 cannot end a line
    assert "<" not in text and ">" not in text and "&" not in text
    names = {case[0]: case[2] for case in index_cases(site)}
    assert names["zz-sep"] == "Line\u2028break\u2029 </script><script>alert('js')</script> & co"
    assert names["evil"] == "<script>alert('name')</script><img src=x onerror=alert('name2')>"


@pytest.mark.parametrize("count", [2, 5, 6, 7, 8, 9, 100])
def test_the_pager_links_the_ends_and_the_neighbours_and_stays_short(count):
    for number, pager in enumerate(paging.pagers(count, paging.agenda_href), start=1):
        numbers = [link[0] for link in pager.window if link is not None]
        assert numbers == sorted(set(numbers)) and {1, count, number} <= set(numbers)
        assert {n for n in (number - 1, number + 1) if 1 <= n <= count} <= set(numbers), "a neighbour is one click away"
        assert len(numbers) <= 2 * paging.WINDOW + 5
        for before, gap, after in zip(pager.window, pager.window[1:], pager.window[2:]):
            if gap is None:
                assert after[0] >= before[0] + 3, "a gap hides two pages or more, never just one"
        for before, after in zip(pager.window, pager.window[1:]):
            if before is not None and after is not None:
                assert after[0] == before[0] + 1, "skipped pages are marked by a gap"
        assert all(href == paging.agenda_href(n) for n, href in (link for link in pager.window if link))
