"""Helpers for text stages: where fenced code is, where paragraphs are, what is literal.

Text stages run before the parse, so they need a light view of block structure:
fenced code (never touched), blank-line separated chunks, and the inline spans
whose characters are not markup (code spans, link destinations, HTML tags).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from .memo import LinesMemo

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def fenced_ranges(lines: list[str]) -> list[tuple[int, int]]:
    """Line ranges [start, end) of fenced code blocks, fences included.

    An unclosed fence runs to the end of the text, as CommonMark reads it.
    """
    out: list[tuple[int, int]] = []
    i, n = 0, len(lines)
    while i < n:
        m = _FENCE_OPEN.match(lines[i])
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            char, size = m.group(1)[0], len(m.group(1))
            close = re.compile(r"^ {0,3}" + re.escape(char) + "{" + str(size) + r",}[ \t]*$")
            j = i + 1
            while j < n and not close.match(lines[j]):
                j += 1
            out.append((i, min(j + 1, n)))
            i = j + 1
            continue
        i += 1
    return out


def code_line_mask(lines: list[str]) -> list[bool]:
    """Lines that are code, at any depth (quotes, list items, callouts): fenced code,
    and indented code blocks unless they are CJK prose, paragraph by paragraph
    (which the line repair dedents: that indent is a typing habit, not code)."""
    return _MASKS.list_of(lines, _code_line_mask)


_MASKS = LinesMemo()


def _code_line_mask(lines: list[str]) -> list[bool]:
    from .codelines import FENCED, INDENTED, code_kinds

    starts: set[int] = set()
    kinds = code_kinds(lines, starts)
    mask = [k == FENCED for k in kinds]
    i, n = 0, len(lines)
    while i < n:
        if kinds[i] != INDENTED:
            i += 1
            continue
        j = i + 1
        blank = not lines[i].strip()
        while j < n and kinds[j] == INDENTED and (not lines[j].strip()) == blank and j not in starts:
            j += 1
        if blank or not is_indented_prose(lines[i:j]):
            mask[i:j] = [True] * (j - i)
        i = j
    return mask


_PROSE_BLOCK_START = re.compile(
    r"^(?:#{1,6}(?:[ \t]|$)|>|[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)"
    r"|`{3}|~{3}|\|)"
)


def is_indented_prose(block: list[str]) -> bool:
    """An indented paragraph that is CJK prose, not code: mostly CJK, nothing that
    looks like code, and no line that would start a block once the indent is gone
    (``# 注释`` in a config file is a comment, not a heading)."""
    if any(_PROSE_BLOCK_START.match(line.strip()) for line in block):
        return False
    return is_cjk_prose("\n".join(block))


_OWN_LINE = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|([-*_])(?:[ \t]*\1){2,}[ \t]*$)")


_NEW_BLOCK = re.compile(r"^ {0,3}(?:>|[-+*][ \t]+[^ \t]|1[.)][ \t]+[^ \t])")  # (a no-break space is content)


def chunks(lines: list[str]) -> Iterator[tuple[int, int]]:
    """Line ranges [start, end) of blank-line separated chunks outside fenced code.

    An ATX heading or a thematic break is a chunk of its own line, and a list item
    or a quote starts a new chunk: they interrupt a paragraph, so nothing inline
    runs across them.
    """
    mask = code_line_mask(lines)
    i, n = 0, len(lines)
    while i < n:
        if mask[i] or not lines[i].strip():
            i += 1
            continue
        j = chunk_end(lines, mask, i)
        yield i, j
        i = j


def chunk_end(lines: list[str], mask: list[bool], i: int) -> int:
    """Where the chunk that starts at line ``i`` (not code, not blank) ends."""
    j, n = i + 1, len(lines)
    if is_html_block_start(lines[i]):
        # an HTML block runs to a blank line: a "#" or "---" line in it is its text
        while j < n and not mask[j] and lines[j].strip():
            j += 1
    elif not _OWN_LINE.match(lines[i]):
        while (
            j < n
            and not mask[j]
            and lines[j].strip()
            and not _OWN_LINE.match(lines[j])
            and (not _NEW_BLOCK.match(lines[j]) or _quote_goes_on(lines[i], lines[j]))
            and not _EMPTY_QUOTE.match(lines[j - 1])
        ):  # no paragraph for a line to go on
            j += 1
    return j


_EMPTY_QUOTE = re.compile(r" {0,3}(?:>[ \t]*)+$")


_QUOTE_MARK = re.compile(r" {0,3}>[ \t]?")
_ITEM_MARK = re.compile(r" {0,3}(?:[-+*]|\d{1,9}[.)])[ \t]+")


