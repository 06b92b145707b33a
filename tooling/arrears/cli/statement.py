"""`arrears statement`: a case's statement of account to print, as HTML or (with --pdf) a PDF.

The same templates (templates/print/) make the site's statement page, this
command's HTML and its PDF, so all three say the same. The letter side,
`arrears remind --channel letter --pdf`, goes through `write_pdf` too.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
import jinja2

from arrears.cli.app import as_of_option, finish, load_checked, refuse_excluded, refuse_unknown, root_option
from arrears.template_errors import located

force_option = click.option("--force", is_flag=True, help="Replace FILE if it exists (never done without it).")


def pdf_option(what: str):
    return click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        metavar="FILE", help=f"Write {what} as a PDF (A4, for a DL window envelope) to FILE. "
                                             "Needs the pdf extra: pip install 'arrears[pdf]'.")


@click.command("statement")
@root_option
@as_of_option
@click.argument("case_id", metavar="CASE")
@pdf_option("the statement")
@force_option
def statement(root: Path | None, as_of: date | None, case_id: str, pdf_path: Path | None, force: bool) -> None:
    """A statement of account for CASE, to print or send: every invoice, fee, payment and credit
    to the as-of date with the running balance, the debtor's address placed for a DL window
    envelope, your details from arrears.toml ([sender]) and page numbers.

    \b
    Without --pdf the page's HTML goes to stdout, self-contained (print.css
    inlined): save it and open it in a browser to print. With --pdf FILE the
    same page becomes an A4 PDF (WeasyPrint). Templates: templates/print/
    statement.html and templates/site/print.css, overridable in the records
    repository (docs/printing.md).

    \b
    Examples:
      arrears statement acme-bakery --pdf acme-statement.pdf
      arrears statement acme-bakery --as-of 2026-03-31 > acme-march.html
    """
    from arrears.ledger.compute import compute_case
    from arrears.views import printed

    found, day = load_checked(root, as_of)
    refuse_unknown(found, [case_id])
    refuse_excluded(found.verdict, case_id)
    portfolio = found.portfolio
    case = portfolio.case(case_id)
    assert case is not None  # a case check accepts always loaded
    figures = compute_case(case, portfolio.settings, day)
    if pdf_path is None:
        context = printed.statement_context(figures, portfolio.settings, css=stylesheet_text(portfolio.root))
        click.echo(render_page(portfolio.root, "print/statement.html", context), nl=False)
    else:
        from arrears.views import pdf

        context = printed.statement_context(figures, portfolio.settings, stylesheet=pdf.STYLESHEET)
        write_pdf(portfolio.root, "print/statement.html", context, pdf_path, force)
    finish(found.verdict)


def stylesheet_text(root: Path | None) -> str:
    from arrears.site.templates import environment
    from arrears.views.printed import STYLESHEET

    env = environment(root)
    return env.loader.get_source(env, STYLESHEET)[0]  # type: ignore[union-attr]


def render_page(root: Path | None, template: str, context: dict) -> str:
    """A print template rendered with the site's environment (its filters, autoescape, overrides)."""
    from arrears.site.templates import environment

    try:
        return environment(root).get_template(template).render(**context)
    except jinja2.TemplateError as error:
        click.echo(f"arrears: cannot render the print template {located(error, root, template)}", err=True)
        sys.exit(1)


WINDOW_LINES = 6
"""Address lines below the name that the envelope window shows (print.css; docs/printing.md)."""


def _warn_about_the_window(recipient: dict) -> None:
    lines = recipient["address"]
    if not lines:
        click.echo(f"arrears: warning: case.md has no postal address for {recipient['name']}: the envelope window "
                   "will show the name alone", err=True)
    elif len(lines) > WINDOW_LINES:
        click.echo(f"arrears: warning: the address of {recipient['name']} has {len(lines)} lines; the envelope "
                   f"window shows {WINDOW_LINES} below the name: shorten it in case.md", err=True)


def write_pdf(root: Path | None, template: str, context: dict, path: Path, force: bool) -> None:
    """Render `template` to a PDF at `path` (never replacing a file without `force`), or exit with why not."""
    from arrears.views import pdf

    html = render_page(root, template, context)
    _warn_about_the_window(context["recipient"])
    if path.exists() and not force:
        raise click.UsageError(f"{path} exists: choose another file name, or add --force to replace it")
    try:
        fetcher = pdf.template_fetcher(root)
        data = pdf.render(html, root, fetcher)
        pdf.write_new(path, data, force)
    except pdf.PdfUnavailable as error:
        click.echo(f"arrears: {error}", err=True)
        sys.exit(1)
    except pdf.PdfExists as error:
        raise click.UsageError(str(error)) from None
    except OSError as error:
        click.echo(f"arrears: cannot write {path}: {error.strerror or error}", err=True)
        sys.exit(1)
    for url in fetcher.refused:
        click.echo(f"arrears: warning: not loaded: {url} (printed pages load only the templates' own files)",
                   err=True)
    click.echo(f"wrote {path}", err=True)
