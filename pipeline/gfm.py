"""GitHub-flavoured block rules for the mistune parse, read as GFM readers read them.

mistune's own table plugin follows PHP Markdown Extra: a row without pipes ends the
table, a short row turns the table into a paragraph, a header without a leading pipe
gains an empty column. GFM (cmark-gfm, markdown-it) reads tables differently, and so
does every tool the articles come from; these rules follow GFM:

- the header row and the delimiter row have the same number of cells; leading and
  trailing pipes are optional; the delimiter row is made of ``|``, ``-``, ``:`` and
  spaces only, and does not start with ``- `` (that is a list);
- body rows go on until a blank line or the start of another block, with or without
  pipes; short rows are padded with empty cells, long rows cut;
- ``\\|`` is a pipe inside a cell, even inside a code span.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mistune.block_parser import BlockParser
    from mistune.core import BlockState, InlineState
    from mistune.inline_parser import InlineParser
    from mistune.markdown import Markdown

Token = dict[str, Any]

# (a line holding a "|", taken whole: "[^\n]*\|[^\n]*" tried every "|" of a long line)
TABLE_PATTERN = (
    r"^(?P<gfm_table_head> {0,3}(?=[^\n]*\|)[^\n]*+)\n"
    r"(?P<gfm_table_delim> {0,3}[|:-][ \t|:-]*)$"
)
_DELIM_CELL = re.compile(r"^:?-+:?$")
#: a table of a thousand columns and a few thousand short rows is already silly
MAX_PADDED_CELLS = 0x10000
#: blocks that end a table when a row would start them
TABLE_TERMINATORS = ["fenced_code", "block_quote", "thematic_break", "list", "block_html", "atx_heading"]


def split_row(line: str) -> list[str]:
    """Cells of a row: split at pipes not preceded by a backslash; ``\\|`` is a pipe."""
    cells: list[str] = []
    current: list[str] = []
    prev = ""
    for ch in line:
        if ch == "|":
            if prev == "\\":
                current[-1] = "|"
            else:
                cells.append("".join(current))
                current = []
        else:
            current.append(ch)
        prev = ch
    cells.append("".join(current))
    if cells and cells[0].strip(" \t") == "":
        cells.pop(0)
    if cells and cells[-1].strip(" \t") == "":
        cells.pop()
    return [c.strip(" \t") for c in cells]


def delimiter_aligns(line: str) -> list[str | None] | None:
    """The column alignments of a delimiter row, or None when it is not one."""
    text = line.strip(" \t")
    if len(text) < 2 or text[0] not in "|-:" or not (text[1] in "|-:" or text[1] in " \t"):
        return None
    if text[0] == "-" and text[1] in " \t":
        return None
    parts = text.split("|")
    aligns: list[str | None] = []
    for i, part in enumerate(parts):
        t = part.strip(" \t")
        if not t:
            if i in (0, len(parts) - 1):
                continue
            return None
        if not _DELIM_CELL.match(t):
            return None
        if t.endswith(":"):
            aligns.append("center" if t.startswith(":") else "right")
        else:
            aligns.append("left" if t.startswith(":") else None)
    return aligns


def _cell(text: str, align: str | None, head: bool) -> Token:
    return {"type": "table_cell", "text": text, "attrs": {"align": align, "head": head}}


def parse_table(block: BlockParser, m: re.Match[str], state: BlockState) -> int | None:
    aligns = delimiter_aligns(m.group("gfm_table_delim"))
    if aligns is None:
        return None
    head = split_row(m.group("gfm_table_head").strip(" \t"))
    if not head or len(head) != len(aligns):
        return None
    pos = state.find_line_end_at(m.end())
    terminators = block.compile_sc(TABLE_TERMINATORS)
    rows: list[Token] = []
    padded = 0
    while pos < state.cursor_max:
        if pos in state.lazy_line_starts:
            break
        line = state.get_line(pos)
        text = line.strip(" \t\n")
        if not text or terminators.match(state.src, pos):
            break
        if len(line) - len(line.lstrip(" ")) >= 4:
            break
        cells = split_row(text)
        padded += len(aligns) - len(cells)
        if padded > MAX_PADDED_CELLS:
            break
        cells = (cells + [""] * len(aligns))[: len(aligns)]
        rows.append(
            {"type": "table_row", "children": [_cell(c, aligns[i], False) for i, c in enumerate(cells)]}
        )
        pos += len(line)
    thead = {"type": "table_head", "children": [_cell(c, aligns[i], True) for i, c in enumerate(head)]}
    state.append_token({"type": "table", "children": [thead, {"type": "table_body", "children": rows}]})
    return pos


def table_before_lazy_line(src: str, start: int) -> int | None:
    """Where a block quote starting at ``start`` would take a lazy line after a table.

    Only a paragraph takes lazy continuation lines: after a table inside a quote,
    a line without ``>`` is outside the quote.
    """
    pos = start
    content: list[str] = []
    while pos < len(src):
        end = src.find("\n", pos)
        end = len(src) if end < 0 else end + 1
        line = src[pos:end]
        m = re.match(r" {0,3}> ?", line)
        if m is None:
            if not line.strip():
                return None
            tail: list[str] = []
            for c in content:
                tail = [] if not c.strip() else [*tail, c]
            for i in range(len(tail) - 1):
                if (
                    "|" in tail[i]
                    and delimiter_aligns(tail[i + 1]) is not None
                    and len(split_row(tail[i].strip())) == len(delimiter_aligns(tail[i + 1]) or ())
                ):
                    return pos
            return None
        content.append(line[m.end() :])
        pos = end
    return None


def tables(md: Markdown) -> None:
    """GFM tables, at the top level, in block quotes and in list items."""
    md.block.register("gfm_table", TABLE_PATTERN, parse_table, before="fenced_code")
    for rules in (md.block.block_quote_rules, md.block.list_rules):
        md.block.insert_rule(rules, "gfm_table", before="fenced_code")


# -- strikethrough -------------------------------------------------------------------
# GFM: a run of one or two tildes opens when left-flanking and closes when
# right-flanking, and closes only an opener of its own length; longer runs are text.
# Tildes and emphasis markers have the same priority (cmark-gfm and markdown-it
# resolve them in one delimiter run): "**~~a**~~" is bold, "~~**a~~**" struck. So the
# pairs are found with the emphasis markers in the same run, and only the tilde
# pairs are made here; emphasis is then resolved inside and around them.


def _is_space(ch: str) -> bool:
    return ch == "" or ch.isspace()


def _is_punct(ch: str) -> bool:
    import unicodedata

    return ch != "" and unicodedata.category(ch)[0] in "PS"


def _is_emphasis_punct(ch: str) -> bool:
    """Punctuation as mistune's emphasis rules take it (neither a space nor a letter)."""
    return ch != "" and not ch.isspace() and not ch.isalnum()


