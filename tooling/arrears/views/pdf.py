"""HTML to PDF with WeasyPrint, loading nothing but the templates' own files.

WeasyPrint is an optional dependency (`pip install 'arrears[pdf]'`) with
system libraries of its own (Pango); without either, `PdfUnavailable` says
what to install instead of a traceback. Every URL a page asks for goes
through `TemplateFetcher`, which serves files of the template folders
(the records repository's templates/, then the package's, first match wins)
and refuses everything else: a letter never calls the network, nor reads a
record or any other file by way of a crafted link.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from arrears.site.templates import search_path

INSTALL_HINT = ("install the PDF extra (pip install 'arrears[pdf]', or `make setup`) and, on Debian, "
                "the libraries WeasyPrint needs: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core")


class PdfUnavailable(Exception):
    """WeasyPrint or its system libraries are missing: said to the user with what to install."""


class PdfExists(Exception):
    """The output file exists and may not be replaced (no --force)."""


def _weasyprint():
    try:
        import weasyprint
    except ImportError as error:
        raise PdfUnavailable(f"PDF output needs WeasyPrint ({error}): {INSTALL_HINT}") from None
    except OSError as error:  # the Python package is there, Pango is not
        raise PdfUnavailable(f"WeasyPrint cannot load its system libraries ({error}): {INSTALL_HINT}") from None
    return weasyprint


def fetcher_class():
    """WeasyPrint's URLFetcher with `fetch` replaced: template files only, every request recorded."""
    _weasyprint()  # says what to install when it is missing
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class TemplateFetcher(URLFetcher):
        def __init__(self, folders: list[Path]):
            super().__init__(allowed_protocols=["file"])
            self.folders = [folder.resolve() for folder in folders]
            self.requested: list[str] = []  # every URL asked for, in order
            self.refused: list[str] = []  # those not served

        def fetch(self, url, headers=None):
            self.requested.append(url)
            path = self._template_file(url)
            if path is None:
                self.refused.append(url)
                raise ValueError(f"refused {url}: printed pages load only the templates' own files")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})

        def _template_file(self, url: str) -> Path | None:
            """The file a file: URL names, looked up by its place under a template folder (overrides first)."""
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                return None
            wanted = Path(os.path.abspath(unquote(parts.path)))
            for folder in self.folders:
                if wanted.is_relative_to(folder):
                    relative = wanted.relative_to(folder)
                    for candidate in (f / relative for f in self.folders):
                        real = candidate.resolve()
                        if real.is_file() and any(real.is_relative_to(f) for f in self.folders):
                            return real
            return None

    return TemplateFetcher


def template_fetcher(root: Path | None):
    """A fetcher for the template folders of this records repository."""
    return fetcher_class()(search_path(root))


STYLESHEET = "../site/print.css"
"""print.css as a PDF page links it: relative to templates/print/, found by the fetcher (overrides first)."""


def render(html: str, root: Path | None, fetcher=None) -> bytes:
    """The PDF of `html`, a page rendered from templates/print/; relative links resolve in templates/print/."""
    weasyprint = _weasyprint()
    fetcher = fetcher or template_fetcher(root)
    base = search_path(root)[0] / "print"
    return weasyprint.HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher).write_pdf()


def write_new(path: Path, data: bytes, force: bool = False) -> None:
    """Write the PDF, refusing to replace an existing file unless `force`."""
    if path.is_dir():
        raise PdfExists(f"{path} is a folder: give a file name such as {path / 'statement.pdf'}")
    if not force:
        try:
            with open(path, "xb") as handle:
                handle.write(data)
            return
        except FileExistsError:
            raise PdfExists(f"{path} exists: choose another file name, or add --force to replace it") from None
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
