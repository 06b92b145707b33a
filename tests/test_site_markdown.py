"""Markdown in records renders as CommonMark with nothing that can run or phone home."""

from __future__ import annotations

import os

import pytest

from arrears.site.markdown import is_relative_path, is_safe_link, render


@pytest.mark.parametrize("url", [
    "https://example.com/a?b#c", "http://example.com", "mailto:jo@example.com", "tel:+442079460000",
    "files/letter.pdf", "../files/letter.pdf", "#note-1", "?q=1", "notes/a:b.md#x",
])
def test_safe_links(url):
    assert is_safe_link(url)


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "java%09script:alert(1)", "%6Aavascript:alert(1)", "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "data:image/png;base64,AAAA", "vbscript:msgbox(1)",
    "file:///etc/passwd", "ftp://example.com", "blob:https://x/1", "jav&#x09;ascript:alert(1)",
    "java\u200bscript:alert(1)", "1javascript:alert(1)",
])
def test_unsafe_links(url):
    assert not is_safe_link(url)


@pytest.mark.parametrize("url, relative", [
    ("files/a.png", True), ("../files/a.png", True), ("/etc/a.png", False), ("//evil.example/a.png", False),
    ("\\\\evil\\a.png", False), ("https://example.com/a.png", False), ("data:image/png;base64,AA", False),
])
def test_images_only_from_relative_paths(url, relative):
    assert is_relative_path(url) is relative


def test_raw_html_is_text_and_bare_urls_stay_text():
    html = str(render("<b onclick=\"x()\">hi</b> https://example.com <script>alert(1)</script>").html)
    assert html == ("<p>&lt;b onclick=&quot;x()&quot;&gt;hi&lt;/b&gt; https://example.com "
                    "&lt;script&gt;alert(1)&lt;/script&gt;</p>\n")


def test_unsafe_links_are_left_as_plain_text():
    html = str(render("[pay](javascript:alert(1)) <javascript:alert(2)> [ok](https://bank.example)").html)
    assert "<a" in html and html.count("<a ") == 1
    assert '<a href="https://bank.example" rel="noopener noreferrer nofollow">ok</a>' in html
    assert "[pay](javascript:alert(1))" in html


def test_reference_definitions_are_checked_too():
    html = str(render("[x][r]\n\n[r]: javascript:alert(1)\n").html)
    assert "<a" not in html


def test_remote_and_data_images_are_not_loaded():
    html = str(render("![pixel](https://tracker.example/p.png) ![d](data:image/png;base64,AA) "
                      "![s](/etc/x.png)").html)
    assert "<img" not in html
    assert html.count("image not shown") == 2
    assert "![d](data:image/png;base64,AA)" in html, "a data: URL is not even a link: it stays text"


def test_attachment_links_are_rewritten_for_the_case_page():
    rendered = render("See [the letter](../files/letter%20one.pdf#page=2) and ![scan](../files/scan.png).",
                      "cases/acme/notes", "cases/acme")
    html = str(rendered.html)
    assert '<a href="files/letter%20one.pdf#page=2">the letter</a>' in html
    assert '<img src="files/scan.png" alt="scan" loading="lazy">' in html
    assert rendered.files == ["letter one.pdf", "scan.png"]


def test_story_links_resolve_from_the_case_folder():
    rendered = render("[contract](files/contract.pdf)", "cases/acme", "cases/acme")
    assert 'href="files/contract.pdf"' in str(rendered.html) and rendered.files == ["contract.pdf"]


def test_links_outside_the_case_are_not_attachments():
    rendered = render("[other](../../other/files/x.pdf)", "cases/acme/notes", "cases/acme")
    assert rendered.files == []


def test_headings_sit_below_the_page_headings():
    assert str(render("# Call\n\n### Detail").html) == "<h4>Call</h4>\n<h6>Detail</h6>\n"


def test_commonmark_basics():
    html = str(render("**bold** _it_\n\n- a\n- b\n\n> quoted\n\n`code`").html)
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert "<ul>" in html and "<blockquote>" in html and "<code>code</code>" in html


# --- the plain-prose fast path never differs from the parser -----------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from arrears.site.markdown import SafeMarkdown, plain_prose  # noqa: E402

_PARSER = SafeMarkdown()
_ANYTHING = [
    "a", "Z", "word", "Hello", "0", "42", " ", "  ", ",", ".", ";", ":", "'", '"', "?", "!", "(", ")", "%",
    "/", "+", "=", "£", "€", "$", "-", "\n", "\n\n", "\t", "*", "_", "[", "]", "<", ">", "&", "#", "`",
    "\\", "~", "1.", "- ", "> ", "===", "---", "    ", "é", "\r", "http://x.example", "&amp;",
    "- item", "\n- ", "\n-  ", "\n* ", "\n+ ", "\n1. ", "**", "**bold**", "- **x** y", "***", "__", "\n- - -",
]
# Lines the fast path takes, some with one thing that could make it refuse them (since a refused line
# sends the whole text to the parser, only texts made of lines it takes can catch it out).
_TAKEN = st.lists(st.sampled_from([" a", " word", ",", ".", "!", ")", " 42", ' "q"', " well-known", " **b**",
                                   " **x y**"]), max_size=3).map("".join)
