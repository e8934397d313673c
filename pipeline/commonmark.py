"""CommonMark corners that mistune reads differently, read as the spec reads them.

Where mistune's reading differs from CommonMark's, the tree holds another document
than the one every other reader sees, and every writer would faithfully render that
other document. These rules are mixed into the parsers of pipeline/tree.py:

- type-6 HTML blocks start only at the tags CommonMark 0.31 lists: ``<meta>`` and
  ``<source>`` are inline tags (they do not interrupt a paragraph), ``<search>`` is a
  block tag;
- after ``>``, a tab reaches the next tab stop and the optional space takes one of its
  columns (``>\\t\\tcode`` is code indented by two more spaces);
- a line without ``>`` continues a block quote only where a paragraph is open, so not
  after link reference definitions;
- a link reference definition is read from its paragraph's lines only: a thematic
  break, heading, fence, quote, list item or HTML block ends it;
- a lazy line in a list item does not underline a setext heading;
- an empty last list item followed by a blank line leaves its list tight;
- an item whose marker line is empty takes no unindented (lazy) line after it;
- a link reference definition's label holds no blank line;
- link destinations and titles, and fence info strings, are decoded in one pass
  (``\\&amp;`` is the text ``&amp;``); autolinks are not decoded at all.

Every link also records its destination as the source wrote it (``dest``: the raw
text and the target it was read as; ``autolink``: the text between ``<`` and ``>``),
so that the Markdown writer can write an untouched link back as it was.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Callable

    from mistune.block_parser import BlockParser
    from mistune.core import BlockState, InlineState
    from mistune.inline_parser import InlineParser

    # the rules are mixed in before mistune's parsers: typed as their subclasses, plain
    # classes at run time (mistune is imported only when a text is parsed)
    _BlockBase = BlockParser
    _InlineBase = InlineParser
else:
    _BlockBase = _InlineBase = object

Token = dict[str, Any]

#: CommonMark 0.31's type-6 tags that mistune does not take as such, and back
BLOCK_TAGS_ADDED = frozenset({"search"})
BLOCK_TAGS_REMOVED = frozenset({"meta", "source"})
_TYPE7_OPEN = re.compile(
    r"<[A-Za-z][A-Za-z0-9-]*"
    r"(?:[ \t\n]+[A-Za-z_:][A-Za-z0-9_.:-]*(?:[ \t\n]*=[ \t\n]*(?:[^ \t\n\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*"
    r"[ \t\n]*/?>[ \t]*$"
)
_TYPE7_CLOSE = re.compile(r"</[A-Za-z][A-Za-z0-9-]*[ \t\n]*>[ \t]*$")
_LINE_END = re.compile(r"[ \t]*(?:\n|\Z)")
_ESCAPE_OR_ENTITY = re.compile(
    r"\\([!-/:-@\[-`{-~])|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)
#: what mistune leaves as it is when it percent-encodes a link target
URL_SAFE = ":/?#@!$&()*+,;=%"
#: blocks that end a paragraph (and so a link reference definition read from it)
PARAGRAPH_INTERRUPTS = [
    "thematic_break",
    "atx_heading",
    "fenced_code",
    "block_quote",
    "block_html",
    "list",
    "setex_heading",
]


def unescape_markdown(s: str) -> str:
    """Backslash escapes and character references decoded together, once."""
    if "\\" not in s and "&" not in s:
        return s
    from .tree import decode_entities

    def one(m: re.Match[str]) -> str:
        return m.group(1) if m.group(1) is not None else decode_entities(m.group(0))

    return _ESCAPE_OR_ENTITY.sub(one, s)


def link_url(raw: str) -> str:
    """The target of a link destination as written (``<...>`` or bare)."""
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1]
    return quote(unescape_markdown(raw), safe=URL_SAFE)


def quote_content(line: str) -> str | None:
    """A block quote line without its ``>`` and the optional space after it.

    Tabs count to the next tab stop of the line's columns: the optional space takes
    one column of a tab, and the whitespace up to the content's fourth column becomes
    spaces (what indented code strips), the rest is kept as written.
    """
    m = re.match(r" {0,3}>", line)
    if m is None:
        return None
    rest = line[m.end() :]
    if not rest or rest[0] not in " \t":
        return rest
    start = m.end() + 1  # the content's column, after the optional space
    out: list[str] = []
    column = m.end()
    i = 0
    while i < len(rest) and rest[i] in " \t":
        width = 1 if rest[i] == " " else 4 - column % 4
        if column >= start + 4:
            break
        out.append(" " * (column + width - max(column, start)))
        column += width
        i += 1
    return "".join(out) + rest[i:]


def quote_literal(line: str) -> str | None:
    """A block quote line without its ``>`` and the optional space, every other tab
    kept: what fenced code inside the quote holds."""
    m = re.match(r" {0,3}>", line)
    if m is None:
        return None
    rest = line[m.end() :]
    if rest[:1] == "\t":
        return " " * (3 - m.end() % 4) + rest[1:]
    return rest[1:] if rest[:1] == " " else rest


def _tag_name_ends(src: str, pos: int) -> bool:
    """Does a tag name end at ``pos`` as CommonMark's HTML blocks of kinds 1 and 6 need
    (a space, a tab, ``>``, ``/>`` or the line's end)? mistune takes any character
    (``<script</script>`` opens no block: it is a paragraph's text)."""
    return pos >= len(src) or src[pos] in " \t\n>" or src.startswith("/>", pos)


class BlockRules(_BlockBase):
    """Mixed into mistune's BlockParser (before it) by pipeline/tree.py."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from mistune.helpers import BLOCK_TAGS, PRE_TAGS

        tags = (set(BLOCK_TAGS) - BLOCK_TAGS_REMOVED) | BLOCK_TAGS_ADDED | set(PRE_TAGS)
        #: the tags mistune opens a block of kind 1 or 6 at
        self._kind_1_6_tags = frozenset(BLOCK_TAGS) | frozenset(PRE_TAGS)
        pattern = self.specification["block_html"]
        old = "(" + "|".join(BLOCK_TAGS) + "|" + "|".join(PRE_TAGS) + ")"
        if old in pattern:
            self.specification["block_html"] = pattern.replace(
                old, "(" + "|".join(sorted(tags, key=lambda t: (-len(t), t))) + ")"
            )

    # -- HTML blocks -----------------------------------------------------------
    def parse_raw_html(self, m: re.Match[str], state: BlockState) -> int | None:
        marker = m.group(0).strip()
        tag = marker.lstrip("</").lower()
        if marker.startswith("<") and tag in BLOCK_TAGS_ADDED:
            return self._html_to_blank_line(state)
        if tag in BLOCK_TAGS_REMOVED:
            pass
        elif tag not in self._kind_1_6_tags or _tag_name_ends(
            state.src, m.start() + len(m.group(0).rstrip())
        ):
            return super().parse_raw_html(m, state)
        # type 7: a complete tag alone on its line, and never inside a paragraph
        end = state.append_paragraph()
        if end:
            return end
        line = state.src[m.start() : state.find_line_end()].rstrip("\n").lstrip(" ")
        if _TYPE7_OPEN.match(line) or _TYPE7_CLOSE.match(line):
            return self._html_to_blank_line(state)
        return None

    def _html_to_blank_line(self, state: BlockState) -> int:
        m = self.BLANK_LINE.search(state.src, state.cursor)
        end = m.start() if m else state.cursor_max
        state.append_token({"type": "block_html", "raw": state.src[state.cursor : end]})
        return end

    # -- block quotes ------------------------------------------------------------
    def extract_block_quote(self, m: re.Match[str], state: BlockState) -> tuple[str, int | None, set[int]]:
        from mistune.util import expand_leading_tab, expand_tab

        text = quote_content(state.get_line(state.cursor)) or ""
        literal = quote_literal(state.get_line(state.cursor)) or ""
        lazy_line_starts: set[int] = set()
        require_marker = bool(self.compile_sc(["blank_line", "indent_code", "fenced_code"]).match(text))
        state.cursor += len(state.get_line(state.cursor))
        end_pos = None
        break_sc = self.compile_sc(["blank_line", "thematic_break", "fenced_code", "list", "block_html"])
        prev_blank = False
        chunk = 0  # where the quote's last run of lines without a blank one starts
        definitions_only: bool | None = None
        while state.cursor < state.cursor_max:
            line = state.get_line(state.cursor)
            content = quote_content(line)
            if content is not None:
                text += content
                literal += quote_literal(line) or ""
                state.cursor += len(line)
                prev_blank = not content.strip()
                if prev_blank:
                    chunk, definitions_only = len(text), None
                elif definitions_only:
                    definitions_only = None  # to be read again
                continue
            if require_marker or prev_blank:
                break  # no paragraph is open to take a lazy line
            m4 = break_sc.match(state.src, state.cursor)
            if m4:
                end_pos = self.parse_method(m4, state)
                if end_pos:
                    break
            if definitions_only is None:
                definitions_only = self._definitions_only(text[chunk:], state)
            if definitions_only:
                break  # reference definitions leave no paragraph open
            lazy_line_starts.add(len(text))
            text += expand_leading_tab(line, 3)
            literal += expand_leading_tab(line, 3)
            state.cursor += len(line)
        # the quote's child state takes it: fenced code is read from these lines
        state.quote_literal = literal  # type: ignore[attr-defined]  # read by the child state (tree.py)
        return expand_tab(text), end_pos, lazy_line_starts

    def _definitions_only(self, text: str, state: BlockState) -> bool:
        """Is ``text`` (a quote's lines since its last blank one) only reference definitions?"""
        if not re.match(r" {0,3}\[", text):
            return False
        probe = state.__class__()
        probe.process(text)
        self.parse(probe, ["ref_link", "blank_line"])
        return not any(t["type"] == "paragraph" for t in probe.tokens)

    # -- link reference definitions ---------------------------------------------
    def parse_ref_link(self, m: re.Match[str], state: BlockState) -> int | None:
        from mistune.util import unikey

        end_pos = state.append_paragraph()
        if end_pos:
            return end_pos
        label = m.group("reflink_1")
        key = unikey(label)
        if not key or re.search(r"\n[ \t]*\n", label):
            return None  # a blank line ends the paragraph the label would be read from
        found = read_definition(state.src, m.end(), state.cursor_max)
        if found is not None:
            # the definition is read from its paragraph's lines: none may start a block
            interrupts = self.compile_sc(PARAGRAPH_INTERRUPTS)
            pos = state.find_line_end_at(m.start())
            while pos < found[2]:
                if interrupts.match(state.src, pos) and _interrupts(state.src, pos):
                    found = read_definition(state.src, m.end(), pos)
                    break
                pos = state.find_line_end_at(pos)
        if found is None:
            return None
        dest, title, end = found
        refs = state.env.setdefault("ref_links", {})
        if key not in refs:
            data = {"url": link_url(dest), "label": label, "dest": dest}
            if title is not None:
                data["title"] = unescape_markdown(title)
            refs[key] = data
        return end

    # -- lists: a lazy line underlines no heading ----------------------------------
    def parse_list(self, m: re.Match[str], state: BlockState) -> int:
        original: Callable[[str, set[int] | None], BlockState] = state.child_state
        starts = [m.start()]

        def child_state(src: str, lazy_line_starts: set[int] | None = None) -> BlockState:
            if lazy_line_starts is not None:  # a quote's, not an item's
                return original(src, lazy_line_starts)
            lazy = list_item_lazy_lines(state.src, starts[-1], src)
            # the next item's marker line (if any) ends where the cursor stands now
            starts.append(state.src.rfind("\n", 0, max(state.cursor - 1, 0)) + 1)
            if not src.strip():
                # an empty item: the blank line after it (the list's last) makes no
                # loose list, as mistune's blank-line token inside it would
                src = ""
            return original(src, lazy)

        outer = state.__dict__.get("child_state")
        # this list's items get their lazy lines from here (an instance attribute, undone below)
        state.child_state = child_state  # type: ignore[method-assign]  # undone below
        try:
            return super().parse_list(m, state)
        finally:
            if outer is None:
                state.__dict__.pop("child_state", None)
            else:
                state.child_state = outer  # type: ignore[method-assign]  # the enclosing list's

    # -- fenced code: the info string decoded once, tabs in a quote kept -------------
    def parse_fenced_code(self, m: re.Match[str], state: BlockState) -> int | None:
        count = len(state.tokens)
        end = super().parse_fenced_code(m, state)
        if end is not None and len(state.tokens) > count:
            tok = state.tokens[-1]
            if tok.get("type") != "block_code":
                return end
            info = m.group("fenced_3")
            if info and info.strip():
                tok["attrs"] = {"info": unescape_markdown(info.strip())}
            literal = getattr(state, "literal_src", None)
            if literal is not None and literal.count("\n") == state.src.count("\n"):
                tok["raw"] = _literal_code(
                    literal, state.src, m.start(), tok["raw"], len(m.group("fenced_1"))
                )
        return end


def _literal_code(literal: str, src: str, start: int, raw: str, indent: int) -> str:
    """The content ``raw`` of a fenced code block whose fence line starts at ``start``
    in ``src``, taken again from ``literal``: the same lines with their tabs as written."""
    first = src.count("\n", 0, start) + 1
    count = raw.count("\n") + (1 if raw and not raw.endswith("\n") else 0)
    lines = literal.split("\n")[first : first + count]
    if indent:
        lines = [re.sub(f"^ {{0,{indent}}}", "", line) for line in lines]
    return "\n".join(lines) + ("\n" if raw.endswith("\n") else "")


def _interrupts(src: str, pos: int) -> bool:
    """Does the line at ``pos`` (matched by an interrupting rule) end a paragraph?

    A list item does only when it is not empty and, if ordered, starts at 1.
    """
    from mistune.list_parser import LIST_PATTERN

    m = re.compile(LIST_PATTERN, re.M).match(src, pos)
    if m is None:
        return True
    if not m.group("list_3").strip():
        return False
    marker = m.group("list_2")
    return len(marker) == 1 or int(marker[:-1]) == 1


def read_definition(src: str, pos: int, limit: int) -> tuple[str, str | None, int] | None:
    """The destination and title (as written) of a definition whose label ends at
    ``pos``, and where it ends; nothing of it may reach past ``limit``."""
    from mistune.helpers import parse_link_href, parse_link_title

    href, href_end = parse_link_href(src, pos, block=True)
    if href is None or href_end is None or href_end > limit:
        return None
    dest = src[_skip_blanks(src, pos) : href_end]
    title, title_end = parse_link_title(src, href_end, limit)
    if title is not None and title_end:
        end = _LINE_END.match(src, title_end)
        if end:
            return dest, src[_skip_blanks(src, href_end) + 1 : title_end - 1], end.end()
    end = _LINE_END.match(src, href_end)
    if end is None:
        return None
    return dest, None, end.end()


def _skip_blanks(src: str, pos: int) -> int:
    while pos < len(src) and src[pos] in " \t\n":
        pos += 1
    return pos


def install_empty_item_rule() -> None:
    """An item whose marker line is empty holds the next line only when it is indented
    to the item's content: a line that is not (``-⏎foo``) is no lazy line (an empty item
    has no paragraph to continue) but the paragraph after the list. mistune reads the
    item's lines in a module function, wrapped here once."""
    from mistune import list_parser

    collect = list_parser._collect_list_item_lines
    if getattr(collect, "empty_item_rule", False):
        return

    def collect_lines(block, list_item_re, break_sc, state, text, continue_width):  # type: ignore[no-untyped-def]
        if not text.strip() and state.cursor < state.cursor_max:
            raw = state.get_line(state.cursor)
            if (
                not block.BLANK_LINE.match(raw)
                and not list_parser._has_continuation_indent(raw, continue_width)
                and not list_parser._match_list_item_break(
                    list_item_re, break_sc, state, list_parser._expand_leading_tabs(raw)
                )
            ):
                return list_parser._ListItemLines("")
        return collect(block, list_item_re, break_sc, state, text, continue_width)

    collect_lines.empty_item_rule = True  # type: ignore[attr-defined]
    list_parser._collect_list_item_lines = collect_lines


def list_item_lazy_lines(src: str, start: int, item_src: str) -> set[int]:
    """Where the lazy lines of the list item whose marker line starts at ``start``
    begin in ``item_src`` (the text mistune made of the item).

    Each line after the marker line gives one line of the item text; a line that is
    not blank and is indented less than the item's content is lazy. When the lines do
    not line up with the item text as expected, nothing is marked.
    """
    from mistune.list_parser import (
        LIST_PATTERN,
        _compile_continue_width,
        _expand_leading_tabs,
        _has_continuation_indent,
        _strip_continuation_indent,
    )

    m = re.compile(LIST_PATTERN, re.M).match(src, start)
    if m is None:
        return set()
    first, width = _compile_continue_width(m.group("list_3"), len(m.group("list_1")) + len(m.group("list_2")))
    item_lines = item_src.split("\n")
    index = 1 if first else 0
    offset = sum(len(line) + 1 for line in item_lines[:index])
    lazy: set[int] = set()
    pos = src.find("\n", m.start())
    while pos >= 0 and index < len(item_lines):
        pos += 1
        end = src.find("\n", pos)
        raw = src[pos:] if end < 0 else src[pos:end]
        if _has_continuation_indent(raw, width):
            cleaned = _strip_continuation_indent(raw, width)
        else:
            cleaned = _expand_leading_tabs(raw)
        if cleaned != item_lines[index] and not (
            index == len(item_lines) - 1 and item_lines[index] == cleaned.rstrip()
        ):
            return set()
        if raw.strip() and not _has_continuation_indent(raw, width):
            lazy.add(offset)
        offset += len(item_lines[index]) + 1
        index += 1
        pos = end
    return lazy


class InlineRules(_InlineBase):
    """Mixed into mistune's InlineParser (before it) by pipeline/tree.py."""

    def parse_link_close(self, m: re.Match[str], state: InlineState) -> int:
        last = state.tokens[-1] if state.tokens else None
        end = super().parse_link_close(m, state)
        tok = state.tokens[-1] if state.tokens else None
        if tok is not None and tok is not last and tok.get("type") in ("link", "image") and "dest" not in tok:
            if "ref" in tok:
                ref = (state.env.get("ref_links") or {}).get(tok["ref"]) or {}
                if "dest" in ref:
                    tok["dest"] = {"raw": ref["dest"], "url": tok["attrs"]["url"]}
            elif state.src.startswith("(", m.end()):
                _read_inline_destination(tok, state.src, m.end() + 1)
        return end

    def parse_auto_link(self, m: re.Match[str], state: InlineState) -> int:
        return self._autolink(m, state, super().parse_auto_link(m, state), "")

    def parse_auto_email(self, m: re.Match[str], state: InlineState) -> int:
        return self._autolink(m, state, super().parse_auto_email(m, state), "mailto:")

    @staticmethod
    def _autolink(m: re.Match[str], state: InlineState, end: int, scheme: str) -> int:
        tok = state.tokens[-1] if state.tokens else None
        if tok is not None and tok.get("type") == "link" and tok.get("_autolink") == m.group(0):
            raw = m.group(0)[1:-1]
            # an autolink is literal: no escapes, no references
            tok["attrs"]["url"] = quote(scheme + raw, safe=URL_SAFE)
            tok["autolink"] = {"raw": raw, "url": tok["attrs"]["url"]}
        return end


def _read_inline_destination(tok: Token, src: str, pos: int) -> None:
    """Record (and read once) the destination and title of ``[text](dest "title")``."""
    from mistune.helpers import parse_link_href, parse_link_title

    href, href_end = parse_link_href(src, pos)
    if href is None or href_end is None:
        return
    dest = src[_skip_blanks(src, pos) : href_end]
    url = link_url(dest)
    attrs = tok["attrs"]
    title, title_end = parse_link_title(src, href_end, len(src))
    if title is not None and title_end:
        attrs["title"] = unescape_markdown(src[_skip_blanks(src, href_end) + 1 : title_end - 1])
    attrs["url"] = url
    tok["dest"] = {"raw": dest, "url": url}


# -- a link destination, read by jumps ---------------------------------------------------

#: the characters mistune's reading of a bare link destination stops at: ASCII
#: whitespace and control characters, a backslash, a parenthesis
_HREF_STOP = re.compile(r"[\x00-\x20\x7f\\()]")


def install_fast_link_href() -> None:
    """Read bare link destinations the way ``mistune.helpers._parse_link_href`` does,
    jumping from one character that matters to the next instead of looking at every
    character: a data URI of a hundred kilobytes was read character by character each
    time a link or image was tried, and again for its written destination."""
    import string

    from mistune import helpers
    from mistune.core import DEFAULT_MAX_NESTED_LEVEL

    original = helpers._parse_link_href
    if getattr(original, "galley_fast", False):
        return
    whitespace, punctuation = helpers.ASCII_WHITESPACE, string.punctuation
    skip_start = helpers._skip_link_start_whitespace

    def parse_link_href(
        src: str,
        start_pos: int,
        block: bool = False,
        *,
        max_nested_level: int = DEFAULT_MAX_NESTED_LEVEL,
    ) -> tuple[str | None, int | None, int]:
        pos = skip_start(src, start_pos)
        n = len(src)
        if pos >= n or src[pos] == "<":  # nothing, or a destination in <...>: as mistune reads it
            return original(src, start_pos, block, max_nested_level=max_nested_level)
        if block and src[pos] in whitespace:
            return None, None, pos
        start, level = pos, 0
        search = _HREF_STOP.search
        while pos < n:
            m = search(src, pos)
            if m is None:
                pos = n
                break
            pos = m.start()
            c = src[pos]
            if c in whitespace:
                break
            if ord(c) < 32 or c == "\x7f":
                return None, None, pos
            if c == "\\" and pos + 1 < n and src[pos + 1] in punctuation:
                pos = min(pos + 2, n)
                continue
            if c == "(":
                level += 1
                if level > max_nested_level:
                    return None, None, pos
            elif c == ")":
                if level == 0:
                    break
                level -= 1
            pos += 1
        if level != 0:
            return None, None, pos
        return src[start:pos], pos, pos

    parse_link_href.galley_fast = True  # type: ignore[attr-defined]
    parse_link_href.mistune_original = original  # type: ignore[attr-defined]
    helpers._parse_link_href = parse_link_href
