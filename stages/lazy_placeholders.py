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

import bisect
import re
import urllib.parse

from pipeline.assets.datauri import decode_data_uri
from pipeline.repairs import LineEdit, LineRepair
from pipeline.textscan import join_apart

_DRAWING = re.compile(r"<(?:path|circle|ellipse|line|polyline|polygon|text|image|use|foreignObject)\b", re.I)
# A tag never runs over the next tag of its name: each ``<img``, ``<svg`` or ``<rect``
# is read in the span up to the next one (else each scans the rest of the text).
_RECT = re.compile(r"<rect\b((?:(?!<rect\b)[^>])*)>", re.I)
_SVG = re.compile(r"<svg\b((?:(?!<svg\b)[^>])*)>", re.I)
_NUM = r"([0-9.]+)\s*(?:px)?"
#: a link left with nothing inside: [](https://...)
_EMPTY_LINK = re.compile(r"(?<![!\\])\[\]\((?:[^()\s]|\([^()\s]*\))*\)")
_IMG_TAG = re.compile(
    r"<img\b(?:(?!<img\b)[^>])*\bsrc\s*=\s*([\"'])(data:[^\"']*)\1(?:(?!<img\b)[^>])*>", re.I
)


def find_images(line: str):
    """(start, end, dest) of each ``![alt](dest)`` in a line; dest may hold parentheses.

    Linear in the line: brackets are paired once for the whole line, and a destination
    that never closes is remembered, so that the many ``![`` or ``![a](`` of a hostile
    line do not each scan the rest of it.
    """
    if "![" not in line:
        return
    pairs = _bracket_pairs(line)
    parens = _DestinationEnds(line)
    i = 0
    while True:
        i = line.find("![", i)
        if i < 0:
            return
        if i and line[i - 1] == "\\":
            i += 2
            continue
        close = pairs.get(i + 1)
        j = close + 1 if close is not None else len(line)
        if j >= len(line) or line[j] != "(":
            i += 2
            continue
        k = parens.end(j + 1)
        if k is None:
            i += 2
            continue
        yield i, k, line[j + 1 : k - 1].strip()
        i = k


_BRACKET_OR_ESCAPE = re.compile(r"\\[\s\S]|[\[\]]")