def _edge_char(tok: Token, last: bool) -> str:
    t = tok["type"]
    if t == "text":
        raw: str = tok.get("raw", "")
        return raw[-1:] if last else raw[:1]
    if t in ("softbreak", "linebreak"):
        return "\n"
    return "\ufffc"  # a code span, link or tag: punctuation for flanking


class _Run:
    __slots__ = ("char", "closes", "left", "length", "opens", "part")

    def __init__(self, part: int, char: str, length: int, opens: bool, closes: bool) -> None:
        self.part, self.char, self.length, self.left = part, char, length, length
        self.opens, self.closes = opens, closes


def _flanking(run: str, before: str, after: str) -> tuple[bool, bool]:
    char = run[0]
    if char == "~":
        left = not _is_space(after) and (not _is_punct(after) or _is_space(before) or _is_punct(before))
        right = not _is_space(before) and (not _is_punct(before) or _is_space(after) or _is_punct(after))
        return left, right
    before = before or "\n"
    after = after or "\n"
    intraword = char == "_" and before.isalnum() and after.isalnum()
    opens = (
        not intraword
        and not after.isspace()
        and not (_is_emphasis_punct(after) and not before.isspace() and not _is_emphasis_punct(before))
    )
    closes = (
        not intraword
        and not before.isspace()
        and not (_is_emphasis_punct(before) and not after.isspace() and not _is_emphasis_punct(after))
    )
    return opens, closes


def _matches(opener: _Run, closer: _Run) -> bool:
    if opener.char != closer.char:
        return False
    if closer.char == "~":
        return opener.length == closer.length
    if (opener.closes or closer.opens) and (opener.length + closer.length) % 3 == 0:
        return opener.length % 3 == 0 and closer.length % 3 == 0
    return True


