"""The site's templates print through `quick_escape` (site.templates): markupsafe's escaping, to the
character, with plain text marked safe without markupsafe's slower path."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, strategies as st
from markupsafe import Markup, escape

from arrears.site import templates
from arrears.site.incremental import build
from conftest import tree
from site_records import AS_OF, write_portfolio


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("&<>\"'")))
def test_quick_escape_is_markupsafe_escape_for_any_text(text):
    quick = templates.quick_escape(text)
    assert type(quick) is Markup and str(quick) == str(escape(text))


def test_quick_escape_leaves_everything_but_plain_text_to_markupsafe():
    class Shown:
        def __html__(self):
            return "<b>kept</b>"

    for value in (Markup("<i>safe</i>"), Shown(), Decimal("12.50"), 7, None, date(2026, 3, 1), "a & b", "<x>"):
        assert templates.quick_escape(value) == escape(value) and type(templates.quick_escape(value)) is Markup


def test_templates_print_through_quick_escape_however_they_are_loaded(records, tmp_path):
    """From source, and from the compiled cache a later build reads (Jinja's `from_code` both ways):
    if a Jinja upgrade stops calling `_from_namespace`, this fails rather than the build slowing."""
    env = templates.environment(records.root, keep_compiled=True)
    for _ in range(2):  # the second environment loads the code the first one compiled
        page = env.get_template("site/case.html")
        assert isinstance(page, templates.QuickEscapeTemplate)
        assert page.root_render_func.__globals__["escape"] is templates.quick_escape
        env = templates.environment(records.root, keep_compiled=True)
    assert env.from_string("{{ a }}|{{ b }}").render(a="R&D <ltd>", b="plain") == "R&amp;D &lt;ltd&gt;|plain"


def test_the_site_is_the_same_byte_for_byte_with_markupsafe_escape(records, monkeypatch, tmp_path):
    write_portfolio(records)
    build(records.root, AS_OF, tmp_path / "quick", full=True)
    monkeypatch.setattr(templates, "quick_escape", escape)
    build(records.root, AS_OF, tmp_path / "plain", full=True)
    quick, plain = tree(tmp_path / "quick"), tree(tmp_path / "plain")
    assert quick.keys() == plain.keys() and len(quick) > 10
    assert [name for name in quick if quick[name] != plain[name]] == []
