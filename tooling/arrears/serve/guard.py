"""What the live server answers at all: requests naming it, for paths it publishes.

A browser sends the name it resolved in the Host header, so a page on a
rebinding domain (evil.example resolving to 127.0.0.1) is told apart from the
user's own tab, which names 127.0.0.1, localhost or [::1] and the port.
"""

from __future__ import annotations

import re

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_ATTACHMENT = re.compile(r"^/cases/[^/]+/files/.")


def host_allowed(hosts: list[str], port: int) -> bool:
    """One Host header naming a loopback name with the served port (the port may go unsaid only on 80)."""
    if len(hosts) != 1:
        return False
    host = hosts[0].strip().lower()
    name, colon, given = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if not colon:
        name, given = host, ""
    if name not in LOOPBACK_NAMES:
        return False
    return given == str(port) or (given == "" and port == 80)


def is_attachment(path: str) -> bool:
    """A URL path of a case's attachment (served raw, sandboxed, never with the reload script)."""
    return bool(_ATTACHMENT.match(path))
