"""What a blob of bytes is, from its signature (never from a name or a header)."""

from __future__ import annotations

import hashlib

MEDIA_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/svg+xml": "svg",
}


def sniff(data: bytes) -> str | None:
    for magic, media in MEDIA_TYPES.items():
        if data.startswith(magic):
            return media
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg") or (
        head.startswith((b"<?xml", b"<!--", b"<!doctype svg")) and b"<svg" in head
    ):
        return "image/svg+xml"
    return None


def content_name(data: bytes, media: str) -> str:
    """A deterministic ASCII file name from the content."""
    return f"img-{hashlib.sha256(data).hexdigest()[:16]}.{EXTENSIONS[media]}"
