"""Parse once: Markdown text to the shared tree (mistune's AST), and helpers to walk it.

The tree is a list of token dicts as mistune 3 produces them with
``renderer=None``, the task-list plugin, and GFM tables, strikethrough, footnotes and
autolinks (pipeline/gfm.py).
``blank_line`` tokens are dropped; every top-level token gets a ``line`` key
(1-based, in the text that was parsed). pipeline/commonmark.py reads the CommonMark
corners that mistune reads differently, and has links record how they were written.
"""

from __future__ import annotations

import bisect
import html.entities
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import mistune
    from mistune.core import InlineState

Token = dict[str, Any]
#: characters whose spelling is kept in the tree (a text token with ``written``, e.g.
#: ``\\"`` or ``&quot;``): only a reader with typography or autolinks on tells
#: ``\\"``, ``&quot;`` or ``google\\.com`` from the bare character, and the author
#: wrote the escape or the reference for such a reader
KEPT_ESCAPES = frozenset("\"'-.():")
PLUGINS = ("task_lists",)


#: a character reference (``&amp;``, ``&#106;``, ``&#x6A;``), as CommonMark reads one
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_entities(s: str) -> str:
    """Decode CommonMark entity and numeric character references (with ``;`` only)."""
    if "&" not in s:
        return s
    return ENTITY.sub(_entity, s)


def _entity(m: re.Match[str]) -> str:
    ref = m.group(0)
    if ref[1] == "#":
        num = int(ref[3:-1], 16) if ref[2] in "xX" else int(ref[2:-1])
        if num == 0 or num > 0x10FFFF or 0xD800 <= num <= 0xDFFF:
            return "\ufffd"
        return chr(num)
    value = html.entities.html5.get(ref[1:])
    return value if value is not None else ref


