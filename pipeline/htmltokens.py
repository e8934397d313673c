"""Raw HTML as a browser reads it, with where each tag stands in the source.

What a browser takes for a tag decides what is active in a page, so the tags are
found by html5lib, which implements the WHATWG tokenizer *and* the tree builder
that switches it into script, raw-text and RCDATA modes (``<script>``, ``<style>``,
``<textarea>``, ``<noscript>`` with scripting on). A simpler reader disagrees with
browsers exactly where an attacker hides markup: ``<!-- x --!><img onerror=…>``
ends the comment for a browser but not for Python's ``html.parser``, and
``<noscript><p title="</noscript><img onerror=…>">`` holds a live image only for a
reader that knows noscript is raw text. lxml's parser (libxml2's HTML 4 reader)
gives no source offsets and differs the same way.

Each tag comes with its span in the source, so that a caller can cut what it
removes and leave every other byte as written. Attribute spans inside a start tag
follow the tokenizer's attribute states; they are checked against html5lib's own
attribute list.
"""

from __future__ import annotations

import bisect
import gc
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from html5lib import html5parser
from html5lib._tokenizer import HTMLTokenizer
from html5lib.constants import EOF, asciiLetters, asciiUpper2Lower, spaceCharacters, tokenTypes
from html5lib.treebuilders import getTreeBuilder

from .htmlstacks import HTML, RESET_MODES, RESET_NAMES, ActiveFormatting, OpenElements

if TYPE_CHECKING:
    from html5lib._tokenizer import _Token

START, END, COMMENT, DOCTYPE = (tokenTypes[k] for k in ("StartTag", "EndTag", "Comment", "Doctype"))
_PARSE_ERROR = tokenTypes["ParseError"]
OPEN = "open"
_EOF_IN_TAG = frozenset(
    {
        "eof-in-tag-name",
        "eof-in-attribute-name",
        "eof-in-attribute-value-double-quote",
        "eof-in-attribute-value-no-quotes",
        "eof-in-attribute-value-single-quote",
        "expected-attribute-name-but-got-eof",
        "expected-attribute-value-but-got-eof",
        "expected-end-of-tag-but-got-eof",
        "unexpected-EOF-after-attribute-value",
        "unexpected-EOF-after-solidus-in-tag",
    }
)
_SPACE = "\t\n\f\r "
#: attribute names as the tokenizer stores them: ASCII lower case, NUL as U+FFFD
_NAME_FOLD: dict[int, int | str] = {**{c: c + 32 for c in range(65, 91)}, 0: "\ufffd"}


@dataclass
class Attribute:
    """One attribute as written: its name (lower case), the span to cut to remove it
    (from the end of what precedes it), and its value as written."""

    name: str
    cut_start: int
    end: int
    raw_value: str | None


@dataclass
class Tag:
    """A tag, comment or doctype as the browser's tokenizer reads it."""

    kind: str  # "start", "end", "comment", "doctype"; "open": a tag the text ends in
    name: str  # lower-case tag name ("" for comments)
    start: int  # span in the source
    end: int
    #: attribute values decoded as a browser decodes them; the first of two
    #: attributes with one name wins, as in a browser
    attrs: dict[str, str] = field(default_factory=dict)
    self_closing: bool = False

    def source(self, text: str) -> str:
        return text[self.start : self.end]


