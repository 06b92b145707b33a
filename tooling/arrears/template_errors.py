"""Where a template failed, for the user who wrote it: its file and line, never "internal error".

A records repository overrides any template (see `site.templates`), so a typo
in one is bad input like a typo in a record, and is said the same way: the
file (relative to the records when it is theirs) and the line. Jinja puts the
template's file and line in its syntax errors, and in the frames of its
rewritten tracebacks for errors while rendering; the innermost such frame is
where the user has to look.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    import jinja2


class TemplateFailure(Exception):
    """A template that could not be compiled or rendered; plain data, so it crosses from a worker."""

    def __init__(self, where: str, line: int | None, message: str):
        super().__init__(where, line, message)
        self.where, self.line, self.message = where, line, message

    def __str__(self) -> str:
        at = f", line {self.line}" if self.line else ""
        return f"{self.where}{at}: {self.message}"


def located(error: jinja2.TemplateError, root: Path | None, fallback: str = "a template") -> TemplateFailure:
    """`error` with the file and line it came from (`fallback`: its name when Jinja knows neither)."""
    import jinja2

    filename, line = None, None
    if isinstance(error, jinja2.TemplateSyntaxError):
        filename, line = error.filename, error.lineno
    else:
        traceback = error.__traceback__
        while traceback is not None:
            code = traceback.tb_frame.f_code.co_filename
            if not code.endswith(".py") and not code.startswith("<"):  # a template's frame, as Jinja rewrites them
                filename, line = code, traceback.tb_lineno
            traceback = traceback.tb_next
    where = _shown(filename, root) if filename else getattr(error, "name", None) or fallback
    message = error.message if isinstance(error, jinja2.TemplateSyntaxError) and error.message else str(error)
    return TemplateFailure(where, line, message)


@contextmanager
def reported(root: Path | None) -> Iterator[None]:
    """Turn a Jinja error inside the block into a `TemplateFailure` that says where it is."""
    try:
        yield
    except Exception as error:
        import jinja2  # only now: a build with nothing to render never imports Jinja

        if isinstance(error, jinja2.TemplateError):
            raise located(error, root) from None
        raise


def _shown(filename: str, root: Path | None) -> str:
    """A path under the records as relative to them; one of ours as the package's."""
    if root is not None:
        try:
            return Path(os.path.abspath(filename)).relative_to(Path(os.path.abspath(root))).as_posix()
        except ValueError:
            pass
    from arrears.site.template_paths import package_name

    ours = package_name(filename)
    return filename if ours is None else f"{ours} (arrears's own template)"
