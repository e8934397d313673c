"""Headings that hold only a picture are the picture, and its caption a paragraph.

Before::

    ###### **![](https://mmbiz.qpic.cn/amx.png)**

    ###### **△**图 1. 英特尔 AMX 技术架构

    ###### **![](/images/img_0464.jpg)**FIGURE 1:

After::

    ![](https://mmbiz.qpic.cn/amx.png)

    **△**图 1. 英特尔 AMX 技术架构

    ![](/images/img_0464.jpg)

    FIGURE 1:

WeChat's editor sets a figure and its caption in ``<h6><strong>``; converted, the
picture becomes a heading with no words and the caption a heading of its own. A
heading of pictures alone becomes a paragraph; so does the caption that follows it
at the same level, or that shares its heading, when it reads as a caption (△, ▲,
图 1, 表 2, Figure 1, Fig. 1). A heading with words beside an icon
(``## ![](icon.png) Installation``) is a heading and stays.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.tree import inline_text

Token = dict[str, Any]

_CAPTION = re.compile(r"^\s*[*_]{0,3}\s*(?:[△▲▽▼↑]|图\s*\d|表\s*\d|(?:figure|fig\.|table)\s*\d)", re.I)
_WRAPPERS = ("strong", "emphasis")
_MARKER = re.compile(r"^\s*(\*{1,3}|_{1,3})\s*$")


class ImageHeadings(Stage):
    """Headings holding only a picture become the picture; a caption after it a paragraph."""

    name = "image_headings"
    priority = 313
    scope = "tree"
    # a heading that was a picture's frame: the outline loses it on purpose
    restructures = frozenset({"image_heading", "image_caption"})

    def run(self, doc: Document, ctx: StageContext) -> None:
        tree = doc.tree or []
        out: list[Token] = []
        i = 0
        while i < len(tree):
            tok = tree[i]
            split = _picture_and_rest(tok) if tok.get("type") == "heading" else None
            if split is None:
                out.append(tok)
                i += 1
                continue
            pictures, rest = split
            line = tok.get("line")
            before = inline_text(tok.get("children"), alt=True)
            ctx.record("image_heading", line, "#" * tok["attrs"]["level"] + " " + before, before)
            out.append({"type": "paragraph", "children": pictures, "line": line})
            if rest:
                out.append({"type": "paragraph", "children": rest, "line": line})
            i += 1
            nxt = tree[i] if i < len(tree) else None
            marker = _opening_marker(tok) if not rest else ""
            if marker and nxt is not None and nxt.get("type") == "paragraph":
                kids = nxt.get("children") or []
                last = kids[-1] if kids else None
                if last is not None and last["type"] == "text" and last["raw"].rstrip().endswith(marker):
                    last["raw"] = last["raw"].rstrip()[: -len(marker)].rstrip()
                    caption = inline_text(kids, alt=True)
                    ctx.record("image_caption", nxt.get("line"), marker + caption + marker, caption)
                    out.append(nxt)
                    i += 1
                    continue
            if (
                not rest
                and nxt is not None
                and nxt.get("type") == "heading"
                and nxt["attrs"]["level"] == tok["attrs"]["level"]
                and _CAPTION.match(inline_text(nxt.get("children"), alt=True))
            ):
                caption = inline_text(nxt.get("children"), alt=True)
                marks = "#" * nxt["attrs"]["level"]
                ctx.record("image_caption", nxt.get("line"), f"{marks} {caption}", caption)
                out.append(
                    {"type": "paragraph", "children": nxt.get("children") or [], "line": nxt.get("line")}
                )
                i += 1
        doc.tree = out


def _opening_marker(heading: Token) -> str:
    """The ``**`` a picture heading opens with and does not close, if any."""
    kids = heading.get("children") or []
    if kids and kids[0]["type"] == "text":
        m = _MARKER.match(kids[0]["raw"])
        if m:
            return m.group(1)
    return ""


def _picture_and_rest(heading: Token) -> tuple[list[Token], list[Token]] | None:
    """The pictures a heading opens with, and what follows them when that is a
    caption (or nothing); None for a heading with words of its own."""
    kids = list(heading.get("children") or [])
    while len(kids) == 1 and kids[0].get("type") in _WRAPPERS:  # **![](x)**
        kids = list(kids[0].get("children") or [])
    pictures: list[Token] = []
    k = 0
    while k < len(kids):
        tok = kids[k]
        if tok["type"] == "image":
            pictures.append(tok)
        elif (
            tok["type"] in _WRAPPERS
            and tok.get("children")
            and all(c["type"] == "image" for c in tok["children"])
        ):
            pictures.extend(tok["children"])
        elif tok["type"] == "text" and _MARKER.match(tok["raw"]) and not pictures:
            pass  # "###### **![](img)" whose bold closes on the caption's line below
        elif not (tok["type"] in ("text", "softbreak", "linebreak") and not tok.get("raw", "").strip()):
            break
        k += 1
    if not pictures:
        return None
    rest = kids[k:]
    marker = _opening_marker(heading)
    if marker and rest and rest[0]["type"] == "text" and rest[0]["raw"].startswith(marker):
        rest = [{**rest[0], "raw": rest[0]["raw"][len(marker) :]}, *rest[1:]]  # **![](x)**FIGURE 1
    text = inline_text(rest, alt=True).strip()
    if not text:
        return pictures, []
    if any(t["type"] == "image" for t in rest) or not _CAPTION.match(text) or len(text) > 80:
        return None
    if rest and rest[0]["type"] == "text":
        rest = [{**rest[0], "raw": rest[0]["raw"].lstrip()}, *rest[1:]]
    return pictures, rest
