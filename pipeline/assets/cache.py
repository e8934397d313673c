"""A content-addressed cache of fetched images, shared by every run.

``blobs/<sha256>`` holds the bytes; ``urls/<sha256 of the URL>.json`` says which
blob a URL gave and its media type. Writes are atomic, so two runs (or two worker
processes) can share the folder.

The cache creates its own folders, never the place it lives in: the default
``~/.cache/galley/images`` is made only under a HOME that exists (a HOME that does
not, as for a service account, gets no folder tree), ``XDG_CACHE_HOME`` only under
an existing parent, a folder given with ``--image-cache`` only under its existing
parent. A cache that cannot be written (read-only, missing) raises ``OSError`` from
``put``; a cache that cannot be read is a miss.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

from ..atomic import write_atomic


def default_dir() -> Path:
    return _default()[0]


def _default() -> tuple[Path, Path]:
    """The default cache folder, and the existing folder it must be created in."""
    if os.environ.get("GALLEY_IMAGE_CACHE"):
        folder = Path(os.environ["GALLEY_IMAGE_CACHE"])
        return folder, folder.parent
    if os.environ.get("XDG_CACHE_HOME"):
        base = Path(os.environ["XDG_CACHE_HOME"])
        return base / "galley" / "images", base.parent
    home = Path(os.path.expanduser("~"))
    return home / ".cache" / "galley" / "images", home


class ImageCache:
    def __init__(self, folder: Path | str | None = None):
        if folder:
            self.folder = Path(folder)
            self.anchor = self.folder.parent
        else:
            self.folder, self.anchor = _default()

    def _check_anchor(self) -> None:
        if not self.folder.is_dir() and not self.anchor.is_dir():
            raise FileNotFoundError(
                errno.ENOENT, "the image cache's parent folder does not exist", str(self.anchor)
            )

    def _url_file(self, url: str) -> Path:
        return self.folder / "urls" / (hashlib.sha256(url.encode("utf-8")).hexdigest() + ".json")

    def get(self, url: str) -> tuple[bytes, str] | None:
        try:
            record = json.loads(self._url_file(url).read_text(encoding="utf-8"))
            data = (self.folder / "blobs" / record["sha256"]).read_bytes()
        except (OSError, ValueError, KeyError):
            return None
        if hashlib.sha256(data).hexdigest() != record["sha256"]:
            return None  # a damaged blob is fetched again
        return data, record["media_type"]

    def put(self, url: str, data: bytes, media_type: str) -> str:
        self._check_anchor()
        digest = hashlib.sha256(data).hexdigest()
        blob = self.folder / "blobs" / digest
        if not blob.exists():
            write_atomic(blob, data)
        record = {"url": url, "sha256": digest, "media_type": media_type, "bytes": len(data)}
        write_atomic(self._url_file(url), json.dumps(record, sort_keys=True).encode("utf-8"))
        return digest
