"""A content-addressed cache of fetched images, shared by every run.

``blobs/<sha256>`` holds the bytes; ``urls/<sha256 of the URL>.json`` says which
blob a URL gave and its media type. Writes are atomic, so two runs (or two worker
processes) can share the folder.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..atomic import write_atomic


def default_dir() -> Path:
    if os.environ.get("GALLEY_IMAGE_CACHE"):
        return Path(os.environ["GALLEY_IMAGE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "galley" / "images"


class ImageCache:
    def __init__(self, folder: Path | str | None = None):
        self.folder = Path(folder) if folder else default_dir()

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
        digest = hashlib.sha256(data).hexdigest()
        blob = self.folder / "blobs" / digest
        if not blob.exists():
            write_atomic(blob, data)
        record = {"url": url, "sha256": digest, "media_type": media_type, "bytes": len(data)}
        write_atomic(self._url_file(url), json.dumps(record, sort_keys=True).encode("utf-8"))
        return digest
