"""The page's styling goes from the raw HTML the clean Markdown keeps; simple tables become pipe tables.

Before::

    <table><tr><th style="width: 50%;">명령어</th><th>설명</th></tr>
    <tr><td style="height: 19px;"><span style="font-size: 13px;">ls</span></td><td>목록</td></tr></table>

    <p style="line-height: 1em;"><font color="red">注意</font></p>

After::

    | 명령어 | 설명 |
    | --- | --- |
    | ls | 목록 |

    <p>注意</p>

Scraped articles keep HTML written by an editor (WeChat's, Tistory's): every tag
carries the page's look. In the Markdown output ``style``, ``class``, ``data-*``
and layout attributes (``width``, ``height``, ``align``, ``valign``, ``bgcolor``,
``border``, ``cellpadding``, ``cellspacing``, ``face``, ``size``, ``color``, and a
``colspan`` or ``rowspan`` of 1) go, and the wrappers that only style
(``<font>``, ``<center>``, a ``<span>`` left with no attribute) lose their tags,
their text stays. A table whose cells hold only text, bold, italics, code, links
or pictures, with no cell spanning rows or columns and no nested table, becomes
a pipe table (its header: the ``<th>`` row, else a first row all in bold, else an
empty one); any other table stays HTML, cleaned of its styling. Structure
(``id``, ``href``, ``src``, ``alt``, ``colspan="2"``) stays. ``<pre>`` and
``<code>`` content is never touched.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.textscan import is_html_block_start
from pipeline.tree import iter_inline_lists

if TYPE_CHECKING:  # the tokenizer (html5lib) is imported only for a page with raw HTML
    from pipeline.htmltokens import Tag

Token = dict[str, Any]
_LAYOUT = frozenset(
    {
        "style",
        "class",
        "width",
        "height",
        "align",
        "valign",
        "bgcolor",
        "border",
        "cellpadding",
        "cellspacing",
        "face",
        "size",
        "color",
        "nowrap",
        "background",
    }
)
_UNWRAP = frozenset({"font", "center", "span"})
_CODE = frozenset({"pre", "code", "script", "style", "textarea", "xmp", "listing", "plaintext"})


def _presentational(name: str, value: str | None) -> bool:
    if name in _LAYOUT or name.startswith("data-"):
        return True
    return name in ("colspan", "rowspan") and (value or "").strip() == "1"


def restyle(raw: str) -> str:
    """``raw`` without its presentational attributes and wrappers (code untouched)."""
    if "<" not in raw:
        return raw
    from pipeline.htmltokens import attribute_spans, tokenize

    tags = tokenize(raw)
    cuts: list[tuple[int, int, str]] = []
    code_depth = 0
    unwrap_span = True
    plan: list[tuple[Tag, list[Any] | None]] = []
    for tag in tags:
        if tag.kind not in ("start", "end"):
            continue
        spans = attribute_spans(raw, tag) if tag.kind == "start" and tag.attrs else []
        plan.append((tag, spans))
        if tag.name == "span" and tag.kind == "start":
            kept = [a for a in (spans or []) if not _presentational(a.name, a.raw_value)]
            if spans is None or kept:
                unwrap_span = False  # a span with an id or a title: every span keeps its tags
    for tag, spans in plan:
        if tag.name in _CODE:
            if tag.kind == "start" and not tag.self_closing:
                code_depth += 1
            elif tag.kind == "end":
                code_depth = max(0, code_depth - 1)
            if tag.kind == "end":
                continue
        elif code_depth:
            continue
        if tag.name in _UNWRAP and (tag.name != "span" or unwrap_span):
            cuts.append((tag.start, tag.end, ""))
            continue
        for a in spans or []:
            if _presentational(a.name, a.raw_value):
                cuts.append((a.cut_start, a.end, ""))
    if not cuts:
        return raw
    out: list[str] = []
    pos = 0
    for start, end, repl in sorted(cuts):
        if start < pos:
            continue
        out.append(raw[pos:start] + repl)
        pos = end
    out.append(raw[pos:])
    return "".join(out)


# -- tables -----------------------------------------------------------------------------

_TABLE_BLOCK = re.compile(
    r"^\s*(?:<(?:div|section|center|figure)\b[^<>]*>\s*)*<table\b.*</table>"
    r"(?:\s*</(?:div|section|center|figure)\s*>)*\s*$",
    re.S | re.I,
)
_INLINE_OK = frozenset(
    {
        "strong",
        "b",
        "em",
        "i",
        "code",
        "a",
        "img",
        "span",
        "font",
        "p",
        "section",
        "u",
        "sup",
        "sub",
        "small",
        "big",
        "mark",
        "del",
        "s",
        "strike",
        "ins",
    }
)


def _cell_inline(el: Any) -> list[Token] | None:
    """The inline tokens of a cell's content, or None if it holds a block or a break."""
    out: list[Token] = []

    def text(s: str | None) -> None:
        if s:
            s = re.sub(r"\s+", " ", s)
            if out and out[-1]["type"] == "text":
                out[-1]["raw"] += s
            else:
                out.append({"type": "text", "raw": s})

    def walk(node: Any) -> bool:
        text(node.text)
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag not in _INLINE_OK:
                return False
            if tag in ("strong", "b", "em", "i"):
                kind = "strong" if tag in ("strong", "b") else "emphasis"
                inner = _cell_inline(child)
                if inner is None:
                    return False
                if any(k["type"] in ("text", "codespan") and k.get("raw", "").strip() for k in inner) or any(
                    k["type"] in ("link", "image") for k in inner
                ):
                    out.append({"type": kind, "children": inner})
                else:
                    text(" ".join(k.get("raw", "") for k in inner))
            elif tag == "code":
                out.append({"type": "codespan", "raw": "".join(child.itertext())})
            elif tag == "a":
                inner = _cell_inline(child)
                href = child.get("href")
                if inner is None or not href:
                    return False
                out.append({"type": "link", "children": inner, "attrs": {"url": href}})
            elif tag == "img":
                src = child.get("src")
                if not src:
                    return False
                out.append(
                    {
                        "type": "image",
                        "children": [{"type": "text", "raw": child.get("alt") or ""}],
                        "attrs": {"url": src},
                    }
                )
            else:
                if not walk(child):
                    return False
            text(child.tail)
        return True

    if not walk(el):
        return None
    while out and out[0]["type"] == "text" and not out[0]["raw"].strip():
        out.pop(0)
    while out and out[-1]["type"] == "text" and not out[-1]["raw"].strip():
        out.pop()
    if out and out[0]["type"] == "text":
        out[0]["raw"] = out[0]["raw"].lstrip()
    if out and out[-1]["type"] == "text":
        out[-1]["raw"] = out[-1]["raw"].rstrip()
    return out


