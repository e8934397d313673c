"""Resolve every image once into the document's asset store, for all writers to share.

Before (tree)::

    ![chart](figures/chart.png)  ![](data:image/png;base64,iVBOR...)  ![图](https://cdn/x.jpg)

After: the local file and the embedded picture are assets (``doc.assets``) with
deterministic ASCII names from their content hash, and the image tokens carry
``attrs["asset"]``; the remote image keeps its URL and is marked ``remote``.

Local paths are read only inside the input file's folder: a path that escapes it
(``../../etc/passwd``, an absolute path elsewhere, a symlink pointing out) is
never read; the image gets a warning and stays a placeholder.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import urllib.parse
from pathlib import Path
from typing import Any

from pipeline.document import Asset, Document
from pipeline.stage import Stage, StageContext
from pipeline.tree import iter_inline_lists, walk

Token = dict[str, Any]
MEDIA_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp",
              "image/svg+xml": "svg"}
MAX_LOCAL_BYTES = 50 * 1024 * 1024


def sniff(data: bytes) -> str | None:
    """The media type of image bytes, from their signature (never from a name)."""
    for magic, media in MEDIA_TYPES.items():
        if data.startswith(magic):
            return media
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:4096].lower()):
        return "image/svg+xml"
    return None


def asset_name(data: bytes, media: str) -> str:
    return f"img-{hashlib.sha256(data).hexdigest()[:16]}.{EXTENSIONS[media]}"


def decode_data_uri(uri: str) -> bytes | None:
    header, sep, payload = uri[5:].partition(",")
    if not sep:
        return None
    try:
        if "base64" in header.lower().split(";"):
            return base64.b64decode(re.sub(r"\s", "", payload) + "===")
        return urllib.parse.unquote_to_bytes(payload)
    except (ValueError, TypeError):
        return None


def confined_path(root: Path, url: str) -> Path | None:
    """The local file an image URL names, if it lies inside ``root``; None otherwise."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "file":
        raw = urllib.parse.unquote(parsed.path)
    elif parsed.scheme and len(parsed.scheme) > 1:
        return None
    else:
        raw = urllib.parse.unquote(url.split("#")[0].split("?")[0])
    if not raw:
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


class Images(Stage):
    """Collect local and embedded images into the shared asset store; mark remote ones."""

    name = "images"
    priority = 400
    scope = "tree"
    defaults = {"roots": []}

    def run(self, doc: Document, ctx: StageContext) -> None:
        root = doc.path.parent
        for block, line in iter_inline_lists(doc.tree or []):
            for tok in walk(block.get("children") or []):
                if tok.get("type") == "image":
                    self.resolve(tok, doc, ctx, root, line)

    def resolve(self, tok: Token, doc: Document, ctx: StageContext, root: Path, line: int | None) -> None:
        attrs = tok.setdefault("attrs", {})
        url = (attrs.get("url") or "").strip()
        lower = url.lower()
        if lower.startswith(("http://", "https://", "//")):
            attrs["remote"] = True
            return
        if lower.startswith("data:"):
            data = decode_data_uri(url)
            media = sniff(data) if data else None
            if not media:
                ctx.warn(f"line {line}: embedded image cannot be read")
                return
            self.store(attrs, doc, data, media)
            return
        path = None
        for base in [root, *map(Path, self.options["roots"])]:
            path = confined_path(base, url)
            if path:
                break
        if path is None:
            ctx.warn(f"line {line}: image {url[:80]!r} is not a readable file inside {root}; not read")
            attrs["refused"] = True
            return
        if path.stat().st_size > MAX_LOCAL_BYTES:
            ctx.warn(f"line {line}: image {url[:80]!r} is larger than {MAX_LOCAL_BYTES >> 20} MB; not read")
            attrs["refused"] = True
            return
        data = path.read_bytes()
        media = sniff(data)
        if not media:
            ctx.warn(f"line {line}: {url[:80]!r} is not an image")
            attrs["refused"] = True
            return
        self.store(attrs, doc, data, media)

    @staticmethod
    def store(attrs: dict[str, Any], doc: Document, data: bytes, media: str) -> None:
        name = asset_name(data, media)
        if name not in doc.assets:
            doc.assets[name] = Asset(name=name, media_type=media, data=data)
        attrs["asset"] = name
