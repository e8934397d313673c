"""Image bytes as the EPUB may carry them.

Raster images (PNG, JPEG, GIF, WebP) go in as they are. An SVG is a document that
can run scripts and load other files: the image step sanitized it already
(``pipeline.assets.svg``); it is sanitized again here, so that an asset from
anywhere else cannot carry a script, a handler, an outside reference or an entity
into the book (an SVG that cannot be read as a clean SVG shows as a placeholder).
"""

from __future__ import annotations

from ...assets.svg import SvgError, sanitize_svg
from ...document import Asset

RASTER = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def clean_svg(data: bytes) -> bytes | None:
    """The SVG without anything active or remote; None if it is not a well-formed SVG."""
    try:
        return sanitize_svg(data).data
    except SvgError:
        return None


def packaged(asset: Asset) -> bytes | None:
    """The bytes to put in the book for ``asset``, or None if it cannot go in."""
    if asset.media_type in RASTER:
        return asset.data
    if asset.media_type == "image/svg+xml":
        return clean_svg(asset.data)
    return None