def _tilde_pairs(runs: list[_Run]) -> list[tuple[int, int]]:
    """CommonMark's delimiter run over tildes and emphasis markers together: the
    (opener, closer) indexes in ``runs`` of the tilde pairs it makes."""
    stack: list[int] = []
    bottom: dict[tuple[str, int, bool], int] = {}
    pairs: list[tuple[int, int]] = []
    for i, closer in enumerate(runs):
        if closer.closes:
            key = (closer.char, closer.length if closer.char == "~" else closer.length % 3, closer.opens)
            while closer.left:
                floor = bottom.get(key, -1)
                at = len(stack) - 1
                while (
                    at >= 0
                    and stack[at] > floor
                    and not (runs[stack[at]].left and _matches(runs[stack[at]], closer))
                ):
                    at -= 1
                if at < 0 or stack[at] <= floor:
                    bottom[key] = i - 1
                    break
                opener = runs[stack[at]]
                del stack[at + 1 :]  # the markers between them are text now
                if closer.char == "~":
                    pairs.append((stack[at], i))
                    opener.left = closer.left = 0
                else:
                    use = 2 if opener.left >= 2 and closer.left >= 2 else 1
                    opener.left -= use
                    closer.left -= use
                if not opener.left:
                    stack.pop()
        if closer.opens and closer.left:
            stack.append(i)
    return pairs


def pair_strikethrough(tokens: list[Token]) -> list[Token]:
    """Turn tilde runs in ``tokens`` (before emphasis is resolved) into strikethroughs."""
    if not any(t["type"] == "text" and "~" in t.get("raw", "") and t.get("_emphasis", True) for t in tokens):
        return tokens
    parts: list[Token] = []
    runs: list[_Run] = []
    for n, tok in enumerate(tokens):
        raw = tok.get("raw", "")
        if tok["type"] != "text" or not tok.get("_emphasis", True) or not re.search(r"[~*_]", raw):
            parts.append(tok)
            continue
        before_tok = _edge_char(tokens[n - 1], True) if n else ""
        after_tok = _edge_char(tokens[n + 1], False) if n + 1 < len(tokens) else ""
        for m in re.finditer(r"~+|\*+|_+|[^~*_]+", raw):
            piece = m.group(0)
            parts.append({"type": "text", "raw": piece})
            if piece[0] not in "~*_" or (piece[0] == "~" and len(piece) > 2):
                continue
            before = raw[m.start() - 1] if m.start() else before_tok
            after = raw[m.end()] if m.end() < len(raw) else after_tok
            opens, closes = _flanking(piece, before, after)
            if opens or closes:
                runs.append(_Run(len(parts) - 1, piece[0], len(piece), opens, closes))
    pairs = _tilde_pairs(runs)
    if not pairs:
        return tokens
    tilde_parts = {runs[i].part for i in range(len(runs)) if runs[i].char == "~"}
    bounds = {runs[o].part: runs[c].part for o, c in pairs}
    return _nest(parts, 0, len(parts), bounds, tilde_parts)


def _nest(parts: list[Token], start: int, end: int, bounds: dict[int, int], tildes: set[int]) -> list[Token]:
    out: list[Token] = []
    i = start
    while i < end:
        close = bounds.get(i)
        if close is not None and close < end:
            out.append(
                {
                    "type": "strikethrough",
                    "children": _nest(parts, i + 1, close, bounds, tildes),
                    "marker": parts[i]["raw"],
                }
            )
            i = close + 1
            continue
        part = parts[i]
        if i in tildes:
            part["_emphasis"] = False  # a tilde run holds no emphasis markers
        out.append(part)
        i += 1
    return out


# -- footnotes -----------------------------------------------------------------------
# A definition is a container, as GFM readers take it: the text after "[^label]:",
# then lines indented by four spaces (blank lines between them included) and lazy
# lines continuing a paragraph. Every definition stays a footnote, used or not: the
# used ones numbered in the order of their first reference, the others after them.

FOOTNOTE_PATTERN = r"^ {0,3}\[\^(?P<gfm_note_key>(?:[^\\\[\]\s]|\\.){1,500})\]:(?P<gfm_note_text>[^\n]*)$"
NOTE_INTERRUPTS = [
    "fenced_code",
    "atx_heading",
    "thematic_break",
    "block_quote",
    "list",
    "block_html",
    "gfm_footnote",
    "gfm_table",
]