def _quote_goes_on(first: str, line: str) -> bool:
    """Is ``line`` (``> text``) the next line of the quoted paragraph ``first`` opened
    (``> text``; ``> - text`` with ``line`` indented under the item; ``- > text`` with
    ``line`` the item's quote, ``  > text``)?"""
    head, rest = first, line
    quotes = 0
    in_item = False
    while True:  # the containers ``first`` opens, outermost first, each one ``line`` goes on in
        if m := _QUOTE_MARK.match(head):
            q = _QUOTE_MARK.match(rest)
            if not q:
                return False
            head, rest, quotes, in_item = head[m.end() :], rest[q.end() :], quotes + 1, False
        elif m := _ITEM_MARK.match(head):
            width = m.end()
            if not rest.startswith(" " * width):
                return False
            head, rest, in_item = head[width:], rest[width:], True
        else:
            break
    if quotes and not in_item and (HTML_BLOCK_TAG.match(head) or HTML_WHOLE_TAG.match(head)):
        return bool(rest.strip())  # an HTML block's next line, however indented
    return (
        quotes > 0
        and not any(p.match(t) for t in (head, rest) for p in (_OWN_LINE, _NEW_BLOCK, _FENCE_OPEN))
        and bool(head.strip())
        and bool(rest.strip())
        and not rest.startswith(" ")
    )


_PROTECTED = re.compile(
    r"(?<!`)(?P<ticks>`+)(?!`).*?(?<!`)(?P=ticks)(?!`)"  # code span
    # link destination (a backslash escapes a parenthesis there too)
    + r"|\]\((?:\\\S|[^()\s\\]|\((?:\\\S|[^()\s\\])*\))*(?:\s+\"[^\"\n]*\")?\)"
    + r"|<[A-Za-z][A-Za-z0-9.+-]{1,31}:[^<>\s]*>"  # autolink
    + r"|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"  # HTML tag
    + r"|\\.",  # backslash escape
    re.S,
)


