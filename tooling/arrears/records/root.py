"""Which folder holds the records: found without importing the records' model, so that a command
handed to the build server (`arrears build` with `arrears build-server` running) starts in milliseconds."""

from __future__ import annotations

import os
from pathlib import Path

SETTINGS_PATH = "arrears.toml"
"""The settings file at the top of a records repository (`arrears.records.settings.PATH`)."""


class RootNotFound(Exception):
    """No records repository here: said to the user, never a traceback."""


def find_root(explicit: str | os.PathLike | None = None, cwd: Path | None = None) -> Path:
    """`--root`, else `$ARREARS_ROOT`, else the nearest folder holding arrears.toml or cases/."""
    chosen = explicit or os.environ.get("ARREARS_ROOT")
    if chosen:
        root = Path(chosen).expanduser()
        if not root.is_dir():
            raise RootNotFound(f"{root} is not a folder")
        return root.resolve()
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_PATH).is_file() or (folder / "cases").is_dir():
            return folder
    raise RootNotFound(
        f"no records repository at or above {start}: run inside one (a folder with arrears.toml "
        "or cases/), pass --root DIR, or set ARREARS_ROOT; to start one here: arrears init"
    )