def parse_footnote_def(block: BlockParser, m: re.Match[str], state: BlockState) -> int:
    from mistune.util import unikey

    lines = [m.group("gfm_note_text").strip(" \t")]
    interrupts = block.compile_sc(NOTE_INTERRUPTS)
    pos = state.find_line_end_at(m.end())
    code = False  # is the last line indented code (which takes no lazy line)?
    while pos < state.cursor_max:
        line = state.get_line(pos)
        body = line.rstrip("\n").expandtabs(4)
        if not body.strip():
            lines.append("")
        elif len(body) - len(body.lstrip(" ")) >= 4:
            code = len(body) - len(body.lstrip(" ")) >= 8 or (code and not lines[-1])
            lines.append(body[4:])
        elif lines[-1].strip() and not code and not interrupts.match(state.src, pos):
            lines.append(body)  # a lazy line of the paragraph
        else:
            break
        pos += len(line)
    while lines and not lines[-1].strip():
        lines.pop()
    notes = state.env.setdefault("ref_footnotes", {})
    notes.setdefault(unikey(m.group("gfm_note_key")), "\n".join(lines) + "\n")
    return pos


def footnotes_hook(md: Markdown, result: str | list[Token], state: BlockState) -> str | list[Token]:
    """After the body: one ``footnotes`` token with every definition."""
    from mistune.core import BlockState

    defined = state.env.get("ref_footnotes") or {}
    if not defined:
        return result
    used = list(state.env.get("footnotes") or [])
    known = set(used)  # (a list's "in" made thousands of notes quadratic)
    order = used + [key for key in defined if key not in known]
    # references inside the notes take these numbers too
    state.env["footnotes"] = list(order)
    state.env["footnote_indexes"] = {key: n for n, key in enumerate(order)}
    items = []
    for n, key in enumerate(order, 1):
        child = state.child_state(defined[key])
        md.block.parse(child)
        items.append(
            {
                "type": "footnote_item",
                "children": child.tokens,
                "attrs": {"key": key, "index": n, "referenced": key in known},
            }
        )
    holder = BlockState(parent=state)
    holder.tokens = [{"type": "footnotes", "children": items}]
    rendered = md.render_state(holder)
    assert isinstance(result, list) and isinstance(rendered, list)  # no renderer: the tokens
    return result + rendered


def parse_bang_before_note(inline: InlineParser, m: re.Match[str], state: InlineState) -> int | None:
    """``text![^1]``: a ``!`` and a footnote reference, not the start of an image."""
    from mistune.util import unikey

    if unikey(m.group("gfm_bang_key")) not in (state.env.get("ref_footnotes") or {}) or state.src.startswith(
        ("(", "["), m.end()
    ):  # "![^alt](pic.png)" is an image
        image = re.compile(r"!\[").match(state.src, m.start())
        assert image is not None  # the match starts with "!["
        return inline.parse_link(image, state)
    state.append_token({"type": "text", "raw": "!"})
    return m.start() + 1


def footnotes(md: Markdown) -> None:
    from mistune.plugins.footnotes import _FOOTNOTE_LABEL, INLINE_FOOTNOTE, parse_inline_footnote

    md.inline.register("footnote", INLINE_FOOTNOTE, parse_inline_footnote, before="link")
    pattern = r"!\[\^(?P<gfm_bang_key>" + _FOOTNOTE_LABEL + r")\]"
    try:  # mistune 3.2+: the characters a match can start with keep its fast text scan
        md.inline.register("gfm_bang_note", pattern, parse_bang_before_note, before="link", start_chars=["!"])
    except TypeError:
        md.inline.register("gfm_bang_note", pattern, parse_bang_before_note, before="link")
    md.block.register("gfm_footnote", FOOTNOTE_PATTERN, parse_footnote_def, before="ref_link")
    md.after_render_hooks.append(footnotes_hook)


# -- autolinks -----------------------------------------------------------------------
# GFM's extended URL autolinks: "www." or "http(s)://", a domain with a period (no "_" in
# its last two parts), then anything up to a space or "<", less trailing punctuation,
# unbalanced closing parentheses and a final entity reference. The link keeps the text
# it was written with, so that the writer can write it back as it was.

AUTOLINK_PATTERN = r"(?:https?://|www\.)(?:[^\s<\\]|\\(?!\n))+"  # "\\" + newline is a line break
_DOMAIN = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")
_TRAILING_ENTITY = re.compile(r"&[A-Za-z0-9]+;$")