def html_table(raw: str) -> Token | None:
    """A pipe table token for a simple HTML table, or None."""
    if not _TABLE_BLOCK.match(raw) or raw.lower().count("<table") != 1:
        return None
    import html5lib

    root = html5lib.parseFragment(raw, namespaceHTMLElements=False)
    table = root.find(".//table")
    if table is None:
        return None
    rows: list[tuple[list[Any], bool]] = []
    for row in table.iter("tr"):
        cells = [c for c in row if c.tag in ("td", "th")]
        if any(c.get("colspan", "1").strip() != "1" or c.get("rowspan", "1").strip() != "1" for c in cells):
            return None
        rows.append((cells, bool(cells) and all(c.tag == "th" for c in cells)))
    if not rows or any(not cells for cells, _ in rows):
        return None
    width = len(rows[0][0])
    if width < 1 or any(len(cells) != width for cells, _ in rows):
        return None
    converted: list[list[list[Token]]] = []
    for cells, _ in rows:
        row_tokens = []
        for c in cells:
            inline = _cell_inline(c)
            if inline is None:
                return None
            row_tokens.append(inline)
        converted.append(row_tokens)
    head_row = rows[0][1] or (
        len(rows) > 1 and all(len(cell) == 1 and cell[0]["type"] == "strong" for cell in converted[0])
    )
    if head_row:
        head, body = converted[0], converted[1:]
        if rows[0][1] is False:  # a bold first row: the header's weight says it already
            head = [cell[0]["children"] for cell in head]
    else:
        head, body = [[] for _ in range(width)], converted

    def cell(children: list[Token], is_head: bool) -> Token:
        return {"type": "table_cell", "attrs": {"align": None, "head": is_head}, "children": children}

    return {
        "type": "table",
        "children": [
            {"type": "table_head", "children": [cell(c, True) for c in head]},
            {
                "type": "table_body",
                "children": [{"type": "table_row", "children": [cell(c, False) for c in r]} for r in body],
            },
        ],
    }


def _still_one_block(raw: str, new: str) -> bool:
    """Does the restyled text of an HTML block still read as one HTML block?"""

    def blanks(text: str) -> int:
        return sum(1 for ln in text.strip("\n").split("\n") if not ln.strip())

    return is_html_block_start(new.lstrip("\n").split("\n", 1)[0]) and blanks(new) <= blanks(raw)


