"""Which local file a picture's address names, and only if it lies inside a folder.

The images stage reads local pictures through this; a path that leaves the
folder (``../../etc/passwd``, an absolute path elsewhere, a symbolic link pointing
out) is never read.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path


def confined_path(root: Path, url: str) -> Path | None:
    """The local file an image URL names, if it lies inside ``root``; None otherwise.

    The path is resolved with symlinks followed before the check, so a link that
    points out of the folder is refused like ``../../etc/passwd``.
    """
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "file":
        raw = urllib.parse.unquote(parsed.path)
    elif parsed.scheme and len(parsed.scheme) > 1:
        return None
    else:
        raw = urllib.parse.unquote(url.split("#")[0].split("?")[0])
    if not raw or "\x00" in raw:
        return None
    root = root.resolve()
    candidate = Path(raw) if os.path.isabs(raw) else root / raw
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(root) or not resolved.is_file():
        return None
    return resolved
