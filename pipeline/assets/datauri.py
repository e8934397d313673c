"""Data URIs: what they declare and the bytes they carry."""

from __future__ import annotations

import base64
import re
import urllib.parse


def decode_data_uri(uri: str) -> tuple[str, bytes] | None:
    """The declared media type and the bytes of ``data:...``; None when it is not
    one or its payload cannot be decoded. A quoted title after the payload
    (``data:...,XXX "title"``) is not part of it."""
    uri = uri.strip().strip("<>")
    if uri[:5].lower() != "data:":
        return None
    header, sep, payload = uri[5:].partition(",")
    if not sep:
        return None
    payload = re.sub(r"\s+[\"'][^\"']*[\"']\s*$", "", payload)
    parts = [p.strip().lower() for p in header.split(";")]
    try:
        data = (
            base64.b64decode(re.sub(r"\s", "", payload) + "===")
            if "base64" in parts
            else urllib.parse.unquote_to_bytes(payload)
        )
    except (ValueError, TypeError):
        return None
    return parts[0] or "text/plain", data