@lru_cache(maxsize=2)
def _markdown(emphasis: bool = True) -> mistune.Markdown:
    """The parser; without ``emphasis``, one that pairs no ``*`` or ``_`` (they stay
    text) but in headings."""
    import mistune
    from mistune.block_parser import BlockParser
    from mistune.core import BlockState
    from mistune.inline_parser import InlineParser
    from mistune.plugins import import_plugin

    from . import commonmark, gfm

    commonmark.install_empty_item_rule()
    commonmark.install_fast_link_href()

    class PositionedState(BlockState):
        """Remembers where each top-level block starts."""

        def append_token(self, token: Token) -> None:
            if self.parent is None:
                token.setdefault("_pos", self.cursor)
            self.tokens.append(token)

        def add_paragraph(self, text: str) -> None:
            last = self.last_token()
            if last and last["type"] == "paragraph":
                last["text"] += text
            else:
                token: Token = {"type": "paragraph", "text": text}
                if self.parent is None:
                    token["_pos"] = self.cursor
                self.tokens.append(token)

        def child_state(self, src: str, lazy_line_starts: set[int] | None = None) -> BlockState:
            child = super().child_state(src, lazy_line_starts)
            literal = self.__dict__.pop("quote_literal", None)
            if literal is not None:  # a block quote's lines, tabs as written (commonmark.py)
                child.literal_src = literal  # type: ignore[attr-defined]  # read by parse_fenced_code
            return child

    class EntityAwareInline(commonmark.InlineRules, InlineParser):
        """Keeps an escaped ``&`` from reading as an entity once entities are decoded."""

        def __init__(self) -> None:
            super().__init__()
            # after a line break only spaces and tabs go, not a no-break or ideographic space
            self.specification["linebreak"] = r"(?:\\| {2,})\n[ \t]*"
            self.specification["softbreak"] = r" *\n[ \t]*"

        def parse_escape(self, m: re.Match[str], state: InlineState) -> int:
            text = m.group(0)
            marks = text[1::2]  # the rule takes pairs: a backslash and the mark it escapes
            if KEPT_ESCAPES.isdisjoint(marks) and "&" not in marks:
                self.process_text(marks, state, parse_emphasis=False)  # (as mistune does)
                return m.end()
            if not KEPT_ESCAPES.isdisjoint(marks):
                for i in range(0, len(text), 2):
                    ch = text[i + 1 : i + 2]
                    if ch in KEPT_ESCAPES:  # typography and autolinks read these: keep the escape
                        # (its own type, so that the text around it is not merged into it)
                        state.append_token({"type": "escape", "raw": ch})
                    elif ch == "&":
                        state.append_token({"type": "text", "raw": "&amp;"})
                    else:
                        self.process_text(ch, state, parse_emphasis=False)
                return m.end()
            if "\\&" in text:
                for part in re.split(r"(\\&)", text):
                    if part == "\\&":
                        state.append_token({"type": "text", "raw": "&amp;"})
                    elif part:
                        self.process_text(re.sub(r"\\(.)", r"\1", part), state, parse_emphasis=False)
                return m.end()
            return super().parse_escape(m, state)

        def _get_fast_trigger_re(self, chars: set[str]) -> re.Pattern[str]:
            """Where mistune stops reading plain text to try its inline rules: at an "h"
            or a "w" only where a bare address begins (``http://``, ``https://``,
            ``www.``: the one rule those letters start can match nowhere else), not at
            every "h" and "w" of the prose."""
            cached = self.__dict__.get("_galley_trigger")
            if cached is not None and cached[2] is chars:  # mistune keeps the set it made
                return cached[1]  # type: ignore[no-any-return]
            key = tuple(sorted(chars))
            if cached is not None and cached[0] == key:
                self.__dict__["_galley_trigger"] = (key, cached[1], chars)
                return cached[1]  # type: ignore[no-any-return]
            letters = {"h": r"h(?=ttps?://)", "w": r"w(?=ww\.)"}
            rest = "".join(c for c in key if c not in letters)
            parts = [f"[{re.escape(rest)}]"] if rest else []
            parts += [pattern for c, pattern in letters.items() if c in chars]
            compiled = re.compile("|".join(parts))
            self.__dict__["_galley_trigger"] = (key, compiled, chars)
            return compiled

        def finalize_tokens(self, tokens: list[Token], depth: int) -> list[Token]:
            # GFM strikethrough (one or two tildes) is paired first, then emphasis
            tokens = gfm.pair_strikethrough(tokens)
            for tok in tokens:
                if tok["type"] == "strikethrough":
                    tok["children"] = self.finalize_tokens(tok["children"], depth + 1)
            return super().finalize_tokens(tokens, depth)

    class PositionedBlock(commonmark.BlockRules, BlockParser):
        """Lists and quotes are appended after their content: give them their start."""

        def extract_block_quote(
            self, m: re.Match[str], state: BlockState
        ) -> tuple[str, int | None, set[int]]:
            # a table inside a quote takes no lazy line: stop the quote there
            limit = gfm.table_before_lazy_line(state.src[: state.cursor_max], state.cursor)
            if limit is None:
                return super().extract_block_quote(m, state)
            saved, state.cursor_max = state.cursor_max, limit
            try:
                return super().extract_block_quote(m, state)
            finally:
                state.cursor_max = saved

        def _parse_plain_paragraph(self, state: BlockState, sc: re.Pattern[str]) -> bool:
            """mistune's fast path for a paragraph (line by line to the next line where a
            block starts, instead of searching every character for one), taken also when
            the line starts with punctuation or a digit: no block rule matched at the
            cursor, and every rule starts at a line's start (``^``), so the search would
            stop at the same line. A line of scraped debris (``![图片](data:…)``, a
            hundred of them) no longer costs a regex search character by character."""
            if state.cursor >= len(state.src) or state.src[state.cursor].isspace():
                return False
            pos = state.cursor
            while pos < state.cursor_max:
                if pos > state.cursor and sc.match(state.src, pos):
                    break
                line = state.get_line(pos)
                if not line.strip():
                    break
                pos += len(line)
            if pos <= state.cursor:
                return False
            state.add_paragraph(state.get_text(pos))
            state.cursor = pos
            return True

        def parse_method(self, m: re.Match[str], state: BlockState) -> int | None:
            count = len(state.tokens)
            result = super().parse_method(m, state)
            if state.parent is None:
                for k, tok in enumerate(state.tokens[count:]):
                    if tok.get("type") != "blank_line" and (k == 0 or "_pos" not in tok):
                        # the block this rule read starts at m; one after it (a heading
                        # that ended a list) was placed by the call that read it
                        tok["_pos"] = m.start()
            return result

    class HeadingEmphasis(mistune.Markdown):
        """Reads emphasis in headings only: the inline rules of the full parser there."""

        def _iter_render(self, tokens: Iterable[Token], state: BlockState) -> Iterator[Token]:
            for tok in tokens:
                if tok.get("type") == "heading" and "text" in tok and "children" not in tok:
                    text = tok.pop("text")
                    tok["children"] = _markdown().inline(text.strip(" \r\n\t\f"), state.env)
                    yield tok
                else:
                    yield from super()._iter_render([tok], state)

    block = PositionedBlock()
    md = (mistune.Markdown if emphasis else HeadingEmphasis)(
        renderer=None,
        block=block,
        inline=EntityAwareInline(),
        plugins=[import_plugin(p) for p in PLUGINS] + [gfm.tables, gfm.footnotes, gfm.autolinks],
    )
    md.block.state_cls = PositionedState
    if not emphasis:
        # the stars and underscores are text: the scan passes over them (no rule starts
        # there), and nothing pairs them (mistune pairs only with the rule on)
        md.inline.rules.remove("emphasis")
    return md


