"""due.json and due.csv beside the dashboard: exactly what `arrears due --format json/csv` prints.

The site reuses the `due` command's formatters (`report`), so a script can
read either the command's output or the published files and never see a
difference.
"""

from __future__ import annotations

from arrears.ledger.figures import PortfolioFigures
from arrears.views.report import due_csv, due_json


def feeds(portfolio: PortfolioFigures) -> dict[str, str]:
    """The files to write beside index.html, by name."""
    return {"due.json": due_json(portfolio), "due.csv": due_csv(portfolio)}
