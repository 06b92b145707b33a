"""The package's partials are compiled into the templates that include them (site.templates.InliningLoader):
the same pages, byte for byte, and a records repository's overrides behave as before."""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemLoader

from arrears.site import template_paths, templates
from arrears.site.incremental import build
from conftest import tree
from site_records import AS_OF, write_portfolio


def test_the_site_is_the_same_byte_for_byte_with_its_partials_inlined(records, monkeypatch, tmp_path):
    write_portfolio(records)
    build(records.root, AS_OF, tmp_path / "inlined", full=True)
    monkeypatch.setattr(templates.InliningLoader, "get_source", FileSystemLoader.get_source)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-cache"))  # compiled afresh, from the files alone
    build(records.root, AS_OF, tmp_path / "included", full=True)
    inlined, included = tree(tmp_path / "inlined"), tree(tmp_path / "included")
    assert inlined.keys() == included.keys() and len(inlined) > 10
    assert [name for name in inlined if inlined[name] != included[name]] == []


def test_only_our_partials_are_inlined_and_only_into_our_templates(records):
    env = templates.environment(records.root)
    timeline = env.loader.get_source(env, "site/partials/timeline.html")[0]
    assert 'include "site/partials/note.html"' not in timeline and 'class="entry-meta"' in timeline

    records.write("templates/site/partials/note.html", "<li>{{ entry.note.kind }}</li>\n")
    env = templates.environment(records.root)
    timeline = env.loader.get_source(env, "site/partials/timeline.html")[0]
    assert '{% include "site/partials/note.html" %}' in timeline, "an override is included, as before"

    records.write("templates/site/partials/timeline.html", '<ol>{% include "site/partials/state.html" %}</ol>\n')
    env = templates.environment(records.root)
    assert env.loader.get_source(env, "site/partials/timeline.html")[0] == \
        '<ol>{% include "site/partials/state.html" %}</ol>\n', "an override's own includes are left alone"


def test_whitespace_marks_and_scopes_are_kept(tmp_path, monkeypatch):
    """`set` in a partial stays in the partial; `-`, `+` and trim/lstrip act as around the include."""
    ours = tmp_path / "ours"
    (ours / "site" / "partials").mkdir(parents=True)
    monkeypatch.setattr(template_paths, "DEFAULTS", ours)
    (ours / "site" / "partials" / "p.html").write_text("{% set x = 'inner' %}<i>{{ x }}</i>\n", encoding="utf-8")
    (ours / "site" / "page.html").write_text(
        "{% set x = 'outer' %}\n<ul>\n  {% for n in [1, 2] %}\n    {% include \"site/partials/p.html\" %}\n"
        "  {% endfor %}\n</ul>\n{{ x }}\n  {%- include \"site/partials/p.html\" +%}\n|\n"
        "{# {% include \"site/partials/p.html\" %} is said here, not done #}\n"
        "{% raw %}{% include \"site/partials/p.html\" %}{% endraw %}\n", encoding="utf-8")
    monkeypatch.setattr(templates, "search_path", lambda root: [ours])
    inlined = templates.environment(None)
    source = inlined.loader.get_source(inlined, "site/page.html")[0]
    assert source.count("include") == 2, "only the comment's and the raw block's are left"
    found = inlined.get_template("site/page.html").render()
    monkeypatch.setattr(templates.InliningLoader, "get_source", FileSystemLoader.get_source)
    plain = templates.environment(None)
    assert "include" in plain.loader.get_source(plain, "site/page.html")[0]
    expected = plain.get_template("site/page.html").render()
    assert "outer" in expected and expected.count("inner") == 3 and '{% include "site/partials/p.html" %}' in expected
    assert found == expected


def test_the_package_s_own_repository_given_as_a_relative_root_is_inlined_too(monkeypatch):
    """`arrears build --root .` in this repository, whose templates/ are the package's own."""
    monkeypatch.chdir(templates.DEFAULTS.parent)
    env = templates.environment(Path("."))
    timeline = env.loader.get_source(env, "site/partials/timeline.html")[0]
    assert 'include "site/partials/note.html"' not in timeline