def parse(text: str, *, emphasis: bool = True) -> list[Token]:
    """Parse Markdown into the shared tree.

    Without ``emphasis``, the stars and underscores of emphasis stay text, but in
    headings: all the structure guard takes from a tree (its links, images, code,
    lists, tables, notes and headings' words), read in a fraction of the time on a
    page of stars. Emphasis is paired once the rest is read, and changes none of it."""
    md = _markdown(emphasis)
    src = text.replace("\r\n", "\n").replace("\r", "\n")
    result, _state = md.parse(src)
    assert not isinstance(result, str)  # no renderer: the tokens
    tokens = list(result)
    starts = [0]
    pos = src.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = src.find("\n", pos + 1)
    out = []
    for tok in tokens:
        if tok.get("type") == "blank_line":
            continue
        p = tok.pop("_pos", None)
        tok["line"] = bisect.bisect_right(starts, p) if p is not None else None
        _drop_blank_lines(tok)
        out.append(tok)
    return out


def _drop_blank_lines(tok: Token) -> None:
    """Drop blank-line tokens; decode entities in text and link titles."""
    t = tok.get("type")
    if t == "escape":  # kept apart through mistune's merging of text: a marked text token
        tok["type"] = "text"
        tok["written"] = "\\" + tok["raw"]
        return
    if t == "text":
        tok["raw"] = decode_entities(tok.get("raw", ""))
    # link titles and fence info strings are decoded as they are read (commonmark.py)
    kids = tok.get("children")
    if t == "link" and "autolink" in tok:
        return  # an autolink's text is literal
    if isinstance(kids, list):
        expanded: list[Token] = []
        for k in kids:
            k.pop("_pos", None)
            kt = k.get("type")
            if kt == "text" and "children" not in k:
                raw = k.get("raw", "")
                if "&" in raw:
                    expanded.extend(_text_with_references(raw))
                    continue
                if "raw" not in k:
                    k["raw"] = raw
                expanded.append(k)  # plain text: nothing to decode, nothing inside
                continue
            if kt == "blank_line":
                _drop_blank_lines(k)
                continue
            if kt == "text" and "&" in k.get("raw", ""):  # a text token holding tokens
                expanded.extend(_text_with_references(k["raw"]))
                continue
            _drop_blank_lines(k)
            expanded.append(k)
        tok["children"] = merge_text(expanded)


def _text_with_references(raw: str) -> list[Token]:
    """Text with its character references decoded; one that stands for a character
    whose spelling matters (``&quot;``) stays apart, ``written`` as it was."""
    out: list[Token] = []
    pos = 0
    for m in ENTITY.finditer(raw):
        ch = _entity(m)
        if ch in KEPT_ESCAPES:
            out.append({"type": "text", "raw": raw[pos : m.start()]})
            out.append({"type": "text", "raw": ch, "written": m.group(0)})
        else:
            out.append({"type": "text", "raw": raw[pos : m.start()] + ch})
        pos = m.end()
    out.append({"type": "text", "raw": raw[pos:]})
    return out


def merge_text(tokens: Iterable[Token]) -> list[Token]:
    """Drop empty text tokens and join adjacent ones (a character whose spelling is
    kept, ``written``, stays apart)."""
    out: list[Token] = []
    run: list[str] = []  # the pieces of the text token being built, joined once
    for k in tokens:
        if k.get("type") == "text":
            if not k.get("raw"):
                continue
            if run and "written" not in k:
                run.append(k["raw"])
                continue
        if len(run) > 1:
            out[-1] = {"type": "text", "raw": "".join(run)}
        run = [k["raw"]] if k.get("type") == "text" and "written" not in k else []
        out.append(k)
    if len(run) > 1:
        out[-1] = {"type": "text", "raw": "".join(run)}
    return out