def _inline_html(kids: list[Token]) -> list[str]:
    """The raw tags among these inline tokens and inside them (bold, links...)."""
    out: list[str] = []
    for kid in kids:
        if kid.get("type") == "inline_html":
            out.append(kid.get("raw", ""))
        elif kid.get("type") != "image" and isinstance(kid.get("children"), list):
            out.extend(_inline_html(kid["children"]))
    return out


def _in_shortcode(kids: list[Token], k: int) -> bool:
    """``{{<figure class="x">}}``: a Hugo shortcode that reads as a tag is not the page's HTML."""
    before = kids[k - 1] if k else None
    return bool(before and before.get("type") == "text" and before.get("raw", "").endswith("{{"))


_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")


class HtmlStyling(Stage):
    """Drop the page's styling from raw HTML (style, class, data-*, <font>); simple tables to pipe tables."""

    name = "html_styling"
    priority = 305
    scope = "tree"
    removes = frozenset({"html_styling", "html_table"})
    # an HTML table that becomes a pipe table is a table the guard did not see before
    restructures = frozenset({"html_table"})

    def run(self, doc: Document, ctx: StageContext) -> None:
        tree = doc.tree or []
        self._blocks(tree, ctx)
        for block, line in iter_inline_lists(tree):
            self._inline(block, line, ctx)

    def _blocks(self, tokens: list[Token], ctx: StageContext) -> None:
        for k, tok in enumerate(tokens):
            if tok.get("type") == "block_html":
                raw = tok.get("raw", "")
                if not raw.lstrip().lower().startswith(("<pre", "<script", "<style", "<textarea")):
                    table = html_table(raw)
                    if table is not None:
                        table["line"] = tok.get("line")
                        tokens[k] = table
                        ctx.record("html_table", tok.get("line"), raw, "(pipe table)")
                        continue
                    # a tag that went alone on the block's first lines leaves no blank line
                    # to open it: the written block would start with one
                    new = _LEADING_BLANK_LINES.sub("", restyle(raw))
                    if new != raw and new.strip() and not _still_one_block(raw, new):
                        continue  # what is left would read as Markdown ("<span>" over "#"): kept whole
                    if new != raw:
                        ctx.record("html_styling", tok.get("line"), raw, new)
                        tok["raw"] = new
            elif isinstance(tok.get("children"), list) and tok.get("type") in (
                "block_quote",
                "list",
                "list_item",
                "task_list_item",
                "footnotes",
                "footnote_item",
            ):
                self._blocks(tok["children"], ctx)

    def _inline(self, block: Token, line: int | None, ctx: StageContext) -> None:
        raws = "".join(_inline_html(block.get("children") or []))
        if not raws:
            return
        # spans lose their tags only when none of them keeps an attribute (an id, a title)
        spans_removable = "<span" not in raws or "<span" not in restyle("<span>" + raws + "</span>")
        self._unstyle(block, spans_removable, line, ctx)

    def _unstyle(self, block: Token, spans_removable: bool, line: int | None, ctx: StageContext) -> None:
        kids = block.get("children") or []
        for kid in kids:
            if kid.get("type") not in ("inline_html", "image") and isinstance(kid.get("children"), list):
                self._unstyle(kid, spans_removable, line, ctx)  # tags inside bold, links (not alt text)
        if any(k.get("type") == "link" and not k.get("children") for k in kids):
            # "[<span></span>](x)": a link with nothing left to show goes, as an empty link does
            kids = [k for k in kids if k.get("type") != "link" or k.get("children")]
            block["children"] = kids
        if not any(k.get("type") == "inline_html" for k in kids):
            return
        out: list[Token] = []
        changed = False
        for k, tok in enumerate(kids):
            if tok.get("type") != "inline_html" or _in_shortcode(kids, k):
                out.append(tok)
                continue
            raw = tok.get("raw", "")
            name = re.match(r"</?([A-Za-z][A-Za-z0-9]*)", raw)
            tag = name.group(1).lower() if name else ""
            if tag in ("font", "center") or (tag == "span" and spans_removable):
                ctx.record("html_styling", line, raw, "")
                changed = True
                continue
            new = restyle(raw) if tag and not raw.startswith("</") else raw
            if new != raw:
                ctx.record("html_styling", line, raw, new)
                tok = {**tok, "raw": new}
                changed = True
            out.append(tok)
        if changed:
            block["children"] = out
