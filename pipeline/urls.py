"""What a URL does where a browser meets it: its scheme, read as browsers read it."""

from __future__ import annotations

import re

#: schemes that run code (or carry a whole document) where a link or frame points
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "data"})
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_EDGE = "".join(chr(c) for c in range(0x21))  # C0 controls and the space


def url_scheme(value: str) -> str | None:
    """The scheme of a URL as a browser reads it: C0 controls and spaces around it
    ignored, tabs and newlines inside it too, case folded."""
    v = re.sub(r"[\t\n\r]", "", value.strip(_EDGE)).lower()
    m = _SCHEME.match(v)
    return m.group(1) if m else None


def script_link(url: str) -> bool:
    """A link target that runs a script or opens a document made of its own text
    (``javascript:``, ``vbscript:``, ``data:``) instead of going somewhere."""
    return url_scheme(url) in SCRIPT_SCHEMES
