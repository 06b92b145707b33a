"""Where the templates are: the records repository's own templates/ first, then the package's.

Apart from `templates` (the Jinja environment) so that fingerprinting the
templates, which every build does, needs no Jinja.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULTS = Path(__file__).resolve().parents[3] / "templates"
"""The package's own templates: the repository's top-level templates/ (editable install)."""


def search_path(root: Path | None) -> list[Path]:
    """Where templates are looked up, first match wins: <root>/templates, then the defaults."""
    paths = []
    if root is not None and (root / "templates").is_dir():
        paths.append(root / "templates")
    if not DEFAULTS.is_dir():  # pragma: no cover - a broken install, said plainly
        raise FileNotFoundError(f"arrears' default templates are missing (looked in {DEFAULTS})")
    if DEFAULTS not in [p.resolve() for p in paths]:
        paths.append(DEFAULTS)
    return paths


def package_name(filename: str) -> str | None:
    """A template file's name among the package's own templates (`site/partials/note.html`), or None
    when it is not one of them: a records repository's override. A relative `--root` gives relative
    file names, hence the absolute path."""
    try:
        return Path(os.path.abspath(filename)).relative_to(DEFAULTS).as_posix()
    except ValueError:
        return None