# The same spans, with a code span's closing run looked up rather than searched for:
# ``.*?`` ran to the end of the text from every backtick run that never closes. A bare
# URL, which a GFM reader makes a link, is literal too.
_PROTECTED_OR_TICKS = re.compile(
    r"(?<!`)(?P<ticks>`+)(?!`)|(?P<bare>(?<![^\s*_~(])(?:https?://|www\.)(?:[^\s<\\]|\\(?!\n))+)|"
    + _PROTECTED.pattern.split("|", 1)[1],
    re.S,
)


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges whose content is literal (not emphasis markup)."""
    if "`" not in text and "http" not in text and "www." not in text:
        return [m.span() for m in _PROTECTED.finditer(text)]
    from .gfm import autolink_end

    runs: dict[int, list[int]] = {}  # backtick run length -> where such runs start
    for run in re.finditer(r"`+", text):
        runs.setdefault(run.end() - run.start(), []).append(run.start())
    out: list[tuple[int, int]] = []
    pos = 0
    while True:
        m = _PROTECTED_OR_TICKS.search(text, pos)
        if not m:
            return out
        if m.group("ticks"):
            size = m.end() - m.start()
            starts = runs[size]
            k = bisect.bisect_right(starts, m.start())
            if k < len(starts):  # the next run of the same length closes the span
                out.append((m.start(), starts[k] + size))
                pos = starts[k] + size
            else:
                pos = m.end()  # never closed: the backticks are literal
            continue
        if m.group("bare"):
            end = autolink_end(m.group("bare"))
            if end is None:  # no domain: not a link, read on after its start
                pos = m.start() + 1
                continue
            out.append((m.start(), m.start() + end))
            pos = m.start() + end
            continue
        out.append(m.span())
        pos = m.end()


def in_spans(pos: int, spans: list[tuple[int, int]]) -> bool:
    """Is ``pos`` inside one of ``spans`` (sorted, not overlapping)?"""
    k = bisect.bisect_right(spans, (pos, float("inf")))
    return k > 0 and pos < spans[k - 1][1]


#: CJK ideographs, their punctuation and full-width forms
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_CODE_CHARS = re.compile(r"[{};=<>$]|^\s*(?://|#include|def |class |return\b)", re.M)


def is_cjk_prose(text: str) -> bool:
    """Mostly CJK and nothing that looks like code: prose, even when indented."""
    letters = [ch for ch in text if not ch.isspace()]
    if not letters:
        return False
    return len(CJK.findall(text)) / len(letters) >= 0.3 and not _CODE_CHARS.search(text)


_BLOCK_TAGS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|"
    "dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h1|h2|h3|h4|h5|"
    "h6|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|"
    "option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul"
)
_HTML_BLOCK_START = re.compile(
    r"^ {0,3}(?:<(?:script|pre|style|textarea)(?:\s|>|$)|<!--|<\?|<![A-Za-z]|<!\[CDATA\["
    r"|</?(?:" + _BLOCK_TAGS + r")(?:\s|/?>|$)"
    r"|(?:<[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)\s*$)",
    re.I,
)


# an HTML block that runs to a blank line: CommonMark's kind 6 (a block tag, which
# ends a paragraph) and kind 7 (a whole tag alone on its line, which does not); a
# fence, a list marker or an indent inside it is its text (``<div>`` over ````` ``` `````)
HTML_BLOCK_TAG = re.compile(r" {0,3}</?(?:" + _BLOCK_TAGS + r")(?:[ \t]|/?>|$)", re.I)
HTML_WHOLE_TAG = re.compile(
    r" {0,3}(?!<(?:script|pre|style|textarea)(?:\s|>|$))"
    r"(?:<[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)\s*$",
    re.I,
)


def is_html_block_start(line: str) -> bool:
    """Does this line open an HTML block (CommonMark's seven kinds)?"""
    return bool(_HTML_BLOCK_START.match(line))


_BLOCK_OPENER = re.compile(
    r"^( {0,3})(?:(?P<mark>#{1,6}(?=[ \t]|$)|>|[-+*](?=[ \t]|$)|`{3}|~{3}|<|\[(?=[^\]]*\]:)"
    r"|[-*_=](?=(?:[ \t]*[-*_=]){2,}[ \t]*$))|(?P<num>\d{1,9})(?=[.)](?:[ \t]|$)))"
)


_CONTAINER = re.compile(r"^(?: {0,3}(?:>|[-+*]|\d{1,9}[.)])[ \t]+)+")


def escape_block_start(line: str, inside: bool = True) -> str:
    """A line that text was taken from the front of must not turn into block syntax
    (inside a list item or quote too: ``- [^1]: x``, unless ``inside`` is false)."""
    c = _CONTAINER.match(line) if inside else None
    if c and c.end() < len(line):
        return line[: c.end()] + escape_block_start(line[c.end() :])
    m = _BLOCK_OPENER.match(line)
    if not m:
        return line
    if m.group("num"):
        end = m.end("num")
        return line[:end] + "\\" + line[end:]
    if m.group("mark").startswith("["):
        # "[a]:" -> "\\[a\\]:": with the "[" alone escaped, a "[" left open on a line
        # above would end at this "]" and make a definition of both lines
        close = line.index("]:", m.end(1))
        return m.group(1) + "\\" + line[m.end(1) : close] + "\\" + line[close:]
    return m.group(1) + "\\" + line[m.end(1) :]


def keep_block_role(old: str, new: str) -> str:
    """``new`` edited from ``old``: when the edit reached the line's front, make sure
    it did not turn the line into block syntax (``&nbsp;[^1]: x`` is no definition)."""
    if new == old:
        return new
    cn, co = _CONTAINER.match(new), _CONTAINER.match(old)
    if cn and not co:
        return escape_block_start(new, inside=False)  # the edit made a list item or quote
    if cn and co and cn.end() > co.end() and new[: co.end()] == old[: co.end()]:
        k = co.end()  # ...or one more inside the item: "- **1. " lost its "**"
        return new[:k] + escape_block_start(new[k:], inside=False)
    if _BLOCK_OPENER.match(_CONTAINER.sub("", old)):
        return new
    indent = new[: len(new) - len(new.lstrip(" \t"))]
    if len(indent.expandtabs(4)) >= 4 and not old.startswith(("    ", "\t")):
        new = new.lstrip(" \t")  # the edit must not make an indented code block either
        if _CONTAINER.match(new) and not co:
            return escape_block_start(new, inside=False)  # nor, unindented, a list item
    return escape_block_start(new) if _BLOCK_OPENER.match(_CONTAINER.sub("", new)) else new


def join_apart(pieces: list[str]) -> str:
    """The pieces of a text that a repair cut apart, joined. Where a join would make
    markup that no reader saw before, the bracket is escaped: ``]`` before ``(`` or
    ``[`` (the end of a link's text), ``<`` before a letter, ``/``, ``!`` or ``?`` (a tag)."""
    out: list[str] = []
    last = -1  # the last piece with text
    for piece in pieces:
        if not piece:
            continue
        if last >= 0:
            prev = out[last]
            end = prev[-1]
            escaped = (len(prev) - 1 - len(prev[:-1].rstrip("\\"))) % 2 == 1
            if not escaped and (
                (end == "]" and piece[0] in "([")
                or (end == "<" and (piece[0].isalpha() or piece[0] in "/!?"))
            ):
                out[last] = prev[:-1] + "\\" + end
            else:
                # "<r" and ">": a tag's name on one side, its end on the other
                opened = _TAG_HEAD.search(prev)
                if (
                    opened
                    and _TAG.match(prev[opened.start() :] + piece[:200])
                    and not _TAG.match(prev[opened.start() :])
                ):
                    out[last] = prev[: opened.start()] + "\\" + prev[opened.start() :]
        out.append(piece)
        last = len(out) - 1
    return "".join(out)


# (a closing tag's "</" may stand alone, its name on the other side)
_TAG_HEAD = re.compile(r"(?<!\\)(?:</?[A-Za-z][A-Za-z0-9-]*|</)$")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