def walk(tokens: list[Token]) -> Iterator[Token]:
    """Every token, depth first, in document order."""
    for tok in tokens:
        yield tok
        kids = tok.get("children")
        if isinstance(kids, list):
            yield from walk(kids)


def map_children(tokens: list[Token], fn: Callable[[list[Token]], list[Token]]) -> list[Token]:
    """Apply ``fn`` to every list of children, innermost first, and to ``tokens``."""
    for tok in tokens:
        kids = tok.get("children")
        if isinstance(kids, list):
            tok["children"] = map_children(kids, fn)
    return fn(tokens)


INLINE_CONTAINERS = {"paragraph", "heading", "block_text", "table_cell"}


def inline_text(children: list[Token] | None, *, alt: bool = False) -> str:
    """Plain text of inline children (images' alt text only when ``alt``)."""
    parts: list[str] = []
    for tok in children or ():
        t = tok["type"]
        if t in ("text", "codespan"):
            parts.append(tok.get("raw", ""))
        elif t in ("softbreak", "linebreak"):
            parts.append("\n")
        elif t == "image":
            if alt:
                parts.append(inline_text(tok.get("children"), alt=True))
        elif t in ("inline_html", "footnote_ref"):
            continue
        elif "children" in tok:
            parts.append(inline_text(tok["children"], alt=alt))
    return "".join(parts)


def block_text(tokens: list[Token]) -> str:
    """Plain text of a block list: paragraphs and headings on their own lines, code kept."""
    lines: list[str] = []
    for tok in tokens:
        t = tok["type"]
        if t in INLINE_CONTAINERS:
            lines.append(inline_text(tok.get("children")))
        elif t == "block_code" or t == "block_html":
            lines.append(tok.get("raw", ""))
        elif isinstance(tok.get("children"), list):
            lines.append(block_text(tok["children"]))
    return "\n".join(lines)


def trim_inline(children: list[Token]) -> list[Token]:
    """Inline children without whitespace at their two ends (after something was removed)."""
    out = merge_text(children)
    if out and out[0]["type"] == "text":
        out[0] = {"type": "text", "raw": out[0]["raw"].lstrip()}
    if out and out[-1]["type"] == "text":
        out[-1] = {"type": "text", "raw": out[-1]["raw"].rstrip()}
    return [k for k in out if not (k["type"] == "text" and not k["raw"])]


CONTAINERS = {"block_quote", "list", "list_item", "task_list_item", "footnotes", "footnote_item"}


def filter_blocks(
    tokens: list[Token], keep: Callable[..., bool], line: int | None = None, parents: tuple[str, ...] = ()
) -> list[Token]:
    """Blocks for which ``keep(block, top_level_line, parent_types)`` holds, at every depth.

    A container left empty by the filter (a list whose items all went, a quote
    with nothing inside) goes too.
    """
    out: list[Token] = []
    for tok in tokens:
        at = tok.get("line", line)
        if not keep(tok, at, parents):
            continue
        if tok.get("type") in CONTAINERS and tok.get("children"):
            kids = filter_blocks(tok["children"], keep, at, (*parents, tok["type"]))
            if not kids:  # emptied by the filter (an empty item from the source stays)
                continue
            tok["children"] = kids
        out.append(tok)
    return out


def iter_blocks(tokens: list[Token], line: int | None = None) -> Iterator[tuple[Token, int | None]]:
    """Every block token (not inline ones) with its top-level line, depth first."""
    for tok in tokens:
        at = tok.get("line", line)
        yield tok, at
        if tok.get("type") in CONTAINERS and isinstance(tok.get("children"), list):
            yield from iter_blocks(tok["children"], at)


def iter_inline_lists(tokens: list[Token], line: int | None = None) -> Iterator[tuple[Token, int | None]]:
    """Every block that holds inline children (paragraphs, headings, cells...)."""
    for tok, at in iter_blocks(tokens, line):
        if tok.get("type") in INLINE_CONTAINERS:
            yield tok, at
        elif tok.get("type") == "table":
            for part in tok.get("children") or []:
                rows = part.get("children") or []
                cells = (
                    rows
                    if part.get("type") == "table_head"
                    else [c for r in rows for c in r.get("children") or []]
                )
                for cell in cells:
                    yield cell, at