def autolink_end(text: str) -> int | None:
    """How much of ``text`` (starting with www. or http(s)://) a GFM autolink takes."""
    start = 0 if text.startswith("www.") else text.index("//") + 2
    domain = _DOMAIN.match(text, start)
    if domain is None or "." not in domain.group(0):
        return None
    if any("_" in part for part in domain.group(0).split(".")[-2:]):
        return None
    end = len(text)
    while end > domain.end():
        ch = text[end - 1]
        if ch in "?!.,:*_~" or (ch == ")" and text.count("(", 0, end) < text.count(")", 0, end)):
            end -= 1
        elif ch == ";" and (entity := _TRAILING_ENTITY.search(text, 0, end)):
            end = entity.start()
        else:
            break
    return end


def parse_autolink(inline: InlineParser, m: re.Match[str], state: InlineState) -> int | None:
    from mistune.util import escape_url

    from .tree import decode_entities

    start = m.start()
    if start and state.src[start - 1] not in " \t\n*_~(":
        return None
    run = start
    while run and state.src[run - 1] in "*_~":
        run -= 1
    if run < start and run and state.src[run - 1] not in " \t\n(":
        # "**note:**https://..." - those stars close nothing in CommonMark: the link
        # would make them close (a link counts as punctuation next to a delimiter)
        return None
    if state.in_link or state.depth >= inline.max_nested_level:
        return None
    text = m.group(0)
    if state.brackets and "]" in text:  # inside link text: the bracket closes it
        text = text[: text.index("]")]
    end = autolink_end(text)
    if end is None:
        return None
    text = text[:end]
    url = escape_url(text if text.startswith("http") else "http://" + text)
    # "_autolink": inside a link's text it goes back to text (links do not nest)
    state.append_token(
        {
            "type": "link",
            "children": [{"type": "text", "raw": text}],
            "attrs": {"url": url},
            "bare": {"text": text, "label": decode_entities(text), "url": url},
            "_autolink": text,
        }
    )
    return start + end


# GFM's extended email autolinks: letters, digits and ".-_+", "@", then letters,
# digits, "-" and "_" in parts separated by periods (at least one), not ending in
# "-" or "_". The rule starts at the "@" (so that plain text keeps mistune's fast
# scan) and takes the name back from the text just read.
EMAIL_DOMAIN = r"@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+"
_EMAIL_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+_-")


def parse_email_autolink(inline: InlineParser, m: re.Match[str], state: InlineState) -> int | None:
    domain = m.group(0)[1:]
    if domain[-1] in "-_" or state.in_link or state.depth >= inline.max_nested_level:
        return None
    start = m.start()
    while start and state.src[start - 1] in _EMAIL_NAME_CHARS:
        start -= 1
    if start == m.start():
        return None
    # the name must be the end of the text tokens just read, as written
    need, taken = state.src[start : m.start()], 0
    while taken < len(state.tokens) and state.tokens[-1 - taken]["type"] == "text":
        taken += 1
        written = "".join(t["raw"] for t in state.tokens[len(state.tokens) - taken :])
        if len(written) >= len(need):
            break
    written = "".join(t["raw"] for t in state.tokens[len(state.tokens) - taken :])
    if (
        not taken
        or not written.endswith(need)
        or (start and state.src[start - 1] == "\\")
        or any(t.get("_emphasis") is False for t in state.tokens[len(state.tokens) - taken :])
    ):
        return None  # an escaped character is no part of an address
    del state.tokens[len(state.tokens) - taken :]
    if written[: len(written) - len(need)]:
        state.append_token({"type": "text", "raw": written[: len(written) - len(need)]})
    text = need + "@" + domain
    url = "mailto:" + text
    state.append_token(
        {
            "type": "link",
            "children": [{"type": "text", "raw": text}],
            "attrs": {"url": url},
            "bare": {"text": text, "label": text, "url": url},
            "_autolink": text,
        }
    )
    return m.end()


def autolinks(md: Markdown) -> None:
    try:  # mistune 3.2+: the characters a match can start with keep its fast text scan
        md.inline.register(
            "gfm_autolink", AUTOLINK_PATTERN, parse_autolink, before="link", start_chars=["h", "w"]
        )
        md.inline.register("gfm_email", EMAIL_DOMAIN, parse_email_autolink, before="link", start_chars=["@"])
    except TypeError:
        md.inline.register("gfm_autolink", AUTOLINK_PATTERN, parse_autolink, before="link")
        md.inline.register("gfm_email", EMAIL_DOMAIN, parse_email_autolink, before="link")
