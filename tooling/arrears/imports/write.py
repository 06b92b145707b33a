"""Write an import plan to disk: new files only, all or nothing.

Each file is created with O_CREAT|O_EXCL (`scaffold.create_exclusive`), so an
existing record is never overwritten, even by a run racing this one. If any
file cannot be created, the files and folders this run created are removed
again (they were never anyone's records) and nothing is left behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from arrears.imports.planned import ImportPlan
from arrears.views.scaffold import create_exclusive


class WriteError(Exception):
    """The plan could not be written; nothing was left behind."""


def write_plan(root: Path, plan: ImportPlan, progress: Callable[[int], None] | None = None) -> list[Path]:
    """Create every case and note of the plan; the paths written, in order."""
    files = [(root / "cases" / case.id / "case.md", case.text) for case in plan.cases]
    files += [(root / "cases" / note.case / "notes" / f"{note.id}.md", note.text) for note in plan.notes]
    made_folders: list[Path] = []
    written: list[Path] = []
    present: set[Path] = set()
    try:
        for number, (path, text) in enumerate(files, start=1):
            if path.parent not in present:
                for folder in reversed([p for p in path.parents if p.is_relative_to(root / "cases")]):
                    if not folder.is_dir():
                        folder.mkdir()
                        made_folders.append(folder)
                    present.add(folder)
            create_exclusive(path, text)
            written.append(path)
            if progress:
                progress(number)
    except OSError as error:
        for path in reversed(written):
            path.unlink(missing_ok=True)
        for folder in reversed(made_folders):
            try:
                folder.rmdir()
            except OSError:
                pass
        reason = "it already exists" if isinstance(error, FileExistsError) else (error.strerror or str(error))
        shown = Path(error.filename).relative_to(root) if error.filename else "a file"
        raise WriteError(f"cannot create {shown}: {reason}; nothing was written") from None
    return written
