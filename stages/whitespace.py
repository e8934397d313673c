"""Normalize invisible and odd space characters that scraping leaves in text.

Before (shown with escapes)::

    ●\\u00a0
    \\u3000\\u3000那是2021年1月15日\\u200b，

After::

    ●
    那是2021年1月15日，

No-break spaces become plain spaces; zero-width spaces, joiners outside emoji,
word joiners, soft hyphens and stray byte-order marks go; runs of ideographic
spaces (U+3000) that indent a line go, and inside a line they become one space.
Code (fenced or indented, at any depth) is left alone, except that its no-break
spaces become spaces; code spans and link destinations are left alone.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.codelines import code_spans
from pipeline.repairs import LineEdit, LineRepair

_ZERO_WIDTH = re.compile(r"[\u200b\u2060\ufeff\u00ad\u200e\u200f]")
# A joiner between two pictographs builds one emoji (👨‍👩‍👧): keep those.
_ZWJ = re.compile(
    r"(?<![\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F])[\u200c\u200d]"
    r"|[\u200c\u200d](?![\U0001F000-\U0001FAFF\u2600-\u27BF])"
)
_NBSP = re.compile(r"[\u00a0\u2007\u202f]")
_NBSP_ENTITY = re.compile(r"&nbsp;|&#160;|&#x[aA]0;")
#: a character (or entity) any of the patterns above acts on: a text or line with none
#: is left as it is, and is not looked at line by line
_ANY = re.compile(
    r"[\u200b\u2060\ufeff\u00ad\u200e\u200f\u200c\u200d\u00a0\u2007\u202f]|&nbsp;|&#160;|&#x[aA]0;"
)
# an inline link's destination: <...>, or up to an ASCII space or the closing parenthesis
# (one the line ends in, with no ")" or title after it, ends no link: "](a&nbsp;" is text)
_DESTINATION = re.compile(r"\]\((<[^<>\n]*>|[^ \t()<]*(?:\([^ \t()]*\)[^ \t()]*)*)(?=[ \t)])")


class Whitespace(LineRepair):
    """Normalize no-break and zero-width spaces, soft hyphens and stray BOMs."""

    name = "whitespace"
    priority = 200
    scope = "text"
    defaults = {"nbsp_entities": True}
    # code copied from a page holds no-break spaces that break it when pasted
    restructures = frozenset({"nbsp_in_code"})

    def wants_text(self, text: str) -> bool:
        return _ANY.search(text) is not None

    def wants_line(self, line: str) -> bool:
        return _ANY.search(line) is not None

    def survey(self, text: str, lines: list[str], code: list[bool]) -> Any:
        """Where the code spans are, line by line."""
        return code_spans(lines, code)[0] if "`" in text else {}

    def repair_code_line(self, line: str, edit: LineEdit) -> str:
        edit.kind("nbsp_in_code")
        return _NBSP.sub(" ", line)

    def repair_line(self, line: str, edit: LineEdit) -> str:
        kept = _kept_ranges(line, edit.survey.get(edit.index, ()))
        # a code span's characters are the code's, a link's target is its own
        new = self._clean_outside(line, kept) if kept else self.clean_line(line)
        if new != line:
            for kind in _kinds(line):
                edit.kind(kind)
        return new

    def _clean_outside(self, line: str, ranges: list[tuple[int, int]]) -> str:
        out: list[str] = []
        pos = 0
        for start, end in ranges:
            if end <= pos:
                continue  # inside the range before (a code span in a link target)
            start = max(start, pos)
            out.append(self.clean_line(line[pos:start]))
            out.append(line[start:end])
            pos = end
        out.append(self.clean_line(line[pos:]))
        return "".join(out)

    def clean_line(self, line: str) -> str:
        if self.options["nbsp_entities"] and "&" in line:
            line = _NBSP_ENTITY.sub(" ", line)
        line = _ZERO_WIDTH_RUN.sub(_drop_invisible, line)
        line = _ZWJ.sub(_drop_invisible, line)
        line = _NBSP.sub(" ", line)
        return line


_ZERO_WIDTH_RUN = re.compile(r"[\u200b\u2060\ufeff\u00ad\u200e\u200f]+")


def _drop_invisible(m: re.Match[str]) -> str:
    """An invisible character goes, unless it keeps markup from forming: ``]​(x)`` and
    ``<​j>`` are text, ``](x)`` a link and ``<j>`` a tag."""
    before, after = m.string[m.start() - 1 : m.start()], m.string[m.end() : m.end() + 1]
    if (before == "]" and after == "(") or (before == "<" and (after.isalpha() or after in "/!?")):
        return m.group(0)
    return ""


def _kept_ranges(line: str, code: list[tuple[int, int]] | tuple[()]) -> list[tuple[int, int]]:
    """Code spans, and link destinations: a no-break space there is part of the
    address (a plain space would end it, and the link with it)."""
    if "](" not in line:
        return list(code)
    dests = [m.span(1) for m in _DESTINATION.finditer(line) if not any(a <= m.start() < b for a, b in code)]
    return sorted(list(code) + dests)


def _kinds(line: str) -> list[str]:
    kinds = []
    if _NBSP.search(line) or _NBSP_ENTITY.search(line):
        kinds.append("nbsp")
    if _ZERO_WIDTH.search(line) or _ZWJ.search(line):
        kinds.append("zero_width")
    return kinds or ["whitespace"]