_LINES = st.tuples(
    st.sampled_from(["\n", "\n", "\n\n", "\n \n"]),
    st.sampled_from(["", "", "", "- ", "- ", "- ", "-  ", "* ", " "]),
    st.sampled_from(["Word", "a", "**Bold**", "**b c**"]), _TAKEN,
    st.sampled_from(["", "", "", "", "", "", "", "**", " **", "**a", "a**", "*", "(", "42", '"', " ", "  ",
                     " ** a**", " **a **", "**a**", "a**b**", " (**a**)", " **a**b", '**"', "---", "==="]),
    _TAKEN,
).map("".join)
_TEXTS = st.one_of(st.lists(st.sampled_from(_ANYTHING), max_size=30).map("".join),
                   st.lists(_LINES, max_size=6).map("".join))


def _parsed(text):
    return _PARSER.md.render(text, {"record_dir": "", "case_dir": "", "files": []})


@settings(max_examples=2000, deadline=None)
@given(_TEXTS)
def test_plain_prose_is_what_the_parser_would_say(text):
    fast = plain_prose(text)
    if fast is not None:
        assert fast == _parsed(text)


NOTE_WITH_A_LIST = """Called about the March invoice. She was apologetic.

- balance confirmed
- next step agreed
- **follow up** booked

We will speak again on Friday.
"""


@pytest.mark.parametrize("text, expected", [
    ("Spoke to Priya. She will pay 50% on Friday (after payday).\n\nAgreed.\n",
     "<p>Spoke to Priya. She will pay 50% on Friday (after payday).</p>\n<p>Agreed.</p>\n"),
    (NOTE_WITH_A_LIST,
     "<p>Called about the March invoice. She was apologetic.</p>\n"
     "<ul>\n<li>balance confirmed</li>\n<li>next step agreed</li>\n<li><strong>follow up</strong> booked</li>\n"
     "</ul>\n<p>We will speak again on Friday.</p>\n"),
    ("Agreed:\n- a plan\n- a date", "<p>Agreed:</p>\n<ul>\n<li>a plan</li>\n<li>a date</li>\n</ul>\n"),
    ("- one\n\nThen prose.\n\n- two\n\n",
     "<ul>\n<li>one</li>\n</ul>\n<p>Then prose.</p>\n<ul>\n<li>two</li>\n</ul>\n"),
    ('She said **yes "now" please**, then **twice**).',
     '<p>She said <strong>yes &quot;now&quot; please</strong>, then <strong>twice</strong>).</p>\n'),
    ("**Paid** in full\nby **bank transfer**!",
     "<p><strong>Paid</strong> in full\nby <strong>bank transfer</strong>!</p>\n"),
])
def test_ordinary_notes_take_the_fast_path(text, expected):
    assert plain_prose(text) == expected == _parsed(text)


@pytest.mark.parametrize("text", [
    "- a\n\n- b",                 # loose list: items become paragraphs
    "- a\n  \n- b",               # a blank line of spaces is still blank
    "- a\nb",                     # lazy continuation of the item
    "- a\n**b** c",               # the same, starting with a strong span
    "* item", "+ item", "1. item", "1) item",
    "-  two spaces", "- ", "-", "-\titem", " - indented", "  - a",
    "- - -", "---", "- a\n---", "a\n---", "a\n===", "***", "- ***",
    "**a*", "** spaced**", "**a **", "**a**_", "***a***", "**a** **", '**"yes"**', '**yes "now"**',
    "a**b**", "**a**b", "(**a**)", "**a**.**b**",  # strong to the parser, but not the simplest form
    "x  \ny", "**bold**  ", "- a  ",
])
def test_tricky_text_is_left_to_the_parser(text):
    assert plain_prose(text) is None


def test_a_build_of_plain_prose_never_makes_a_markdown_parser_in_any_process(records):
    """The parser (markdown-it, 0.09 s to import and make) is made where a body first needs it:
    a cold build on two workers whose bodies are all plain prose makes none, main or worker
    (`-X importtime` reports every import of every process, the forked workers' too)."""
    import subprocess
    import sys

    for number in range(200):  # the build fans out to workers from 200 cases on
        records.write(f"cases/c{number:03}/case.md",
                      "---\ndebtor:\n  name: Debtor\n  kind: business\nopened: 2026-01-15\n---\nA plain story.\n")
        records.write(f"cases/c{number:03}/notes/2026-02-01-call.md",
                      "---\ndate: 2026-02-01\nkind: call\n---\nWe spoke about the invoice.\n\n- next step agreed\n")
    command = [sys.executable, "-X", "importtime", "-m", "arrears", "build", "--root", str(records.root),
               "--as-of", "2026-04-01", "--no-search"]
    environment = {**os.environ, "ARREARS_WORKERS": "2", "ARREARS_NO_BUILD_SERVER": "1"}
    plain = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)
    assert plain.returncode == 0, plain.stderr[-2000:]
    assert "| arrears.site.render" in plain.stderr and "markdown_it" not in plain.stderr
    records.write("cases/c150/notes/2026-02-02-note.md",
                  "---\ndate: 2026-02-02\nkind: note\n---\nSee [the contract](https://example.com/c).\n")
    linked = subprocess.run([*command, "--full"], env=environment, capture_output=True, text=True, timeout=300)
    assert linked.returncode == 0, linked.stderr[-2000:]
    assert "| markdown_it" in linked.stderr, "a body with a link is rendered by the parser"
