"""A records repository's own template that fails is bad input: said with its file and line, exit 1,
never "internal error", and the last site stays."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from arrears.cli.app import main
from arrears.site.incremental import build as site_build
from arrears.template_errors import TemplateFailure
from site_records import AS_OF, write_portfolio


def _build(root):
    return CliRunner().invoke(main, ["build", "--root", str(root), "--as-of", AS_OF.isoformat()])


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("footer, line, said", [
    ("<footer>\n{{ site.nmae }}</footer>\n", 2, "has no attribute 'nmae'"),
    ("<footer>{{ site.name }</footer>\n", 1, "unexpected '}'"),
    ("<footer>{% include 'site/partials/missing.html' %}</footer>\n", 1, "site/partials/missing.html"),
])
def test_a_broken_site_template_names_its_file_and_line_and_the_last_site_stays(records, footer, line, said):
    write_portfolio(records)
    assert _build(records.root).exit_code == 0
    before = _files(records.root / "site")
    records.write("templates/site/partials/footer.html", footer)
    result = _build(records.root)
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert (f"arrears: cannot render the site template templates/site/partials/footer.html, line {line}: "
            in result.stderr), result.stderr
    assert said in result.stderr
    assert _files(records.root / "site") == before


def test_a_template_that_fails_in_a_worker_is_located_there(records):
    """Case pages render in worker processes, whose tracebacks do not cross back: located in the worker."""
    write_portfolio(records)
    records.write("templates/site/partials/note.html", "<li>\n{{ entry.note.kind }}\n{{ entry.note.nmae }}</li>\n")
    with pytest.raises(TemplateFailure) as failed:
        site_build(records.root, AS_OF, records.root / "site", workers=2, full=True)
    assert (failed.value.where, failed.value.line) == ("templates/site/partials/note.html", 3)
    assert "nmae" in failed.value.message


def test_a_failure_in_arrears_own_template_is_named_as_ours(records, monkeypatch):
    """Were one of the package's templates to fail, it is named as the package's, not as the records'."""
    import jinja2

    from arrears.site.template_paths import DEFAULTS
    from arrears.template_errors import located

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(DEFAULTS)), undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.TemplateError) as failed:
        env.get_template("site/partials/footer.html").render()
    found = located(failed.value, records.root)
    assert found.where == "site/partials/footer.html (arrears's own template)" and found.line