def _bracket_pairs(line: str) -> dict[int, int]:
    """Each ``[`` of the line (not escaped) -> its matching ``]``."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _BRACKET_OR_ESCAPE.finditer(line):
        ch = m.group(0)
        if ch == "[":
            stack.append(m.start())
        elif ch == "]" and stack:
            pairs[stack.pop()] = m.start()
    return pairs


# a tag still open before an image: what looks like one is the tag's text (an attribute
# value, a processing instruction), which stays as it is
# (a tag's name and a blank before it, or a processing instruction, declaration, comment)
_OPEN_TAG = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*\s[^<>]*|\?[^<>]*|![A-Za-z][^<>]*|!--[^<>]*)$")


class _DestinationEnds:
    """Where an image destination that starts at a position ends (after its ``)``).

    Parentheses nest, a backslash escapes the next character, and a quote that follows
    a space or ``=`` (``<svg width='1'>``, a title) hides parentheses until it closes.
    A scan that reaches the end of the line unclosed is kept: a later destination that
    starts inside it, outside any quote, follows the same path and is answered from it.
    The work is bounded by a small multiple of the line's length; past it, no further
    image is looked for on this line (a hostile line is left as it is).
    """

    KEEP = 4

    def __init__(self, line: str):
        self.line = line
        self.failed: list[tuple[int, list[int], list[tuple[str | None, int]], dict[int, list[int]]]] = []
        self.budget = 8 * len(line) + 10_000

    def end(self, k0: int) -> int | None:
        if self.budget < 0:
            return None
        for start, events, states, closes in self.failed:
            if k0 < start:
                continue
            at = bisect.bisect_left(events, k0) - 1
            quote, depth = states[at] if at >= 0 else (None, 1)
            if quote is None:
                # the same path from here: close where that scan fell one level below
                target = depth - 1
                spots = closes.get(target)
                if not spots:
                    return None
                n = bisect.bisect_left(spots, k0)
                return spots[n] + 1 if n < len(spots) else None
        return self._scan(k0)

    def _scan(self, k0: int) -> int | None:
        line, n = self.line, len(self.line)
        k, depth, quote = k0, 1, None
        events: list[int] = []
        states: list[tuple[str | None, int]] = []
        closes: dict[int, list[int]] = {}
        while k < n and depth:
            # jump to the next character that can matter (a data URI is long)
            m = (_IN_QUOTE[quote] if quote else _MATTERS).search(line, k)
            if m is None:
                k = n
                break
            k = m.start()
            ch = line[k]
            if ch == "\\":
                k += 2
                continue
            if quote:
                if ch == quote:
                    quote = None
                    events.append(k), states.append((quote, depth))
            elif ch in "'\"" and line[k - 1] in " =":
                quote = ch
                events.append(k), states.append((quote, depth))
            elif ch == "(":
                depth += 1
                events.append(k), states.append((quote, depth))
            elif ch == ")":
                depth -= 1
                events.append(k), states.append((quote, depth))
                closes.setdefault(depth, []).append(k)
            k += 1
        self.budget -= k - k0
        if depth or self.budget < 0:
            self.failed = ([(k0, events, states, closes), *self.failed])[: self.KEEP]
            return None
        return k


# the characters _scan acts on, outside a quoted value and inside one
_MATTERS = re.compile(r"""[\\'"()]""")
_IN_QUOTE = {'"': re.compile(r'[\\"]'), "'": re.compile(r"[\\']")}


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
    m = _SVG.search(svg)
    if not m:
        return True
    attrs = m.group(1)
    w = re.search(r"\bwidth\s*=\s*['\"]" + _NUM, attrs)
    h = re.search(r"\bheight\s*=\s*['\"]" + _NUM, attrs)
    vb = re.search(r"\bviewBox\s*=\s*['\"]\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)[\s,]+([0-9.]+)", attrs)
    tiny = (w and h and float(w.group(1)) <= 2 and float(h.group(1)) <= 2) or (
        vb and float(vb.group(1)) <= 2 and float(vb.group(2)) <= 2
    )
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
    if (data[:4] == b"RIFF" and data[8:12] == b"WEBP") or data[:2] == b"\xff\xd8":
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


class LazyPlaceholders(LineRepair):
    """Remove lazy-load placeholder data-URI images (empty or 1x1 SVG/GIF/PNG) and empty ![]()."""

    name = "lazy_placeholders"
    priority = 210
    scope = "text"
    removes = frozenset(
        {"svg_placeholder", "pixel_placeholder", "undecodable_data_image", "empty_image", "empty_link"}
    )
    restructures = frozenset({"data_uri_encoded"})  # a picture no parser could read before
    blank_emptied = True  # a line that held only placeholders is a blank line

    def wants_text(self, text: str) -> bool:
        return "![" in text or "<img" in text.lower()

    def wants_line(self, line: str) -> bool:
        return "![" in line or "<img" in line.lower()

    def repair_line(self, line: str, edit: LineEdit) -> str:
        return self.clean_line(line, edit.record, edit.record)

    @staticmethod
    def clean_line(line: str, record, record_change=None) -> str:
        pieces: list[str] = []
        pos = 0
        for start, end, dest in find_images(line):
            tag = line.rfind("<", 0, start)
            if tag >= 0 and _OPEN_TAG.match(line, tag, start):
                continue  # inside a tag: its text, and taken out it would close the tag
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
            line = join_apart(pieces)
            # a link left with nothing inside: [](https://...)
            kept, at = [], 0
            for m in _EMPTY_LINK.finditer(line):
                record("empty_link", m.group(0))
                kept.append(line[at : m.start()])
                at = m.end()
            if kept:
                line = join_apart([*kept, line[at:]])
        if "<img" in line.lower():

            def drop(m: re.Match[str]) -> str:
                kind = classify(m.group(2))
                if kind is None:
                    return m.group(0)
                record(kind, m.group(0))
                return ""

            line = _IMG_TAG.sub(drop, line)
        return line
