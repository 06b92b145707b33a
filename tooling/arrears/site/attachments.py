"""How a case's attachments are published: passive files as they are, anything else as a zip.

An attachment is whatever someone dropped into `cases/<id>/files/`. Opened
from the site, a browser renders an HTML, SVG or XML file as a document of
the site's own origin, where its script could read every page (on file://
and under `serve` alike). So only types that cannot run script or fetch
anything (images, PDF, plain text, office documents, media, archives) are
published as they are; every other file is published inside a zip of the
same name plus `.zip`, which a browser can only download, never render.
The records themselves are never changed: only the site's copy is wrapped.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

PASSIVE = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".bmp", ".ico", ".tif", ".tiff", ".heic",
    ".pdf", ".txt", ".csv", ".tsv", ".log",
    ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp", ".rtf", ".pages", ".numbers",
    ".mp3", ".m4a", ".wav", ".ogg", ".oga", ".mp4", ".m4v", ".webm", ".mov",
    ".zip", ".7z", ".gz", ".tgz", ".bz2", ".xz",
})
"""Extensions a browser shows without running anything, or only offers to download."""
WRAPPED = ".zip"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the same bytes from the same file, whenever it is built


def is_passive(name: str) -> bool:
    """Whether a file of this name is published as it is (judged by its extension, as file:// does)."""
    return posixpath.splitext(name.lower())[1] in PASSIVE


def published_name(name: str) -> str:
    """Where the site keeps attachment `name` (a path under the case's files/ folder)."""
    return name if is_passive(name) else name + WRAPPED


def label(name: str) -> str:
    """How the case page names attachment `name`: a wrapped one says why it downloads as a zip."""
    return name if is_passive(name) else f"{name} (as a .zip: a browser would run it)"


def write(data: bytes, name: str, files: Path) -> Path:
    """Publish attachment `name` (its bytes) into the site's `files` folder of its case."""
    target = files / published_name(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    if is_passive(name):
        target.write_bytes(data)
    else:
        import zipfile  # (only for a file a browser would run: most builds have none)

        entry = zipfile.ZipInfo(posixpath.basename(name), date_time=_EPOCH)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr(entry, data)
    return target


def copy(source: Path, name: str, files: Path) -> Path:
    """Publish the attachment file `source`, kept in the records as `files/<name>`."""
    return write(source.read_bytes(), name, files)
