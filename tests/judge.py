"""An independent reading of our Markdown: markdown-it-py (CommonMark), not mistune."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

MD = MarkdownIt("commonmark").enable("table").enable("strikethrough")
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)


def body(text: str) -> str:
    m = FRONT_MATTER.match(text)
    return text[m.end() :] if m else text


def inline_text(tok) -> str:
    out = []
    for ch in tok.children or []:
        if ch.type in ("text", "code_inline"):
            out.append(ch.content)
        elif ch.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return "".join(out)


def blocks(text: str):
    """(kind, level, plain text, inline children) of every heading and paragraph."""
    toks = MD.parse(body(text))
    for i, t in enumerate(toks):
        if t.type != "inline":
            continue
        parent = toks[i - 1]
        kids = [c for c in t.children or [] if not (c.type == "text" and not c.content.strip())]
        if parent.type == "heading_open":
            yield "heading", int(parent.tag[1]), inline_text(t), kids
        elif parent.type == "paragraph_open":
            yield "paragraph", 0, inline_text(t), kids


def render_html(text: str) -> str:
    return MD.render(text)
