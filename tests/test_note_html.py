"""`site.note_html.entry_html` is `templates/site/partials/note.html`, byte for byte, and steps aside
for a records repository's own note.html."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

from hypothesis import given, settings, strategies as st
from markupsafe import Markup

from arrears.ledger.compute import compute_case
from arrears.records.load import load
from arrears.site import pages, templates
from arrears.site.incremental import build
from arrears.site.markdown import remembering
from arrears.site.note_html import entry_html
from site_records import AS_OF, write_portfolio

ROOT = Path(__file__).resolve().parent.parent


def _partial(entry, history_known: bool) -> str:
    env = templates.environment(None)
    return env.get_template("site/partials/note.html").render(
        entry=entry, history=object() if history_known else None, file_href=pages.file_href)


def test_every_demo_note_renders_as_the_partial_does():
    portfolio = load(ROOT)
    compared = 0
    with remembering({}):
        for case in portfolio.cases:
            figures = compute_case(case, portfolio.settings, date(2026, 11, 24))
            for entry in pages.timeline(case, figures, None):
                for known in (False, True):
                    assert entry_html(entry, known, pages.file_href) == _partial(entry, known), entry.note.id
                    compared += 1
    assert compared > 300


TEXT = st.text(st.sampled_from(list("ab <>&\"'é-_#") + ["\u2028", "日"]), max_size=8)
MAYBE = st.one_of(st.none(), st.just(""), TEXT)


@st.composite
def entries(draw):
    note = SimpleNamespace(
        kind=draw(st.sampled_from(["call", "email", "payment", "invoice", "note", "sms", "x<y"])),
        id=draw(TEXT), date=draw(st.dates(date(2000, 1, 1), date(2099, 12, 31))),
        time=draw(st.one_of(st.none(), st.times())), by=draw(MAYBE), corrects=draw(MAYBE),
        tags=tuple(draw(st.lists(TEXT, max_size=3))),
        detail=SimpleNamespace(direction=draw(st.sampled_from(["in", "out"]))))
    recorded = draw(st.one_of(st.none(), st.builds(
        lambda h, a, d: SimpleNamespace(hash=h, author=a, short=h[:7],
                                        date=datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=1))) + d),
        TEXT, TEXT, st.timedeltas(timedelta(0), timedelta(days=900)))))
    return SimpleNamespace(
        note=note, headline=draw(TEXT),
        facts=tuple(draw(st.lists(st.tuples(TEXT, TEXT), max_size=3))),
        body=draw(st.sampled_from([Markup(""), Markup("<p>a &amp; b</p>\n"), Markup("<ul>\n<li>x</li>\n</ul>\n")])),
        files=tuple(draw(st.lists(TEXT.filter(bool), max_size=2))),
        corrected_by=draw(MAYBE), is_contact=draw(st.booleans()), recorded=recorded)


@settings(max_examples=400, deadline=None)
@given(entries(), st.booleans())
def test_any_entry_renders_as_the_partial_does(entry, known):
    assert entry_html(entry, known, pages.file_href) == _partial(entry, known)


def test_it_is_offered_only_while_note_html_is_the_package_s_own(records, tmp_path):
    assert "entry_html" in templates.environment(records.root).globals
    write_portfolio(records)
    records.write("templates/site/partials/note.html", "<li class=\"mine\">{{ entry.note.kind }}</li>\n")
    assert "entry_html" not in templates.environment(records.root).globals
    build(records.root, AS_OF, tmp_path / "site", full=True)
    pages_written = list((tmp_path / "site" / "cases").glob("*/index.html"))
    assert pages_written and all('<li class="mine">' in p.read_text(encoding="utf-8") for p in pages_written
                                 if "Nothing recorded yet" not in p.read_text(encoding="utf-8"))
    assert not any('class="entry-meta"' in p.read_text(encoding="utf-8") for p in pages_written)