class _PositionedTokenizer(HTMLTokenizer):
    """html5lib's tokenizer, remembering where each tag it hands out starts and ends.

    A tag starts where a state that reads text takes a ``<`` into one of the
    "less-than sign" states (each of those steps reads that one character), and
    ends where the tokenizer stands once it hands the tag out. The loop is
    html5lib's own, with the two positions noted."""

    _OPENING = frozenset(
        {
            "tagOpenState",
            "rcdataLessThanSignState",
            "rawtextLessThanSignState",
            "scriptDataLessThanSignState",
            "scriptDataEscapedLessThanSignState",
            "scriptDataDoubleEscapedLessThanSignState",
        }
    )

    def __init__(self, stream: Any, parser: Any = None, **kwargs: Any) -> None:
        super().__init__(stream, parser=parser, **kwargs)
        #: (token type or OPEN, name, attributes, self-closing, start, end)
        self.found: list[tuple[int | str, str, dict[str, str], bool, tuple[int, int], tuple[int, int]]] = []
        self._counted: tuple[str, int, int, int] | None = None

    def __iter__(self) -> Iterator[_Token]:
        self.tokenQueue = deque()
        opened = (1, 0)
        opening = self._opening_steps
        while True:
            stream = self.stream
            here = (stream.chunk, stream.chunkOffset, stream.prevNumLines, stream.prevNumCols)
            if not self.state():
                break
            if getattr(self.state, "__func__", None) in opening:
                opened = self._where(*here)
            while self.stream.errors:
                yield {"type": _PARSE_ERROR, "data": self.stream.errors.pop(0)}
            while self.tokenQueue:
                token = self.tokenQueue.popleft()
                kind = token["type"]
                if kind == _PARSE_ERROR and token.get("data") in _EOF_IN_TAG:
                    # a tag the input ends inside: the tokenizer drops it, a browser
                    # reading on (into what a renderer writes next) would not
                    end = self._where(
                        stream.chunk, stream.chunkOffset, stream.prevNumLines, stream.prevNumCols
                    )
                    self.found.append((OPEN, token.get("name") or "", {}, False, opened, end))
                if kind in (START, END, COMMENT, DOCTYPE):
                    # a start tag's data is its attributes, a dict once the tag is emitted
                    attrs = dict(cast(Any, token.get("data")) or {}) if kind == START else {}
                    end = self._where(
                        stream.chunk, stream.chunkOffset, stream.prevNumLines, stream.prevNumCols
                    )
                    self.found.append(
                        (kind, token.get("name") or "", attrs, bool(token.get("selfClosing")), opened, end)
                    )
                yield token

    def attributeNameState(self) -> bool:
        """html5lib's own step, without its report of a repeated attribute name: that
        report (a parse error, nothing more) compares each name with every earlier one,
        so a tag of many attributes took quadratic time. A repeated name is still
        dropped when the tag is emitted, as in a browser."""
        data = self.stream.char()
        token = self.currentToken
        assert token is not None  # a start tag is being read
        # a start tag's data is a list of [name, value] while it is read (the stubs say str)
        name = cast(list[str], token["data"][-1])
        leaving = True
        if data == "=":
            self.state = self.beforeAttributeValueState
        elif data in asciiLetters:
            name[0] += data + self.stream.charsUntil(asciiLetters, True)
            leaving = False
        elif data == ">":
            name[0] = name[0].translate(asciiUpper2Lower)
            self.emitCurrentToken()
            return True
        elif data in spaceCharacters:
            self.state = self.afterAttributeNameState
        elif data == "/":
            self.state = self.selfClosingStartTagState
        elif data == "\u0000":
            self.tokenQueue.append({"type": _PARSE_ERROR, "data": "invalid-codepoint"})
            name[0] += "\ufffd"
            leaving = False
        elif data in ("'", '"', "<"):
            self.tokenQueue.append({"type": _PARSE_ERROR, "data": "invalid-character-in-attribute-name"})
            name[0] += data
            leaving = False
        elif data is EOF:
            self.tokenQueue.append({"type": _PARSE_ERROR, "data": "eof-in-attribute-name"})
            self.state = self.dataState
        else:
            name[0] += data
            leaving = False
        if leaving:
            name[0] = name[0].translate(asciiUpper2Lower)
        return True

    def _where(self, chunk: str, offset: int, lines: int, cols: int) -> tuple[int, int]:
        """(line, column) as html5lib's input stream computes it, from a saved state;
        newlines are counted from the last position asked for in the same chunk, so
        that a long chunk is not counted again for every tag."""
        cached = self._counted
        if cached is not None and cached[0] is chunk and cached[1] <= offset:
            newlines = cached[2] + chunk.count("\n", cached[1], offset)
            found = chunk.rfind("\n", cached[1], offset)
            last = found if found != -1 else cached[3]
        else:
            newlines = chunk.count("\n", 0, offset)
            last = chunk.rfind("\n", 0, offset)
        self._counted = (chunk, offset, newlines, last)
        col = cols + offset if last == -1 else offset - (last + 1)
        return lines + newlines + 1, col

    @property
    def _opening_steps(self) -> frozenset[object]:
        return frozenset(getattr(HTMLTokenizer, name) for name in self._OPENING)


_EtreeBuilder = getTreeBuilder("etree")


class _StructureOnly(_EtreeBuilder):  # type: ignore[misc, valid-type]  # a class html5lib makes at run time
    """The tree builder without text: the modes it switches the tokenizer into depend
    on the elements, never on the text, and joining text is what costs. Its two lists
    answer its questions without walking them (``htmlstacks``)."""

    def reset(self) -> None:
        super().reset()
        self.openElements = OpenElements()
        self.activeFormattingElements = ActiveFormatting()

    def insertText(self, data: str, parent: Any = None) -> None:
        return None

    def elementInScope(self, target: Any, variant: str | None = None) -> bool:
        if isinstance(target, str):
            target = (HTML, target)
        return self.openElements.in_scope(target, variant)

    def elementInActiveFormattingElements(self, name: str) -> Any:
        return self.activeFormattingElements.last_named(name)


