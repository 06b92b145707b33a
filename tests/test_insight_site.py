"""The Insight page in the site: the page and the dashboard's cards from the same figures, and the
incremental build reusing each unchanged case's cached contribution."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from arrears.site import incremental
from arrears.site.incremental import build as full_build
from arrears.site.insight_page import heat

from ledger_helpers import invoice, payment
from test_insight import case, plan, three_months


def test_roll_rate_shades_grow_with_the_rate():
    assert [heat(Decimal(v)) for v in ("0.00", "10.00", "10.01", "25.00", "50.01", "75.01", "100.00")] == [
        "heat-0", "heat-0", "heat-1", "heat-1", "heat-3", "heat-4", "heat-4"]
    assert heat(None) == "heat-none"


def test_page_and_dashboard_show_the_figures(records, tmp_path):
    three_months(records)
    case(records, "plan")
    invoice(records, "2026-05-01-inv", "2026-05-01", "P-1", "300.00", "2026-05-02", case_id="plan")
    plan(records, "plan", "2026-05-10-plan", "2026-05-10", "2026-06-01", 3)  # 100 on Jun 1, Jul 1, Aug 1
    out = full_build(records.root, date(2026, 5, 31), tmp_path / "site", full=True).out
    page = (out / "insight.html").read_text()
    # AR = 3,500 (three_months) + 300 = 3,800; sales in May 1,000 + 300, so the count-back changes:
    # May 1,300 -> 31 days, R = 2,500; April 2,000 -> 30 days, R = 500; March 500 / 3,000 x 31 = 5.1666...: 66.17
    assert "£3,800.00" in page and "66.17 days" in page
    assert 'aria-current="page">Insight</a>' in page
    dashboard = (out / "index.html").read_text()
    # the next 4 weeks are May 31 - Jun 27: Jun 1's 100 from a debtor with nothing fallen due yet
    assert "66.17 days" in dashboard and "£100.00</p><p class=\"stat-note\">expected in the next 4 weeks" in dashboard
    assert 'href="insight.html"' in dashboard


def test_one_changed_case_recomputes_only_its_own_contribution(records, tmp_path, monkeypatch):
    three_months(records)
    day, out = date(2026, 5, 31), records.root / "site"
    incremental.build(records.root, day, out, workers=1)
    calls = []
    from arrears.site import render

    real = render.contribution
    monkeypatch.setattr(render, "contribution", lambda case, *rest: calls.append(case.id) or real(case, *rest))
    payment(records, "2026-05-30-pay", "2026-05-30", "500.00")
    built = incremental.build(records.root, day, out, workers=1)
    assert calls == ["acme"] and "insight.html" in built.written
    # acme paid 500 more: AR 3,000; May 1,000 -> 31, April 2,000 -> 30, R = 0: 61.00 days
    assert "61.00 days" in (out / "insight.html").read_text()
    reference = full_build(records.root, day, tmp_path / "reference", full=True).out
    assert (out / "insight.html").read_bytes() == (reference / "insight.html").read_bytes()
