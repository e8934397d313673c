"""Writer ``md``: CommonMark with YAML front matter, rendered from the shared tree.

The output is canonical: ATX headings, fenced code, ``-``/``1.`` lists, ``*`` and
``**`` emphasis, inline links, backslash hard breaks, one blank line between
blocks. Text is escaped only where a character could otherwise start markup, so
that any CommonMark reader renders the same HTML as the tree describes.
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..document import Document
from ..ends import common_ends
from ..gfm import delimiter_aligns
from ..headingspace import spaced_headings
from ..tree import ENTITY, merge_text, walk
from ..writer import Capabilities, Writer
from .frontmatter import dump_front_matter
from .present import table_parts
from .visitor import TreeVisitor

Token = dict[str, Any]

ASCII_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_LINE_START_BLOCK = re.compile(
    r"(?P<hash>#{1,6}(?=[ \t]|$))"
    r"|(?P<quote>>)"
    r"|(?P<bullet>[-+*](?=[ \t]|$))"
    r"|(?P<ordered>\d{1,9}(?P<odelim>[.)])(?=[ \t]|$))"
    r"|(?P<setext>(?:=+|-+)[ \t]*$)"
    r"|(?P<rule>(?P<rule_char>[-*_])(?:[ \t]*(?P=rule_char)){2,}[ \t]*$)"
    r"|(?P<fence>~~~)"
)


#: text without any of these is written as it is
_MAY_ESCAPE = re.compile(r"[\\`\[\]*_<~&\n!@]|https?://|www\.", re.I)
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")
#: the characters escape_text may write otherwise (as well as where a bare link starts)
_ESCAPABLE = re.compile(r"[\\`\[\]*_<~&\n!]")
_BARE_EMAIL_AT = re.compile(r"(?<=[A-Za-z0-9.+_-])@(?=[A-Za-z0-9_-]+\.[A-Za-z0-9_-])")
_BARE_LINK_START = re.compile(r"(?<![A-Za-z0-9])(?:https?(?=://)|www(?=\.))", re.I)


def _is_punct(ch: str) -> bool:
    import unicodedata

    return ch != "" and (ch in ASCII_PUNCT or unicodedata.category(ch).startswith(("P", "S")))


def escape_text(
    s: str,
    in_table: bool = False,
    strict: bool = True,
    in_link: bool = False,
    bare_starts: bool | None = None,
) -> str:
    """Escape characters of plain text that could start inline markup.

    Not ``strict``: tildes, brackets (but a ``]`` before ``(`` or ``[``: the end of a
    link's text to a reader counting text) and a final ``!`` are left as they are, and
    where a bare link would start too unless ``bare_starts``; the caller checks
    that the result reads back as the same tree (see Blocks.verified).
    """
    if not _MAY_ESCAPE.search(s):
        return s
    out: list[str] = []
    n = len(s)
    # where a GFM reader would start a bare link ("http://", "www."): escaped, it is text
    bare = (
        {m.end() for m in _BARE_LINK_START.finditer(s)} | {m.start() for m in _BARE_EMAIL_AT.finditer(s)}
        if (strict if bare_starts is None else bare_starts) and not in_link
        else set()
    )
    # only these characters and the bare starts can be written otherwise: the text
    # between them goes as it is, in one piece
    places = [m.start() for m in _ESCAPABLE.finditer(s)]
    if bare:
        places = sorted(bare.union(places))
    done = 0
    for i in places:
        if i > done:
            out.append(s[done:i])
        done = i + 1
        ch = s[i]
        prev = s[i - 1] if i else ""
        nxt = s[i + 1] if i + 1 < n else ""
        if i in bare:
            out.append("\\" + ch)
            continue
        if ch == "\\":
            if nxt == "" or nxt in ASCII_PUNCT or nxt == "\n":
                out.append("\\\\")
                continue
        elif ch == "`" or (
            ch in "[]"
            and (
                strict
                or (ch == "[" and nxt == "^")
                or (ch == "]" and nxt in ("(", "["))
                # "![[a]]" is an embed to a cleaning pass (broken_links makes it an image)
                or (ch == "[" and nxt == "[" and prev == "!")
            )
        ):
            out.append("\\" + ch)
            continue
        elif ch == "*":
            if not (prev and nxt and prev.isspace() and nxt.isspace()):
                out.append("\\*")
                continue
        elif ch == "_":
            if not (
                prev and nxt and ((prev.isalnum() and nxt.isalnum()) or (prev.isspace() and nxt.isspace()))
            ):
                out.append("\\_")
                continue
        elif ch == "<":
            after = s[i + 2 : i + 3]
            # "</" opens a closing tag only before a letter: "{{</ notice >}}" is text
            if nxt == "" or nxt.isalpha() or nxt in "!?" or (nxt == "/" and (after == "" or after.isalpha())):
                out.append("\\<")
                continue
        elif ch == "~":
            if strict:
                out.append("\\~")
                continue
        elif ch == "&":
            ref = ENTITY.match(s, i)
            if ref and (ref.group(0)[1] == "#" or ref.group(0)[1:] in html.entities.html5):
                # literal text that would read as a reference
                out.append("&amp;")
                continue
        elif ch == "\n":  # a newline inside text (from "&#10;"), not a line break
            out.append("&#10;")
            continue
        elif ch == "!" and nxt == "" and strict:
            # could precede a link and make it an image; harmless otherwise
            out.append("\\!")
            continue
        out.append(ch)
    out.append(s[done:])
    return "".join(out)


def escape_line_start(line: str) -> str:
    """Escape a rendered line's start where it would open a block construct."""
    stripped = line.lstrip(" \t")
    m = _LINE_START_BLOCK.match(stripped)
    if not m:
        return line
    if m.group("ordered"):
        pos = m.start("odelim")
        return stripped[:pos] + "\\" + stripped[pos:]
    return "\\" + stripped


_BREAKS = ("softbreak", "linebreak")
_EDGE_NESTED = ("emphasis", "strong", "strikethrough")
#: text that reads as a link reference definition's label, leniently (not a footnote's)
_DEFINITION_LIKE = re.compile(r"\[(?!\^[^\]\n])[^\]\n]+\]:")
#: a line that starts an HTML block that can interrupt a paragraph (types 1 to 6)
_HTML_BLOCK_START = re.compile(
    r" {0,3}(?:<(?:script|pre|style|textarea)(?:[ \t>]|$)|<!--|<\?|<![A-Za-z]|<!\[CDATA\[|"
    r"</?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|"
    r"details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|"
    r"h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|"
    r"optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|"
    r"track|ul)(?:[ \t>]|/>|$))",
    re.I,
)


def _without_edge_breaks(children: list[Token] | None) -> list[Token]:
    """Line breaks left where a stage removed something (at a paragraph's start or end,
    or two in a row) have no Markdown form: the edges' are dropped by readers, and two
    in a row would read as a paragraph break. They are written once, where they can be."""
    kids = _single_breaks(merge_text(_hoisted_breaks(children or [])))
    while kids and kids[-1]["type"] in _BREAKS:
        kids.pop()
    while kids and kids[0]["type"] in _BREAKS:
        kids.pop(0)
    return kids


def _hoisted_breaks(children: list[Token]) -> list[Token]:
    """A line break at the edge of an emphasis (what a stage removed stood after it:
    "*a\n[]()*") goes outside it: a marker after a line's end (or before one) could
    not close (or open), and the blanks beside the break go with it."""
    out: list[Token] = []
    moved = False
    for tok in children:
        kids = tok.get("children")
        if tok["type"] not in _EDGE_NESTED or not kids:
            out.append(tok)
            continue
        inner = _hoisted_breaks(kids)
        lead: list[Token] = []
        trail: list[Token] = []
        while inner and inner[0]["type"] in _BREAKS:
            lead.append(inner.pop(0))
        while inner and inner[-1]["type"] in _BREAKS:
            trail.insert(0, inner.pop())
        if inner is not kids:
            tok = {**tok, "children": inner}
        moved |= bool(lead or trail)
        out += lead + ([tok] if inner else []) + trail
    if not moved:
        return out if any(a is not b for a, b in zip(out, children, strict=True)) else children
    out = merge_text(out)
    for k, tok in enumerate(out):
        if tok["type"] != "text":
            continue
        if k and out[k - 1]["type"] in _BREAKS:
            tok = out[k] = {**tok, "raw": tok["raw"].lstrip(" \t")}
        if k + 1 < len(out) and out[k + 1]["type"] in _BREAKS:
            out[k] = {**tok, "raw": tok["raw"].rstrip(" \t")}
    return [t for t in out if t["type"] != "text" or t["raw"]]


def _single_breaks(tokens: list[Token]) -> list[Token]:
    """Two line breaks in a row (a stage removed what stood between them) as one."""
    kids: list[Token] = []
    for tok in tokens:
        if (
            tok["type"] in _BREAKS
            and kids
            and kids[-1]["type"] == "text"
            and not kids[-1]["raw"].strip()
            and len(kids) > 1
            and kids[-2]["type"] in _BREAKS
        ):
            kids.pop()  # blanks between two breaks
        if tok["type"] in _BREAKS and kids and kids[-1]["type"] in _BREAKS:
            if tok["type"] == "linebreak":
                kids[-1] = tok  # a hard break wins over a soft one
            continue
        kids.append(tok)
    return kids


def _refs(ws: str) -> str:
    return "".join(f"&#{ord(c)};" for c in ws)


def _protect_edge_space(text: str, at_start: bool, at_end: bool) -> str:
    """Whitespace at a line's edges is stripped by readers; keep it as references."""
    if at_start:
        core = text.lstrip()
        text = _refs(text[: len(text) - len(core)]) + core
    if at_end:
        core = text.rstrip()
        tail = _refs(text[len(core) :])
        if tail and (len(core) - len(core.rstrip("\\"))) % 2:
            core += "\\"  # the backslash would escape the "&" of the reference
        text = core + tail
    return text


def _letter(ch: str) -> bool:
    return ch != "" and not ch.isspace() and not _is_punct(ch)


def _first_char(tok: Token) -> str:
    """The first character a token renders to, near enough for flanking rules."""
    t = tok["type"]
    if t == "text":
        raw: str = tok.get("raw", "")
        return raw[:1]
    if t in _BREAKS:
        return "\n"
    return "*"  # every other inline token starts with a punctuation mark


_REF_AT_END = re.compile(r"&#?\w+;$")


def _punct_prefix(core: str) -> int:
    k = 0
    while k < len(core) and _is_punct(core[k]):
        if core[k] == "&" and re.match(r"&#?\w+;", core[k:]):
            break  # a character reference is one character: leave it whole
        k += 1
    return k


def _punct_suffix(core: str) -> int:
    k = 0
    while k < len(core) and _is_punct(core[len(core) - 1 - k]):
        if core[len(core) - 1 - k] == ";" and _REF_AT_END.search(core[: len(core) - k]):
            break
        k += 1
    return k


def _touches_letter(tok: Token | None, last: bool) -> bool:
    """Does the text next to a delimiter (the end or start of ``tok``) begin with a letter?"""
    if tok is None or tok["type"] != "text":
        return False
    raw: str = tok.get("raw", "")
    ch = raw[-1:] if last else raw[:1]
    return ch.isalnum()


class Inline(TreeVisitor):
    """Renders inline tokens to CommonMark: each visit returns its token's Markdown."""

    def __init__(
        self,
        in_table: bool = False,
        assets: str | None = None,
        strict: bool = True,
        doc: Document | None = None,
        bare: bool = True,
    ):
        super().__init__(doc)
        self.in_table = in_table
        #: (not strict) bare links written bare, as they came; else in angle brackets,
        #: and text that a reader would take for one escaped
        self.bare = bare
        #: escape every character that could start markup, or (False) leave the
        #: ones whose meaning a re-read can check (tildes, brackets, bare links)
        self.strict = strict
        #: folder (relative to the output) that packaged images are linked from
        self.assets = assets
        self._underscore: set[int] = set()
        self._flatten: set[int] = set()
        self._edges: tuple[str, str] = ("", "")
        self._in_link = 0
        self._at_start = self._at_end = False

    def render(
        self,
        tokens: list[Token] | None,
        at_start: bool = True,
        at_end: bool = True,
        before: str = "",
        after: str = "",
    ) -> str:
        """``before``/``after``: the characters just outside these tokens."""
        parts: list[str] = []
        # Escaping looks at a character's neighbours: text split over tokens by an
        # earlier edit must read the same as one piece.
        tokens = merge_text(tokens or [])
        if sum(t["type"] in _BREAKS for t in tokens) > 1:
            tokens = _single_breaks(tokens)  # inside emphasis or a link too
        last = len(tokens) - 1
        prev_char = before
        # "**a***b*" reads three ways: an emphasis right after another takes "_"
        for i in range(1, len(tokens)):
            a, b = tokens[i - 1], tokens[i]
            if (
                a["type"] in ("strong", "emphasis")
                and b["type"] in ("strong", "emphasis")
                and not _touches_letter(tokens[i + 1] if i + 1 < len(tokens) else None, last=False)
                and not (i + 1 >= len(tokens) and _letter(after))
            ):
                self._underscore.add(id(b))
        if at_end and tokens and tokens[-1]["type"] in _BREAKS:
            tokens = tokens[:-1]  # a break that ends a block breaks nothing (and "\\" would stay)
            last -= 1
        for i, tok in enumerate(tokens):
            start = (at_start and i == 0) or (i > 0 and tokens[i - 1]["type"] in _BREAKS)
            end = (at_end and i == last) or (i < last and tokens[i + 1]["type"] in _BREAKS)
            self._edges = (prev_char, _first_char(tokens[i + 1]) if i < last else after)
            piece = self.token(tok, start, end)
            if piece.startswith(":") and i and tokens[i - 1]["type"] == "footnote_ref":
                piece = "\\" + piece  # "[^1]:" at a line start would define a footnote
            parts.append(piece)
            prev_char = piece[-1:] or prev_char
        return "".join(parts)

    def token(self, tok: Token, at_start: bool, at_end: bool) -> str:
        """The Markdown of one inline token (``at_start``/``at_end``: at a line's edge)."""
        self._at_start, self._at_end = at_start, at_end
        piece: str = self.dispatch_visit(tok)
        return piece

    def visit_text(self, tok: Token) -> str:
        if "written" in tok:  # the author's escape or reference, kept
            written: str = tok["written"]
            return written
        text = escape_text(
            tok.get("raw", ""), self.in_table, self.strict, self._in_link > 0, self.strict or not self.bare
        )
        if self._at_start and _DEFINITION_LIKE.match(text):
            # "[a]: b" a reader may take for a definition (a lenient one does, even where
            # CommonMark's does not: on a paragraph's later line, or with a label or
            # destination CommonMark refuses): escaped, it is text to every reader
            text = "\\" + text
        if self._at_start or self._at_end:
            text = _protect_edge_space(text, self._at_start, self._at_end)
        return text

    def visit_softbreak(self, tok: Token) -> str:
        return "\n"

    def visit_linebreak(self, tok: Token) -> str:
        return "\\\n"

    def visit_codespan(self, tok: Token) -> str:
        return code_span(tok.get("raw", ""))

    def visit_emphasis(self, tok: Token) -> str:
        if id(tok) in self._flatten:
            return self.render(tok.get("children"), False, False, *self._edges)
        return self.delimited(tok, "_" if id(tok) in self._underscore else "*")

    def visit_strong(self, tok: Token) -> str:
        if id(tok) in self._flatten:
            return self.render(tok.get("children"), False, False, *self._edges)
        return self.delimited(tok, "__" if id(tok) in self._underscore else "**")

    def visit_strikethrough(self, tok: Token) -> str:
        return self.delimited(tok, tok.get("marker") or "~~")

    def visit_link(self, tok: Token) -> str:
        return self.link(tok)

    def visit_image(self, tok: Token) -> str:
        alt = Inline(self.in_table, strict=self.strict, doc=self.doc, bare=self.bare).render(
            tok.get("children"), False, False, before="[", after="]"
        )
        attrs = tok["attrs"]
        if self.assets and attrs.get("asset"):
            attrs = {**attrs, "url": f"{self.assets}/{attrs['asset']}"}
        return "!" + link_target(alt, attrs, image=True, dest=tok.get("dest"))

    def visit_inline_html(self, tok: Token) -> str:
        raw: str = tok.get("raw", "")
        return raw

    def visit_footnote_ref(self, tok: Token) -> str:
        return f"[^{tok['attrs']['index']}]"

    def unknown_visit(self, tok: Token) -> str:
        if "children" in tok:
            return self.render(tok["children"])
        return escape_text(
            tok.get("raw", ""), self.in_table, self.strict, self._in_link > 0, self.strict or not self.bare
        )

    def delimited(self, tok: Token, mark: str) -> str:
        outside_before, outside_after = self._edges
        kids = tok.get("children") or []
        if mark in ("**", "*") and kids:
            # "***x***" reads as <em><strong> and "**x**" as strong: an emphasis at
            # the edge of a strong or an emphasis takes underscores to keep its nesting.
            # An underscore touching a letter cannot close (or open), though: then an
            # emphasis inside an emphasis, which looks the same, loses its own markers.
            for k, edge in enumerate(kids):
                if k not in (0, len(kids) - 1):
                    continue
                if edge["type"] == "strong" and mark == "**" and len(kids) > 1:
                    # "****01**_**" is read two ways: the inner bold takes "__", or,
                    # touching a letter, goes (bold inside bold looks the same)
                    after = kids[k + 1] if k + 1 < len(kids) else None
                    before = kids[k - 1] if k else None
                    if _touches_letter(before, last=True) or _touches_letter(after, last=False):
                        self._flatten.add(id(edge))
                    else:
                        self._underscore.add(id(edge))
                    continue
                if edge["type"] != "emphasis":
                    continue
                after = kids[k + 1] if k + 1 < len(kids) else None
                before = kids[k - 1] if k else None
                if _touches_letter(before, last=True) or _touches_letter(after, last=False):
                    if mark == "*":
                        self._flatten.add(id(edge))
                else:
                    self._underscore.add(id(edge))
        inner = self.render(kids, False, False, before=mark[-1], after=mark[0])
        # Whitespace just inside a delimiter stops it from opening or closing, and so
        # does punctuation just inside when a letter touches the delimiter from
        # outside (CommonMark's flanking rules): both go outside the emphasis.
        lead, core, trail = "", inner, ""
        # only text's own punctuation may move, never half of a tag or a link; the
        # markers of a nested emphasis join ours in one run and need no moving
        nested = ("emphasis", "strong", "strikethrough")
        head_movable = bool(kids) and kids[0]["type"] == "text"
        tail_movable = bool(kids) and kids[-1]["type"] == "text"
        head_nested = bool(kids) and kids[0]["type"] in nested
        tail_nested = bool(kids) and kids[-1]["type"] in nested
        while True:
            stripped = core.strip()
            if not stripped:
                lead, core = lead + core, ""
                break
            lead += core[: len(core) - len(core.lstrip())]
            trail = core[len(core.rstrip()) :] + trail
            core = stripped
            moved = False
            if core and not head_nested and _letter(lead[-1:] or outside_before) and _is_punct(core[0]):
                k = _punct_prefix(core) if head_movable else 0
                if not k:
                    return self.render(kids, False, False, outside_before, outside_after)
                lead, core, moved = lead + core[:k], core[k:], True
            if core and not tail_nested and _letter(trail[:1] or outside_after) and _is_punct(core[-1]):
                k = _punct_suffix(core) if tail_movable else 0
                if not k:
                    return self.render(kids, False, False, outside_before, outside_after)
                core, trail, moved = core[: len(core) - k], core[len(core) - k :] + trail, True
            if not moved or not core:
                break
        if not core:
            if mark in ("*", "_", "**", "__") and (lead + trail).strip(" ") == "" and lead + trail:
                return f"{mark}{_refs(lead + trail)}{mark}"  # emphasis on spaces only
            return lead + trail
        return f"{lead}{mark}{core}{mark}{trail}"

    def link(self, tok: Token) -> str:
        attrs = tok["attrs"]
        bare = tok.get("bare")
        if (
            bare
            and self.bare
            and not self.strict
            and bare.get("url") == attrs.get("url")
            and [c.get("raw") for c in tok.get("children") or ()] == [bare.get("label")]
        ):
            text: str = bare["text"]
            return text  # a GFM autolink, as it was written
        auto = tok.get("autolink")
        if (
            auto
            and auto.get("url") == attrs.get("url")
            and not attrs.get("title")
            and [(c["type"], c.get("raw")) for c in tok.get("children") or ()] == [("text", auto["raw"])]
        ):
            return f"<{auto['raw']}>"  # an autolink, as it was written
        self._in_link += 1  # no bare link is read inside a link's text
        try:
            text = self.render(tok.get("children"), False, False, before="[", after="]")
        finally:
            self._in_link -= 1
        url = attrs.get("url", "")
        plain = "".join(c.get("raw", "") for c in tok.get("children") or () if c["type"] == "text")
        if (
            not attrs.get("title")
            and "dest" not in tok
            and len(tok.get("children") or ()) == 1
            and tok["children"][0]["type"] == "text"
            and re.fullmatch(r"[A-Za-z][A-Za-z0-9.+-]{1,31}:[^<>\x00-\x20]*", url)
        ):
            if plain == url:
                return f"<{url}>"
            if url.startswith("mailto:") and plain == url[7:] and "@" in plain:
                return f"<{plain}>"
        return link_target(text, attrs, dest=tok.get("dest"))


def link_target(
    text: str, attrs: dict[str, Any], image: bool = False, dest: dict[str, str] | None = None
) -> str:
    """``[text](destination "title")``; the destination as the source wrote it when
    the link still goes where it went then, else one that reads back to the target."""
    url = attrs.get("url", "") or ""
    title = attrs.get("title")
    written = dest.get("raw") if dest and dest.get("url") == url else None
    if written is not None and (
        re.search(r"[\x00-\x1f]", written)
        or (unsafe_target(written, image, read=True) and not unsafe_target(url, image))
    ):
        written = None
    if written is None:
        written = link_destination(url)
        if unsafe_target(written, image, read=True) and not unsafe_target(url, image):
            # never write a target that readers decode to a script from one that was not
            written = link_destination(url.replace("&", "%26").replace("\\", "%5C"))
    if title:
        title = ENTITY.sub(lambda m: "&amp;" + m.group(0)[1:], title)
        written += ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"[{text}]({written})"


def link_destination(url: str) -> str:
    """A link destination that CommonMark readers decode back to ``url``."""
    # control characters and line breaks cannot be written in a destination
    url = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"%{ord(m.group(0)):02X}", url)
    # "&#106;" in the target is text: written as is, readers would decode it
    url = ENTITY.sub(lambda m: "&amp;" + m.group(0)[1:], url)
    if url == "" or re.search(r"[\s<>]", url) or not _parens_balanced(url):
        return "<" + re.sub(r"([<>\\])", r"\\\1", url) + ">"
    return re.sub(r"\\(?=[!-/:-@\[-`{-~])", r"\\\\", url)


def read_destination(dest: str) -> str:
    """The target a CommonMark reader takes from a written destination."""
    from ..commonmark import unescape_markdown

    if dest.startswith("<") and dest.endswith(">"):
        dest = dest[1:-1]
    return unescape_markdown(dest)


def _read_loosely(dest: str) -> str:
    """The same, as a reader that decodes escapes and references one after the other."""
    from ..tree import decode_entities

    if dest.startswith("<") and dest.endswith(">"):
        dest = dest[1:-1]
    return decode_entities(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", dest))


_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")


def unsafe_target(url: str, image: bool = False, read: bool = False) -> bool:
    """Does a link target, as a reader took it from the Markdown, lead to a
    ``javascript:``, ``vbscript:`` or ``data:`` address once percent-encoding, case,
    blanks and control characters are set aside? An image may be ``data:``.
    With ``read``, ``url`` is a written destination, judged as readers decode it
    (strictly, and loosely as some do)."""
    if read:
        return unsafe_target(read_destination(url), image) or unsafe_target(_read_loosely(url), image)
    from urllib.parse import unquote

    seen = url
    for _ in range(4):  # "%256A" takes two rounds
        decoded = unquote(seen)
        if decoded == seen:
            break
        seen = decoded
    seen = re.sub(r"[\x00-\x20\x7f-\x9f]+", "", seen).lower()
    return seen.startswith(_SCRIPT_SCHEMES[:2] if image else _SCRIPT_SCHEMES)


def _parens_balanced(url: str) -> bool:
    depth = 0
    for ch in url:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def code_span(raw: str) -> str:
    runs = {len(m) for m in re.findall(r"`+", raw)}
    n = 1
    while n in runs:
        n += 1
    fence = "`" * n
    pad = ""
    if (
        raw.startswith("`")
        or raw.endswith("`")
        or (raw.startswith(" ") and raw.endswith(" ") and raw.strip(" "))
    ):
        pad = " "
    if raw == "":
        return fence + " " + fence  # an empty span cannot exist; keep a space
    return f"{fence}{pad}{raw}{pad}{fence}"


class Blocks(TreeVisitor):
    """Renders block tokens to CommonMark: each visit returns its block's Markdown
    (None: nothing to write)."""

    def __init__(
        self, assets: str | None = None, doc: Document | None = None, hashes: frozenset[str] = frozenset()
    ) -> None:
        super().__init__(doc)
        self.assets = assets
        #: paragraph lines (their text, without indent) whose "#" run is escaped: a
        #: "##x" line that cleaning the output would take for a heading without its space
        self.hashes = hashes
        self.inline = Inline(assets=assets, strict=False, doc=doc)
        self.unbare = Inline(assets=assets, strict=False, doc=doc, bare=False)
        self.strict = Inline(assets=assets, doc=doc)
        self._markers: dict[int, str] = {}
        self.referenced: set[int] = set()
        #: list items and footnotes being written: their code is fenced (an indented
        #: block there needs blank lines that would loosen a tight list)
        self._nested = 0
        #: a list that opens an item -> that item's bullet
        self._opening_bullet: dict[int, str] = {}
        #: the block written before the one being visited, in the same container
        self._prev: Token | None = None

    def render(self, tokens: list[Token], tight: bool = False) -> str:
        out: list[str] = []
        prev: Token | None = None
        for tok in tokens:
            text = self.block(tok, prev)
            if not text:
                continue
            if (
                tight
                and text == "---"
                and tok["type"] == "thematic_break"
                and prev is not None
                and prev["type"] in ("paragraph", "block_text")
            ):
                text = "***"  # right under a tight item's text, "---" would underline it
            if out:
                # after a list ending in an empty item, a line would read as that item's
                sep = "\n\n" if not tight or _ends_empty(prev) else "\n"
                out.append(sep)
            out.append(text)
            prev = tok
        return "".join(out)

    def block(self, tok: Token, prev: Token | None) -> str | None:
        """The Markdown of one block (``prev``: the block written before it)."""
        self._prev = prev
        written: str | None = self.dispatch_visit(tok)
        return written

    def unknown_visit(self, tok: Token) -> str | None:
        if isinstance(tok.get("children"), list):
            return self.render(tok["children"])
        raw = tok.get("raw")
        return raw.rstrip("\n") if isinstance(raw, str) else None

    # -- leaves -------------------------------------------------------------
    def verified(
        self, children: list[Token] | None, write: Callable[[Inline], str], kind: str = "paragraph"
    ) -> str:
        """``write(inline)`` with the relaxed renderer when its text reads back as the
        same inline tree, else with the strict one (every markup character escaped)."""
        relaxed = write(self.inline)
        strict = write(self.strict)
        if relaxed == strict or _reads_as(relaxed, children, kind):
            return relaxed
        # a bare link that reads on into what follows, or text that reads as one:
        # the link in angle brackets, the text escaped, and the rest as relaxed as the
        # next pass (which reads them so) writes it
        unbare = write(self.unbare)
        if unbare != relaxed and _reads_as(unbare, children, kind):
            return unbare
        return strict

    def paragraph_lines(self, inline: Inline, children: list[Token] | None) -> str:
        fixed: list[str] = []
        for line in inline.render(children).split("\n"):
            if fixed and _HTML_BLOCK_START.match(line):
                line = "    " + line  # indented, a tag goes on the paragraph, not a block
            line = escape_line_start(line)
            if self.hashes and line.strip(" \t") in self.hashes:
                line = "\\" + line.lstrip(" \t")  # text, as the first pass read it
            if fixed and "|" in fixed[-1] and delimiter_aligns(line) is not None:
                line = "\\" + line.lstrip(" \t")  # it would make the line above a table header
            fixed.append(line)
        text = "\n".join(fixed)
        if re.match(r"\[[ xX]\](?:\s|$)", text):
            text = "\\" + text  # a task box, once in a list item
        return text

    def paragraph_text(self, children: list[Token] | None) -> str:
        children = _without_edge_breaks(children)
        return self.verified(children, lambda inline: self.paragraph_lines(inline, children))

    def visit_paragraph(self, tok: Token) -> str:
        return self.paragraph_text(tok.get("children"))

    visit_block_text = visit_paragraph

    def visit_heading(self, tok: Token) -> str:
        level: int = tok.get("attrs", {}).get("level", 1)
        children = _without_edge_breaks(tok.get("children"))
        if level <= 2 and any(k["type"] == "linebreak" for k in children or ()):
            # only a setext heading holds a line break
            def setext(inline: Inline) -> str:
                return self.paragraph_lines(inline, children) + "\n" + ("===" if level == 1 else "---")

            return self.verified(children, setext, "heading")

        # on one line, a soft break is the space a reader makes of it
        children = merge_text(
            [{"type": "text", "raw": " "} if k["type"] == "softbreak" else k for k in children]
        )

        def write(inline: Inline) -> str:
            text = inline.render(children)
            text = re.sub(r"\\\n|\n", " ", text).strip()
            if text.endswith("#"):
                text = text[:-1] + "\\#"
            if text.startswith("#"):
                text = "\\" + text
            return "#" * level + (" " + text if text else "")

        return self.verified(children, write, "heading")

    def visit_thematic_break(self, tok: Token) -> str:
        return "---"

    def visit_block_code(self, tok: Token) -> str:
        raw = tok.get("raw", "")
        if self._keeps_indent(tok, self._prev):
            # written indented, as it was: a reader with indented code turned off (or
            # none) shows the author's text, not a fence
            return "\n".join(("    " + line) if line else "" for line in raw.rstrip("\n").split("\n"))
        info = " ".join(((tok.get("attrs") or {}).get("info") or "").split())
        # the info string is read with backslash escapes and entities, like text
        info = re.sub(r"\\(?=[!-/:-@\[-`{-~]|$)", r"\\\\", info)
        info = ENTITY.sub(lambda m: "&amp;" + m.group(0)[1:], info)
        char = "~" if "`" in info else "`"
        longest = max((len(m) for m in re.findall(re.escape(char) + "+", raw)), default=0)
        fence = char * max(3, longest + 1)
        body = raw if raw.endswith("\n") or raw == "" else raw + "\n"
        gap = " " if info.startswith(char) else ""  # "~~~" + "~x" would be a longer fence
        return f"{fence}{gap}{info}\n{body}{fence}"

    def _keeps_indent(self, tok: Token, prev: Token | None) -> bool:
        """Indented code stays indented where that reads back as the same block and no
        tidying can change it: not in a list item or a note, not right after a list
        (it would join its last item) or other code, with no blank line, trailing space or tab."""
        raw = tok.get("raw", "").rstrip("\n")
        if tok.get("style") != "indent" or self._nested or not raw.strip():
            return False
        if prev is not None and prev["type"] in ("list", "footnotes", "block_code"):
            return False  # it would join the list's last item, the note, or that code
        lines = raw.split("\n")
        # blank lines and trailing spaces are the code's own only inside a fence: an
        # editor trimming whitespace, or a second blank line, would change them
        return "\t" not in raw and all(line.strip() and line == line.rstrip() for line in lines)

    def visit_block_html(self, tok: Token) -> str:
        # the indent before the block, blank lines around it (a stage emptied its first
        # line) mean nothing to HTML, and blanks before a line end would read as a line
        # break on the next clean
        raw: str = tok.get("raw", "")
        return _LEADING_BLANK_LINES.sub("", raw).rstrip("\n").rstrip(" \t").lstrip(" ")

    def visit_block_quote(self, tok: Token) -> str:
        inner = self.render(tok.get("children") or [])
        return "\n".join(("> " + line) if line else ">" for line in inner.split("\n"))

    # -- lists ----------------------------------------------------------------
    def visit_list(self, tok: Token) -> str:
        prev = self._prev
        attrs = tok.get("attrs", {})
        ordered = attrs.get("ordered", False)
        tight = tok.get("tight", True)
        same_kind_before = (
            prev is not None
            and prev["type"] == "list"
            and prev.get("attrs", {}).get("ordered", False) == ordered
        )
        # Two lists in a row need different markers, or they read as one list.
        before = self._markers.get(id(prev)) if same_kind_before else None
        if ordered:
            delim = ")" if before == "." else "."
            self._markers[id(tok)] = delim
            start = attrs.get("start", 1)
        else:
            # nor may a list that opens its parent's item take the parent's bullet:
            # "- - -" (an item holding a list holding an empty item) is a thematic break
            taken = {before, self._opening_bullet.get(id(tok))}
            bullet = next(b for b in "-*+" if b not in taken)
            self._markers[id(tok)] = bullet
        items = []
        for n, item in enumerate(tok.get("children") or []):
            marker = f"{start + n}{delim}" if ordered else bullet
            items.append(self.list_item(item, marker, tight))
        return ("\n" if tight else "\n\n").join(items)

    def list_item(self, item: Token, marker: str, tight: bool) -> str:
        children = item.get("children") or []
        prefix = marker + " "
        if children and children[0]["type"] == "list" and marker in "-*+":
            self._opening_bullet[id(children[0])] = marker
        if item["type"] == "task_list_item":
            prefix += "[x] " if item.get("attrs", {}).get("checked") else "[ ] "
        self._nested += 1
        try:
            body = self.render(children, tight=tight)
        finally:
            self._nested -= 1
        if not body.strip():
            return prefix.rstrip()  # "-", or an empty task item "- [ ]"
        pad = " " * (len(marker) + 1)
        lines = body.split("\n")
        if item["type"] == "task_list_item" and not (
            children[0]["type"] in ("block_text", "paragraph") and children[0].get("children")
        ):
            # the box has no text of its own: what follows goes under it ("- [x] # a"
            # would be the text "# a")
            lines.insert(0, "")
            prefix = prefix.rstrip()
        first = lines[0]
        if first == "---" and marker in "-+":
            first = "***"  # "- ---" would be one thematic break
        rest = [(pad + line) if line else "" for line in lines[1:]]
        return "\n".join([prefix + first, *rest])

    # -- tables -------------------------------------------------------------------
    def visit_table(self, tok: Token) -> str:
        table = table_parts(tok)

        def cell(c: Token | None) -> str:
            if c is None:
                return ""

            def write(inline: Inline) -> str:
                return re.sub(r"\\?\n", " ", inline.render(c.get("children"))).strip()

            # GFM readers split rows at every pipe, even inside a code span or a
            # link, and read "\\|" as a pipe of the cell
            return self.verified(c.get("children"), write).replace("|", "\\|")

        lines = ["| " + " | ".join(cell(c) for c in table.head) + " |"]
        delim = {None: "---", "left": ":--", "right": "--:", "center": ":-:"}
        lines.append("| " + " | ".join(delim.get(a, "---") for a in table.aligns) + " |")
        for r in table.body:
            lines.append("| " + " | ".join(cell(c) for c in r) + " |")
        return "\n".join(lines)

    # -- footnotes ----------------------------------------------------------------
    def visit_footnotes(self, tok: Token) -> str:
        notes = []
        for item in tok.get("children") or []:
            index = item.get("attrs", {}).get("index")
            children = item.get("children") or []
            self._nested += 1
            try:
                body = self.render(children)
            finally:
                self._nested -= 1
            lines = body.split("\n")
            rest = [("    " + line) if line else "" for line in lines]
            # a note used nowhere stays a definition (numbered after the used ones)
            if children and children[0]["type"] == "paragraph":
                notes.append("\n".join([f"[^{index}]: {lines[0]}", *rest[1:]]))
            else:  # a quote, code or list opens on the line below
                notes.append("\n".join([f"[^{index}]:", *rest]))
        return "\n\n".join(notes)


_SPACES = re.compile(r"\s+")


def _shape(tokens: list[Token] | None) -> tuple[Any, ...]:
    """What an inline tree says, without what a re-read may number or spell differently
    (or what HTML does not tell apart: a line break in text is a space)."""
    out: list[tuple[Any, ...]] = []
    tokens = list(tokens or [])
    while tokens and tokens[-1]["type"] in _BREAKS:
        tokens.pop()  # nothing in HTML
    # a line break is a space; a character is the same however it was spelled
    for tok in merge_text(
        [
            {"type": "text", "raw": " "}
            if t["type"] == "softbreak"
            else {"type": "text", "raw": t["raw"]}
            if "written" in t
            else t
            for t in tokens
        ]
    ):
        t = tok["type"]
        if t == "text":
            out.append((t, _SPACES.sub(" ", tok.get("raw", ""))))
        elif t in ("codespan", "inline_html"):
            out.append((t, tok.get("raw")))
        elif t in ("link", "image"):
            attrs = tok.get("attrs") or {}
            out.append((t, attrs.get("url"), attrs.get("title") or None, _shape(tok.get("children"))))
        elif t == "strikethrough":
            out.append((t, tok.get("marker") or "~~", _shape(tok.get("children"))))
        elif t == "footnote_ref":
            out.append((t,))
        else:
            out.append((t, _shape(tok.get("children"))))
    return tuple(out)


def _reads_as(text: str, children: list[Token] | None, kind: str) -> bool:
    """Does ``text``, read again, give the inline tree ``children`` (as a ``kind``: a
    paragraph or a heading)?"""
    notes = sum(1 for t in walk(children or []) if t.get("type") == "footnote_ref")
    # the footnotes referred to are defined in the document: define them here too
    defs = "".join(f"\n\n[^{n}]: note" for n in range(1, notes + 1))
    blocks = [shape for t, shape in _read(text + defs) if t != "footnotes"]
    # (an inline block's shape is its type, its level and the shape of its children)
    return len(blocks) == 1 and blocks[0][0] == kind and blocks[0][2] == _shape(children)


@lru_cache(maxsize=2)
def _read(text: str) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    """The type and shape of each block ``text`` reads as. A document of one paragraph
    is that paragraph's text: the writer checks it as a paragraph, then as the
    document, and it is read once (a 200 KB paragraph takes a second to read)."""
    from ..tree import parse

    return tuple((b["type"], _block_shape(b)) for b in parse(text))


def _ends_empty(tok: Token | None) -> bool:
    if not tok:
        return False
    return tok["type"] == "list" and bool(tok.get("children")) and not tok["children"][-1].get("children")


def _block_shape(tok: Token) -> tuple[Any, ...]:
    """What a block says, without what a re-read may number or spell differently."""
    t = tok["type"]
    if t in INLINE_BLOCKS:
        return (t, (tok.get("attrs") or {}).get("level"), _shape(tok.get("children")))
    if t == "block_code":
        raw = tok.get("raw", "")
        return (
            t,
            raw if raw.endswith("\n") or not raw else raw + "\n",
            " ".join(((tok.get("attrs") or {}).get("info") or "").split()),
        )
    if t == "block_html":
        return (t, tok.get("raw", "").strip())
    if t == "table_cell":
        attrs = tok.get("attrs") or {}
        return (t, attrs.get("align"), bool(attrs.get("head")), _shape(tok.get("children")))
    attrs = {k: v for k, v in (tok.get("attrs") or {}).items() if v is not None and k not in ("key", "index")}
    return (
        t,
        tuple(sorted(attrs.items())),
        tok.get("tight"),
        tuple(_block_shape(k) for k in tok.get("children") or ()),
    )


INLINE_BLOCKS = ("paragraph", "block_text", "heading")


def _read_shapes(text: str, blocks: list[Token]) -> list[tuple[Any, ...]]:
    """The shapes of the blocks ``text`` reads as, on its own (with the footnotes that
    ``blocks`` refer to defined, as they are in the document)."""
    notes = max((t["attrs"]["index"] for t in walk(blocks) if t.get("type") == "footnote_ref"), default=0)
    if notes and not any(b["type"] == "footnotes" for b in blocks):
        text += "".join(f"\n\n[^{n}]: note" for n in range(1, notes + 1))
        return [shape for t, shape in _read(text) if t != "footnotes"]
    return [shape for _t, shape in _read(text)]


def _reads_back(text: str, blocks: list[Token]) -> bool:
    """Does ``text``, read again on its own, give the blocks ``blocks``?"""
    return _read_shapes(text, blocks) == [_block_shape(b) for b in blocks]


def _differing(read: list[tuple[Any, ...]], wanted: list[tuple[Any, ...]]) -> range:
    """The blocks of ``wanted`` that are not at both ends of ``read`` in the same order."""
    head, tail = common_ends(read, wanted)
    return range(head, len(wanted) - tail)


def _block_source(tree: list[Token], i: int, lines: list[str], first_line: int) -> str | None:
    """The lines block ``i`` was parsed from (up to the next block, blank lines left out)."""
    start = tree[i].get("line")
    if not isinstance(start, int):
        return None
    end = next((t.get("line") for t in tree[i + 1 :] if isinstance(t.get("line"), int)), None)
    chunk = lines[start - first_line : (end - first_line) if end is not None else len(lines)]
    while chunk and not chunk[-1].strip():
        chunk.pop()
    return "\n".join(chunk) if chunk and start >= first_line else None


def _source_cuts(written: str, after: list[Token]) -> list[str]:
    """The source lines of a block, and, when no block with a line number follows
    (footnote definitions may: their lines are not known), its first few stretches
    up to a blank line, shortest first."""
    if any(isinstance(t.get("line"), int) for t in after) or "\n\n" not in written:
        return [written]
    cuts = [m.start() for m in re.finditer(r"\n\s*\n", written)][:8]
    return [written[:k] for k in cuts] + [written]


def render_body(
    tree: list[Token],
    assets: str | None = None,
    source: str | None = None,
    first_line: int = 1,
    kept: list[int] | None = None,
    doc: Document | None = None,
    settle: bool = True,
) -> str:
    """The Markdown of ``tree``.

    With ``source`` (the text the tree was parsed from, its first line numbered
    ``first_line``), a block whose Markdown would not read back as the block, while
    its source lines still do (no stage touched it), is written as those lines: a
    CommonMark corner the writer cannot spell canonically. Their lines go in ``kept``.
    What still does not read back as ``tree`` is written as it reads (``_settled``).
    A node of a type the writer does not know is a warning on ``doc``.

    A paragraph line written ``##x`` that the ``heading_space`` stage would take for a
    heading (judging the whole output, as cleaning it would) is written ``\\##x``: its
    text was text when the stage judged the source, before later stages changed it.
    """
    hashes: frozenset[str] = frozenset()
    for _ in range(3):
        kept_now: list[int] = []
        text = _render_once(tree, assets, source, first_line, kept_now, doc, settle, hashes)
        more = _spaced_lines(text) - hashes
        if not more:
            break
        hashes |= more
    if kept is not None:
        kept.extend(kept_now)
    return text


def _spaced_lines(text: str) -> frozenset[str]:
    """The lines of ``text`` (without indent) that the ``heading_space`` stage would
    turn into headings."""
    if not _HASH_LINE.search(text):
        return frozenset()
    lines = text.split("\n")
    return frozenset(lines[i].strip(" \t") for i, _ in spaced_headings(lines))


_HASH_LINE = re.compile(r"^ {0,3}#{1,6}[^\s#]", re.M)  # a line that may be one (MISSING)


def _render_once(
    tree: list[Token],
    assets: str | None,
    source: str | None,
    first_line: int,
    kept: list[int] | None,
    doc: Document | None,
    settle: bool,
    hashes: frozenset[str],
) -> str:
    """``render_body`` with the paragraph lines ``hashes`` escaped."""
    blocks = Blocks(assets, doc, hashes)
    blocks.referenced = {
        t["attrs"]["index"]
        for t in walk([b for b in tree if b["type"] != "footnotes"])
        if t.get("type") == "footnote_ref"
    }
    parts = _render_parts(blocks, tree, {})
    text = "\n\n".join(p for p in parts if p)
    if source is None or not tree:
        return text + "\n" if text else ""
    wanted = [_block_shape(b) for b in tree]
    read = _read_shapes(text, tree)
    if read != wanted:
        lines = source.split("\n")
        verbatim: dict[int, str] = {}
        prev: Token | None = None
        suspects = _differing(read, wanted)
        for i, tok in enumerate(tree):
            part = parts[i]
            if i in suspects and part and tok["type"] != "footnotes" and not _reads_back(part, [tok]):
                written = _block_source(tree, i, lines, first_line)
                # after a list, an indented first line would go on in its last item
                if written and not (prev is not None and prev["type"] == "list" and written[:1] in " \t"):
                    found = next(
                        (
                            w
                            for cut in _source_cuts(written, tree[i + 1 :])
                            # a break at a block's end breaks nothing, and a next pass drops it
                            for w in dict.fromkeys((cut.rstrip(" \t"), cut))
                            if _reads_back(w, [tok])
                        ),
                        None,
                    )
                    if found is not None:
                        verbatim[i] = found
            if parts[i]:
                prev = tok
        if verbatim:
            parts = _render_parts(blocks, tree, verbatim)
            text = "\n\n".join(p for p in parts if p)
            if kept is not None:
                sources = (tree[i].get("line") for i in sorted(verbatim))
                kept.extend(line for line in sources if line is not None)  # a block with its source
        if settle and _read_shapes(text, tree) != wanted:
            text = _settled(text, assets, hashes)
    return text + "\n" if text else ""


def _settled(text: str, assets: str | None, hashes: frozenset[str]) -> str:
    """Markdown that does not read back as the tree it was written from (a tree that
    stages edited into a shape no Markdown spells) is written as what it reads as:
    the next pass, which reads that, writes the same."""
    from ..tree import parse

    for _ in range(3):
        again = _render_once(parse(text), assets, text, 1, None, None, False, hashes).rstrip("\n")
        if again == text:
            break
        text = again
    return text


def _render_parts(blocks: Blocks, tree: list[Token], verbatim: dict[int, str]) -> list[str | None]:
    """Each top-level block's Markdown (``verbatim`` ones as given)."""
    from ..tree import parse

    parts: list[str | None] = []
    prev: Token | None = None
    for i, tok in enumerate(tree):
        if i in verbatim:
            text: str | None = verbatim[i]
            if tok["type"] == "list":  # the next list must not take its marker
                blocks._markers[id(tok)] = parse(verbatim[i])[0].get("bullet") or "-"
        else:
            text = blocks.block(tok, prev)
        parts.append(text)
        if text:
            prev = tok
    return parts


class MarkdownWriter(Writer):
    """Clean CommonMark with YAML front matter; packaged images go to <name>_assets/."""

    name = "md"
    extension = "md"
    version = "2"
    capabilities = Capabilities(
        image_types=frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}),
        remote_images=True,
        embeds_images=False,
    )
    defaults = {"assets": True}

    def _folder(self, doc: Document) -> str | None:
        return f"{doc.path.stem}_assets" if self.options["assets"] and doc.assets else None

    def render(self, doc: Document) -> bytes:
        return render_document(doc, self._folder(doc)).encode("utf-8")

    def files(self, doc: Document) -> dict[str, bytes]:
        """The packaged images, next to the Markdown file (remote ones keep their address)."""
        folder = self._folder(doc)
        if not folder:
            return {}
        used = {
            t["attrs"]["asset"]
            for t in walk(doc.tree or [])
            if t.get("type") == "image" and (t.get("attrs") or {}).get("asset")
        }
        return {f"{folder}/{name}": doc.assets[name].data for name in sorted(used)}


def render_document(doc: Document, assets: str | None = None, kept: list[int] | None = None) -> str:
    """The clean Markdown; with ``assets``, packaged images link into that folder.
    The lines of blocks written as their source are added to ``kept``."""
    body = render_body(doc.tree or [], assets, doc.text, doc.body_line, kept, doc)
    return dump_front_matter(doc.meta.as_dict()) + body