class _Parser(html5parser.HTMLParser):
    """html5lib's parser with the positioned tokenizer (same steps as its ``_parse``)."""

    tokenizer: _PositionedTokenizer

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(tree=_StructureOnly, **kwargs)
        in_body = self.phases["inBody"]

        class InBody(type(in_body)):  # type: ignore[misc]
            def addFormattingElement(self, token: dict[str, Any]) -> None:
                # the list's own append applies the "Noah's Ark" clause, which
                # html5lib's step checks first by walking the list
                self.tree.insertElement(token)
                self.tree.activeFormattingElements.append(self.tree.openElements[-1])

        self.phases["inBody"] = InBody(self, self.tree)

    def _parse(
        self,
        stream: Any,
        innerHTML: bool = False,
        container: str = "div",
        scripting: bool = False,
        **kwargs: Any,
    ) -> None:
        self.innerHTMLMode = innerHTML
        self.container = container
        self.scripting = scripting
        self.tokenizer = _PositionedTokenizer(stream, parser=self, **kwargs)
        self.reset()
        self.mainLoop()

    def resetInsertionMode(self) -> None:
        """html5lib's step without its walk down the stack: the mode of the highest
        HTML element that sets one, or of the fragment's container."""
        top = self.tree.openElements.topmost(RESET_NAMES)
        name = top.name if top is not None else self.innerHTML
        self.phase = self.phases[RESET_MODES.get(name, "inBody")]


_KINDS = {START: "start", END: "end", COMMENT: "comment", DOCTYPE: "doctype", OPEN: "open"}


def tokenize(text: str, scripting: bool = True) -> list[Tag]:
    """Every tag, comment and doctype of ``text`` (an HTML fragment inside a page's
    body), in order, with its span. With ``scripting`` (a browser's default), the
    inside of ``<noscript>`` is text; without, it is markup."""
    if "<" not in text:
        return []
    # html5lib reads CR LF as one character: keep one character per character
    source = text.replace("\r", "\n")
    starts = [0]
    pos = source.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = source.find("\n", pos + 1)

    def offset(position: tuple[int, int]) -> int:
        line, col = position
        return starts[line - 1] + col

    parser = _Parser(namespaceHTMLElements=False)
    # the tree's nodes point to their parents: the cyclic collector, run again and
    # again while the tree grows, walks it whole each time and frees nothing
    collecting = gc.isenabled()
    gc.disable()
    try:
        parser.parseFragment(source, container="div", scripting=scripting)
    finally:
        if collecting:
            gc.enable()
    tags: list[Tag] = []
    for kind, name, attrs, closing, begin, finish in parser.tokenizer.found:
        start, end = offset(begin), offset(finish)
        tags.append(Tag(_KINDS[kind], name, start, end, attrs, closing))
    return tags


def attribute_spans(text: str, tag: Tag) -> list[Attribute] | None:
    """The attributes of a start tag as written, with the span that removes each.

    Follows the tokenizer's states (before name, name, after name, before value,
    quoted or unquoted value). None if the result does not name the attributes
    html5lib found (then a caller rewrites the tag instead of cutting it).
    """
    s = text[tag.start : tag.end]
    i, n = 1, len(s)
    while i < n and s[i] not in _SPACE + "/>":  # the tag name
        i += 1
    found: list[Attribute] = []
    prev_end = i
    while i < n:
        c = s[i]
        if c in _SPACE or c == "/":
            i += 1
            continue
        if c == ">":
            break
        name_start = i
        i += 1  # the first character may be "=" (a parse error, but part of the name)
        while i < n and s[i] not in _SPACE + "/>=":
            i += 1
        name = s[name_start:i].translate(_NAME_FOLD)
        j = i
        while j < n and s[j] in _SPACE:
            j += 1
        value: str | None = None
        if j < n and s[j] == "=":
            j += 1
            while j < n and s[j] in _SPACE:
                j += 1
            if j < n and s[j] in "\"'":
                q = s[j]
                close = s.find(q, j + 1)
                close = n if close < 0 else close + 1
                value, i = s[j + 1 : close - 1], close
            elif j < n and s[j] != ">":
                k = j
                while k < n and s[k] not in _SPACE + ">":
                    k += 1
                value, i = s[j:k], k
            else:
                value, i = "", j
        # the separator before it goes too, unless the next attribute follows with
        # none of its own (after a quoted value): then it needs this one
        follows = s[i] if i < n else ">"
        cut = prev_end if follows in _SPACE + "/>" else name_start
        found.append(Attribute(name, tag.start + cut, tag.start + i, value))
        prev_end = i
    seen: list[str] = []
    for a in found:
        if a.name not in seen:
            seen.append(a.name)
    if seen != list(tag.attrs):
        return None
    return found


def line_of(text: str, offset: int) -> int:
    """0-based line of ``offset`` in ``text``."""
    return text.count("\n", 0, offset)


def locate(offsets: list[int], position: int) -> int:
    """Index of the piece (by start offsets, ascending) that holds ``position``."""
    return bisect.bisect_right(offsets, position) - 1
