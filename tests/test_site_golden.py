"""Golden pages: the rendered dashboard and case pages of a small inline portfolio.

The expected HTML lives in tests/golden/site/. After a deliberate change to
the templates or page contexts, refresh it with
`.venv/bin/python -m pytest tests/test_site_golden.py --update-golden`
(or ARREARS_UPDATE_GOLDEN=1) and review the diff like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from arrears.site.incremental import build as full_build

from site_records import AS_OF, write_portfolio

GOLDEN = Path(__file__).parent / "golden" / "site"
PAGES = {
    "index.html": "dashboard.html",
    "insight.html": "insight.html",
    "cases/acme-bakery/index.html": "case-acme-bakery.html",
    "cases/bea-jones/index.html": "case-bea-jones.html",
    "cases/brasserie-nord/index.html": "case-brasserie-nord.html",
    "cases/cafe-lumiere/index.html": "case-cafe-lumiere.html",
    "cases/acme-bakery/statement.html": "statement-acme-bakery.html",  # the printable statement of account
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from conftest import RecordsTree

    records = RecordsTree(tmp_path_factory.mktemp("golden") / "books")
    records.root.mkdir()
    write_portfolio(records)
    out = records.root / "site"
    full_build(records.root, AS_OF, out, full=True)
    return out


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_matches_golden(site, page):
    html = (site / page).read_text(encoding="utf-8")
    golden = GOLDEN / PAGES[page]
    if os.environ.get("ARREARS_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(html, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden.name}: run with --update-golden and review it"
    assert html == golden.read_text(encoding="utf-8"), (
        f"{page} differs from tests/golden/site/{PAGES[page]}; if the change is deliberate, "
        "run pytest with --update-golden and review the diff")
