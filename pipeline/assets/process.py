"""Make an image fit every writer that will carry it, with Pillow (and resvg for SVG).

One version per image serves all formats: a type some writer cannot take (WebP
or SVG for DOCX) becomes PNG or JPEG; pictures are scaled down to ``max_side`` and
``max_pixels``; EXIF orientation is applied; an opaque PNG becomes a JPEG when that
is smaller. Encoding settings are fixed, so the same input gives the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

JPEG_QUALITY = 85


@dataclass
class Prepared:
    data: bytes
    media_type: str
    width: int | None
    height: int | None
    notes: list[str] = field(default_factory=list)
    #: what the reader of the report must know (the picture may miss some text)
    warnings: list[str] = field(default_factory=list)


class ProcessError(Exception):
    """The picture cannot be carried; ``refused`` when it is hostile, not just broken."""

    def __init__(self, reason: str, refused: bool = False):
        super().__init__(reason)
        self.refused = refused


def prepare(
    data: bytes,
    media: str,
    accepted: frozenset[str] | None,
    max_side: int = 1600,
    max_pixels: int = 4_000_000,
) -> Prepared:
    """``accepted``: the media types every embedding writer takes (None: any).

    An SVG is sanitized first (``pipeline.assets.svg``): every writer, and resvg when
    it becomes a PNG, gets the clean one."""
    if media == "image/svg+xml":
        from .svg import SvgError, sanitize_svg

        try:
            clean = sanitize_svg(data)
        except SvgError as exc:
            raise ProcessError(str(exc), refused=exc.refused) from None
        notes = clean.notes()
        warnings = [
            f"entity reference &{name}; removed from the SVG (an outside or undeclared "
            "entity, never read): the picture may miss its text"
            for name in clean.entities
        ]
        if accepted is None or media in accepted:
            return Prepared(clean.data, media, clean.width, clean.height, notes, warnings)
        prepared = _raster(rasterize_svg(clean.data, max_side), "image/png", accepted, max_side, max_pixels)
        prepared.notes[:0] = [*notes, "svg rasterized"]
        prepared.warnings = warnings
        return prepared
    return _raster(data, media, accepted, max_side, max_pixels)


def _raster(
    data: bytes, media: str, accepted: frozenset[str] | None, max_side: int, max_pixels: int
) -> Prepared:
    from PIL import Image, ImageOps

    try:
        im: Image.Image = Image.open(io.BytesIO(data))
        im.load()
    except Exception as exc:  # Pillow raises many kinds for broken files
        raise ProcessError(f"cannot read the picture: {type(exc).__name__}") from None
    notes: list[str] = []
    animated = getattr(im, "is_animated", False)
    if not animated and im.getexif().get(0x0112, 1) not in (1, None):
        im = ImageOps.exif_transpose(im)
        notes.append("orientation applied")
    w, h = im.size
    scale = min(1.0, max_side / max(w, h), (max_pixels / (w * h)) ** 0.5)
    if scale < 1.0 and not animated:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        im = im.resize(size, Image.Resampling.LANCZOS)
        notes.append(f"scaled {w}x{h} -> {size[0]}x{size[1]}")
    target = media
    if accepted is not None and media not in accepted:
        target = "image/png" if _has_alpha(im) or "image/jpeg" not in accepted else "image/jpeg"
        notes.append(f"{media} -> {target}")
    jpeg_ok = accepted is None or "image/jpeg" in accepted
    if not notes:
        if media == "image/png" and jpeg_ok and not _has_alpha(im):
            jpeg = _encode(im, "image/jpeg")
            if len(jpeg) < len(data) * 0.9:
                return Prepared(jpeg, "image/jpeg", *im.size, ["opaque PNG -> smaller JPEG"])
        return Prepared(data, media, *im.size)
    out = _encode(im, target)
    if target == "image/png" and jpeg_ok and not _has_alpha(im):
        jpeg = _encode(im, "image/jpeg")
        if len(jpeg) < len(out) * 0.9:
            out, target = jpeg, "image/jpeg"
            notes.append("opaque PNG -> smaller JPEG")
    return Prepared(out, target, *im.size, notes)


def _has_alpha(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)


def _encode(im: Image.Image, media: str) -> bytes:
    buf = io.BytesIO()
    if getattr(im, "is_animated", False):
        im.seek(0)
    if media == "image/gif":
        im.save(buf, "GIF")
    elif media == "image/jpeg":
        rgb = im.convert("RGB") if im.mode not in ("RGB", "L") else im
        rgb.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        if im.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            im = im.convert("RGBA")
        im.save(buf, "PNG", optimize=False)
    return buf.getvalue()


def rasterize_svg(data: bytes, max_side: int) -> bytes:
    """A sanitized SVG to PNG with resvg (it holds no reference to another file)."""
    try:
        import resvg_py
    except ImportError:
        raise ProcessError("SVG needs the resvg-py package to become PNG") from None
    from .svg import svg_size

    w, h = svg_size(data)
    width = None
    if w and h and max(w, h) > max_side:
        width = round(w * max_side / max(w, h))
    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=data.decode("utf-8", "replace"), width=width))
    except ValueError as exc:
        raise ProcessError(f"cannot draw the SVG: {exc}") from None
