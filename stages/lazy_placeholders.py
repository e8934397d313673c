"""Remove lazy-load placeholder images written as data URIs, and empty images.

Before::

    ![图片](data:image/svg+xml,%3C%3Fxml version='1.0'%3F%3E%3Csvg width='1px' height='1px' ...%3E)
    ![img](data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='1321' height='931'></svg>)
    ![]()
    ![chart](data:image/png;base64,iVBORw0KGgo...)   (a real 640x480 PNG)

After::

    ![chart](data:image/png;base64,iVBORw0KGgo...)

A data URI is a placeholder when it is an SVG that draws nothing or is at most
2x2, or a raster image of at most 2x2 pixels, or cannot be decoded at all. A
real embedded picture stays. This runs on the text because a raw ``<svg ...>``
with spaces inside ``(...)`` is not even an image to a CommonMark parser.
"""
from __future__ import annotations

import re
import urllib.parse

from pipeline.assets.datauri import decode_data_uri
from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.textscan import code_line_mask, keep_block_role

_DRAWING = re.compile(r"<(?:path|circle|ellipse|line|polyline|polygon|text|image|use|foreignObject)\b", re.I)
_RECT = re.compile(r"<rect\b([^>]*)>", re.I)
_NUM = r"([0-9.]+)\s*(?:px)?"
_IMG_TAG = re.compile(r"<img\b[^>]*\bsrc\s*=\s*([\"'])(data:[^\"']*)\1[^>]*>", re.I)


def find_images(line: str):
    """(start, end, dest) of each ``![alt](dest)`` in a line; dest may hold parentheses."""
    i = 0
    while True:
        i = line.find("![", i)
        if i < 0:
            return
        if i and line[i - 1] == "\\":
            i += 2
            continue
        j, depth = i + 2, 1
        while j < len(line) and depth:
            ch = line[j]
            if ch == "\\":
                j += 2
                continue
            depth += ch == "["
            depth -= ch == "]"
            j += 1
        if depth or j >= len(line) or line[j] != "(":
            i += 2
            continue
        k, depth, quote = j + 1, 1, None
        while k < len(line) and depth:
            ch = line[k]
            if ch == "\\":
                k += 2
                continue
            if quote:
                quote = None if ch == quote else quote
            elif ch in "'\"" and line[k - 1] in " =":
                quote = ch
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            k += 1
        if depth:
            i += 2
            continue
        yield i, k, line[j + 1:k - 1].strip()
        i = k


def classify(dest: str) -> str | None:
    """Why a data URI is a placeholder ('svg_placeholder', ...), or None for a real image."""
    dest = dest.strip().strip("<>")
    if not dest.lower().startswith("data:"):
        return None
    media = dest[5:].partition(",")[0].split(";")[0].strip().lower() or "text/plain"
    if not media.startswith("image/"):
        return None
    decoded = decode_data_uri(dest)
    if decoded is None:
        return "undecodable_data_image"
    data = decoded[1]
    if media == "image/svg+xml":
        return "svg_placeholder" if _svg_is_placeholder(data.decode("utf-8", "replace")) else None
    size = raster_size(data)
    if size is None:
        return "undecodable_data_image"
    w, h = size
    return "pixel_placeholder" if w <= 2 and h <= 2 else None


def _svg_is_placeholder(svg: str) -> bool:
    m = re.search(r"<svg\b([^>]*)>", svg, re.I)
    if not m:
        return True
    attrs = m.group(1)
    w = re.search(r"\bwidth\s*=\s*['\"]" + _NUM, attrs)
    h = re.search(r"\bheight\s*=\s*['\"]" + _NUM, attrs)
    vb = re.search(r"\bviewBox\s*=\s*['\"]\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)[\s,]+([0-9.]+)", attrs)
    tiny = (w and h and float(w.group(1)) <= 2 and float(h.group(1)) <= 2) or \
        (vb and float(vb.group(1)) <= 2 and float(vb.group(2)) <= 2)
    if tiny:
        return True
    if _DRAWING.search(svg):
        return False
    for rect in _RECT.finditer(svg):
        rw = re.search(r"\bwidth\s*=\s*['\"]" + _NUM, rect.group(1))
        rh = re.search(r"\bheight\s*=\s*['\"]" + _NUM, rect.group(1))
        if not (rw and rh and float(rw.group(1)) <= 2 and float(rh.group(1)) <= 2):
            return False
    return True


def raster_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF, JPEG or WebP from its header (None: not one)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" or data[:2] == b"\xff\xd8":
        try:
            import io

            from PIL import Image
            with Image.open(io.BytesIO(data)) as im:
                return im.size
        except Exception:
            return None
    return None


def _encode_data_uri(dest: str) -> str:
    """Percent-encode what a link destination cannot hold (spaces, <, >, quotes), once."""
    return re.sub(r"[\s<>\"]", lambda m: urllib.parse.quote(m.group(0)), dest)


class LazyPlaceholders(Stage):
    """Remove lazy-load placeholder data-URI images (empty or 1x1 SVG/GIF/PNG) and empty ![]()."""

    name = "lazy_placeholders"
    priority = 210
    scope = "text"
    removes = frozenset({"svg_placeholder", "pixel_placeholder", "undecodable_data_image",
                         "empty_image", "empty_link"})
    restructures = frozenset({"data_uri_encoded"})  # a picture no parser could read before

    def run(self, doc: Document, ctx: StageContext) -> None:
        lines = doc.text.split("\n")
        code = code_line_mask(lines)
        changed = False
        for n, line in enumerate(lines):
            if code[n] or ("![" not in line and "<img" not in line.lower()):
                continue
            new = self.clean_line(
                line, lambda kind, before: ctx.record(kind, doc.body_line + n, before, ""),
                lambda kind, before, after: ctx.record(kind, doc.body_line + n, before, after))
            new = keep_block_role(line, new)
            if new != line:
                lines[n] = new if new.strip() else ""
                changed = True
        if changed:
            doc.text = "\n".join(lines)

    @staticmethod
    def clean_line(line: str, record, record_change=None) -> str:
        pieces: list[str] = []
        pos = 0
        for start, end, dest in find_images(line):
            kind = "empty_image" if dest == "" and line[start:end] == "![]()" else classify(dest)
            if kind is None:
                if dest.lower().startswith("data:") and re.search(r"[\s<>]", dest):
                    # a real picture whose raw "<svg ...>" no parser reads as an address
                    image = line[start:end]
                    fixed = image[: image.index("](") + 2] + _encode_data_uri(dest) + ")"
                    pieces.append(line[pos:start] + fixed)
                    record_change("data_uri_encoded", image, fixed)
                    pos = end
                continue
            pieces.append(line[pos:start])
            record(kind, line[start:end])
            pos = end
        if pos:
            pieces.append(line[pos:])
            line = "".join(pieces)
            # a link left with nothing inside: [](https://...)
            line = re.sub(r"(?<![!\\])\[\]\((?:[^()\s]|\([^()\s]*\))*\)",
                          lambda m: (record("empty_link", m.group(0)), "")[1], line)
        if "<img" in line.lower():
            def drop(m: re.Match[str]) -> str:
                kind = classify(m.group(2))
                if kind is None:
                    return m.group(0)
                record(kind, m.group(0))
                return ""
            line = _IMG_TAG.sub(drop, line)
        return line
