"""Remove active content from the raw HTML a scraped page left in the Markdown.

Before::

    <script src="https://cdn.example/track.js"></script>

    <iframe src="https://player.example/v/1" allowfullscreen>Watch the talk</iframe>

    Press <button onclick="copy()">copy</button> or <a href="javascript:void(0)">here</a>.

After::

    Watch the talk

    Press <button>copy</button> or <a>here</a>.

The clean Markdown is published as it is, and whatever serves it serves its raw
HTML too. Each rule has a name and can be turned off (``rules_off``); with the
stage off, raw HTML stays verbatim:

- ``script``: ``<script>`` elements with the code inside (debris, never text);
- ``style_element``: ``<style>`` elements with the rules inside;
- ``event_handler``: ``on…=`` attributes (``onclick``, ``onerror``, ``onload``…);
- ``script_url``: ``javascript:``, ``vbscript:`` and ``data:`` addresses in ``href``,
  ``src``, ``action``, ``formaction``, ``xlink:href``… (a ``data:`` picture in an
  ``<img src>`` stays);
- ``frame``: ``<iframe>`` (with its ``srcdoc``), ``<frame>``, ``<frameset>`` tags;
- ``object_embed``: ``<object>``, ``<embed>``, ``<applet>``, ``<param>`` tags;
- ``form``: ``<form>`` tags (a form posts what readers type to someone else);
- ``head_element``: ``<meta>`` (refresh, redirect), ``<base>``, ``<link>`` (microdata's
  ``<meta itemprop>`` and ``<link itemprop>`` stay: they do nothing in a page);
- ``commented_markup``: HTML comments that hold markup (``<!--[if IE]><script>…
  <![endif]-->``, a commented-out embed, ``<![CDATA[<script>…``): Markdown readers
  do not agree on where a comment ends, and for one that disagrees the markup is live;
- ``unterminated_tag``: a tag or comment left open at the end of a block of raw HTML
  (``<p title="`` before a blank line): a browser reads on into whatever the
  Markdown renderer writes next.

Frames and objects go as tags: the fallback text between them is the article's
and stays. Only what a rule names is cut; the rest of the HTML keeps every byte.
What is a tag is decided as a browser decides it (``pipeline.htmltokens``), over
all the raw HTML of the document in order, so that a tag split over several
inline HTML pieces (``<span onclick="x">`` … ``</span>``) or hidden from a naive
reader (``<!-- --!><img onerror=…>``) is seen. Code inside a removed ``<script>``
that the Markdown parser read as text between two inline HTML pieces of one
paragraph goes with it. A block of raw HTML that loses something is read again
as Markdown, as the next reader of the clean file will read it.

More rules of the same kind (page styling attributes, presentational wrappers,
simple HTML tables as pipe tables) belong here as further names in ``RULES``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pipeline.document import Document
from pipeline.options import Option
from pipeline.stage import Stage, StageContext
from pipeline.textscan import escape_block_start
from pipeline.tree import CONTAINERS, inline_text, merge_text, parse, trim_inline, walk
from pipeline.urls import SCRIPT_SCHEMES, url_scheme

if TYPE_CHECKING:  # the tokenizer (html5lib) is imported only for a page with raw HTML
    from pipeline.htmltokens import Tag

Token = dict[str, Any]

RULES = (
    "script",
    "style_element",
    "event_handler",
    "script_url",
    "frame",
    "object_embed",
    "form",
    "head_element",
    "commented_markup",
    "unterminated_tag",
)
#: elements removed with what is inside them
WITH_CONTENT = {"script": "script", "style": "style_element"}
#: elements whose tags go while what is inside them stays
TAGS_ONLY = {
    "iframe": "frame",
    "frame": "frame",
    "frameset": "frame",
    "portal": "frame",
    "fencedframe": "frame",
    "object": "object_embed",
    "embed": "object_embed",
    "applet": "object_embed",
    "param": "object_embed",
    "form": "form",
    "meta": "head_element",
    "base": "head_element",
    "link": "head_element",
}
#: removed elements whose inside a browser reads as text up to their end tag
RAW_TEXT = frozenset({"script", "style", "iframe"})
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "data",
        "poster",
        "background",
        "lowsrc",
        "dynsrc",
        "codebase",
        "cite",
        "longdesc",
        "ping",
        "manifest",
        "icon",
    }
)
#: SVG animation values can set an href
ANIMATION = frozenset({"animate", "set", "animatemotion", "animatetransform"})
ANIMATION_VALUES = frozenset({"to", "from", "by", "values"})
#: a picture, video or sound given inline stays where such media are expected
MEDIA_ELEMENTS = frozenset({"img", "source", "video", "audio", "track", "input", "picture"})
_MARKUP_INSIDE = re.compile(r"<[A-Za-z/!?]")
MAX_ROUNDS = 8


def _microdata(tag: Tag) -> bool:
    """``<meta itemprop content>`` or ``<link itemprop href>`` in the body: schema.org
    data for search engines, inert in a page (no refresh, no stylesheet, no import)."""
    if tag.name == "meta":
        return "itemprop" in tag.attrs and "http-equiv" not in tag.attrs
    if tag.name == "link":
        return "itemprop" in tag.attrs and "rel" not in tag.attrs
    return False


def active_url(element: str, attribute: str, value: str) -> bool:
    """Whether an address runs code (or carries a document) where it stands."""
    scheme = url_scheme(value)
    if scheme not in SCRIPT_SCHEMES:
        return False
    if scheme == "data" and element in MEDIA_ELEMENTS and attribute in ("src", "poster"):
        media = value.strip().lower()[5:].lstrip()
        return not media.startswith(("image/", "video/", "audio/"))
    return True


Cut = tuple[int, int, str]  # start, end, what replaces it


@dataclass
class Piece:
    """One raw HTML token of the tree and where it stands in the joined HTML."""

    tok: Token
    parent: list[Token]
    start: int
    end: int
    line: int | None
    inline: bool
    cuts: list[Cut] = field(default_factory=list)


@dataclass
class Found:
    """What one rule removes: spans of the joined HTML (with what replaces each),
    the tree tokens between two pieces that go too, and the record."""

    kind: str
    spans: list[Cut]
    before: str
    after: str = ""
    at: int = 0
    between: list[Token] = field(default_factory=list)


class RawHtml(Stage):
    """Remove scripts, frames, embedded objects, event handlers and script URLs from raw HTML."""

    name = "raw_html"
    priority = 300
    scope = "tree"
    removes = frozenset(RULES)
    defaults = {"rules_off": Option([], "strings", choices=RULES)}

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.rules = frozenset(RULES) - set(self.options["rules_off"])

    def run(self, doc: Document, ctx: StageContext) -> None:
        if not self.rules or not doc.tree:
            return
        # A cut can let the browser read what follows differently (the inside of a
        # removed frame is markup again): then look again, until nothing is found.
        for n in range(MAX_ROUNDS):
            if not self._round(doc, ctx, last=n == MAX_ROUNDS - 1):
                break

    # -- one pass ------------------------------------------------------------------
    def _round(self, doc: Document, ctx: StageContext, last: bool = False) -> bool:
        pieces = _collect(doc.tree or [])
        if not pieces:
            return False
        from pipeline.htmltokens import tokenize

        stream = _rendered(doc.tree or [], pieces)
        self._positions: dict[int, dict[int, int]] = {}
        self._again = False
        self._record = ctx.record
        found = self._find(stream, tokenize(stream), pieces, last)
        if "<noscript" in stream.lower():
            # a reader with scripting off reads the inside of <noscript> as markup
            # (an <iframe> there loads): both readings are searched
            seen = {(f.kind, tuple(f.spans)) for f in found}
            for item in self._find(stream, tokenize(stream, scripting=False), pieces, last):
                if (item.kind, tuple(item.spans)) not in seen:
                    seen.add((item.kind, tuple(item.spans)))
                    found.append(item)
            found.sort(key=lambda f: f.at)
        if not found:
            return False
        for item in found:
            piece = _piece_at(pieces, item.at)
            line = piece.line
            if line is not None and not piece.inline:
                line += stream.count("\n", piece.start, item.at)
            ctx.record(item.kind, line, item.before, item.after)
            for s, e, text in item.spans:
                for p in _overlapping(pieces, s, e):
                    cut_start = max(s, p.start) - p.start
                    p.cuts.append((cut_start, min(e, p.end) - p.start, text if s >= p.start else ""))
        gone = {id(t) for item in found for t in item.between}
        self._apply(doc, pieces, gone)
        return self._again

    def _find(self, stream: str, tags: list[Tag], pieces: list[Piece], last: bool = False) -> list[Found]:
        """What the rules remove. An element that a browser reads as raw text to the end
        (an unclosed ``<script>`` or ``<iframe>``) hides what follows it: its tag goes
        and the next pass reads the rest as markup; on the last pass, the hidden rest
        of its piece of HTML goes with it, so that chains of them cannot outlast the passes."""
        found: list[Found] = []
        skip_until = -1
        closings = _closings(tags)
        for i, tag in enumerate(tags):
            if tag.start < skip_until:
                continue
            name = tag.name
            piece = _piece_at(pieces, tag.start)
            if not piece.start <= tag.start < piece.end:
                continue  # the renderer's own markup (<p>, <em>…) around the pieces
            if (tag.end > piece.end or tag.kind == "open") and "unterminated_tag" in self.rules:
                # left open at the end of its piece: how it ends depends on what is
                # written after it, so it goes (the next pass reads the rest again)
                self._again = True
                found.append(
                    Found(
                        "unterminated_tag",
                        [(tag.start, piece.end, "")],
                        stream[tag.start : piece.end],
                        at=tag.start,
                    )
                )
                skip_until = piece.end
                continue
            unclosed = tag.kind == "start" and i not in closings and name in RAW_TEXT
            if tag.kind in ("start", "end") and WITH_CONTENT.get(name) in self.rules:
                kind = WITH_CONTENT[name]
                end = tags[closings[i]].end if i in closings else tag.end
                if unclosed:
                    self._again = True  # what followed it is markup again
                    if last:
                        end = _end_of_html(pieces, tag.start)
                skip_until = end
                found.append(self._element(kind, stream, tag.start, end, pieces))
                continue
            if tag.kind in ("start", "end") and TAGS_ONLY.get(name) in self.rules and not _microdata(tag):
                # the tree a browser builds around it changes (a <meta> inside <svg>
                # ends the SVG, so a <textarea> after it starts raw text): look again
                self._again = True
                if unclosed and last:
                    end = skip_until = _end_of_html(pieces, tag.start)
                    found.append(self._element(TAGS_ONLY[name], stream, tag.start, end, pieces))
                    continue
                found.append(
                    Found(TAGS_ONLY[name], [(tag.start, tag.end, "")], tag.source(stream), at=tag.start)
                )
                continue
            if tag.kind == "start" and tag.attrs:
                found.extend(self._attributes(stream, tag))
            elif (
                tag.kind == "comment"
                and "commented_markup" in self.rules
                and _MARKUP_INSIDE.search(stream, tag.start + 2, tag.end)
            ):
                found.append(
                    Found("commented_markup", [(tag.start, tag.end, "")], tag.source(stream), at=tag.start)
                )
        return found

    def _element(self, kind: str, stream: str, start: int, end: int, pieces: list[Piece]) -> Found:
        """An element cut with its content; Markdown text between two inline pieces
        of one paragraph that it covers is its content too."""
        covered = _overlapping(pieces, start, end)
        first, last = covered[0], covered[-1]
        self._again |= first is not last
        if first is not last and first.inline and last.inline and first.parent is last.parent:
            i, j = self._index(first.parent, first.tok), self._index(last.parent, last.tok)
            between = [t for t in first.parent[i + 1 : j] if t.get("type") != "inline_html"]
            held = {id(p.tok): p for p in covered}
            parts = [
                stream[max(start, held[id(t)].start) : min(end, held[id(t)].end)]
                if id(t) in held
                else inline_text([t], alt=True)
                for t in first.parent[i : j + 1]
            ]
            return Found(kind, [(start, end, "")], "".join(parts), at=start, between=between)
        before = "\n".join(stream[max(start, p.start) : min(end, p.end)] for p in covered)
        return Found(kind, [(start, end, "")], before, at=start)

    def _record_exposed(self, kind: str, line: int | None, before: str, after: str) -> None:
        """A tag shown as text reads differently for a browser: look again."""
        self._record(kind, line, before, after)
        self._again = True

    def _index(self, parent: list[Token], tok: Token) -> int:
        """Where ``tok`` stands in ``parent`` (one map per list and pass)."""
        where = self._positions.get(id(parent))
        if where is None:
            where = self._positions[id(parent)] = {id(t): i for i, t in enumerate(parent)}
        return where[id(tok)]

    def _attributes(self, stream: str, tag: Tag) -> list[Found]:
        """Event handlers and script addresses of one start tag: one record per rule."""
        by_kind: dict[str, list[str]] = {}
        for attr, value in tag.attrs.items():
            if "event_handler" in self.rules and attr.startswith("on"):
                by_kind.setdefault("event_handler", []).append(attr)
            elif "script_url" in self.rules and (
                (attr in URL_ATTRIBUTES and active_url(tag.name, attr, value))
                or (
                    tag.name in ANIMATION
                    and attr in ANIMATION_VALUES
                    and any(url_scheme(v) in SCRIPT_SCHEMES for v in value.split(";"))
                )
            ):
                by_kind.setdefault("script_url", []).append(attr)
        if not by_kind:
            return []
        from pipeline.htmltokens import attribute_spans

        spans = attribute_spans(stream, tag)
        source = tag.source(stream)
        out: list[Found] = []
        if spans is None:
            # written in a way the span reader does not follow: the tag is written anew
            dropped: set[str] = set()
            for kind, names in by_kind.items():
                dropped |= set(names)
                after = _tag_text(
                    tag.name, {k: v for k, v in tag.attrs.items() if k not in dropped}, tag.self_closing
                )
                out.append(Found(kind, [], source, after, at=tag.start))
                source = after
            out[-1].spans = [(tag.start, tag.end, source)]
            return out
        for kind, names in by_kind.items():
            cuts = [(a.cut_start, a.end, "") for a in spans if a.name in names]
            after = _cut(source, [(s - tag.start, e - tag.start, t) for s, e, t in cuts])
            out.append(Found(kind, cuts, source, after, at=tag.start))
            source = after
        return out

    # -- applying the cuts ----------------------------------------------------------
    def _apply(self, doc: Document, pieces: list[Piece], gone: set[int]) -> None:
        """Cut the pieces, drop what went, read changed blocks again, tidy paragraphs."""
        touched: dict[int, list[Token]] = {}
        replace: dict[int, list[Token]] = {}
        for p in pieces:
            if not p.cuts and id(p.tok) not in gone:
                continue
            raw = p.tok.get("raw", "")
            new = _cut(raw, p.cuts if p.inline else _whole_lines(raw, p.cuts))
            touched[id(p.parent)] = p.parent
            if p.inline:
                if not new:
                    gone.add(id(p.tok))
                    continue
                read = _reparse_inline(new)
                if [t.get("type") for t in read] == ["inline_html"] and read[0]["raw"] == new:
                    p.tok["raw"] = new
                else:  # what is left is no single tag for the next reader (a cut CDATA)
                    replace[id(p.tok)] = read
                    self._again = True
            else:
                replace[id(p.tok)] = _reparse(new, p.line)
                # read as Markdown again, part of it may no longer be raw HTML
                self._again |= [t.get("type") for t in replace[id(p.tok)]] != ["block_html"]
        for parent in touched.values():
            out: list[Token] = []
            joint = False  # just after a removed inline token
            for tok in parent:
                if id(tok) in gone:
                    joint = True
                    continue
                if (
                    joint
                    and tok.get("type") == "text"
                    and out
                    and out[-1].get("type") == "text"
                    and out[-1]["raw"][-1:].isspace()
                    and tok["raw"][:1].isspace()
                ):
                    # "a <iframe…></iframe> b": one space between the words, not two
                    tok = {**tok, "raw": tok["raw"].lstrip(" ")}
                joint = False
                if id(tok) in replace:
                    out.extend(replace[id(tok)])
                    continue
                out.append(tok)
            parent[:] = merge_text(out)
        _tidy(doc.tree or [], set(touched), self._record_exposed)
        _drop_emptied_containers(doc.tree or [], set(touched))


# -- helpers ---------------------------------------------------------------------------
class _Pieces(list):
    """The pieces in document order, with their start offsets for bisection."""

    starts: list[int]


def _collect(tree: list[Token]) -> list[Piece]:
    """Every raw HTML token in document order, with its line."""
    pieces = _Pieces()
    cursor = 0
    for top in tree:
        base = top.get("line")
        breaks = 0
        for tok, parent in _walk(top, tree):
            t = tok.get("type")
            if t in ("softbreak", "linebreak"):
                breaks += 1
            elif t in ("block_html", "inline_html"):
                raw = tok.get("raw", "")
                inline = t == "inline_html"
                line = base + breaks if (base is not None and inline) else base
                pieces.append(Piece(tok, parent, cursor, cursor + len(raw), line, inline))
                cursor += len(raw) + 1
    pieces.starts = [p.start for p in pieces]
    return pieces


_OPEN, _MID, _CLOSE = "\ue000", "\ue001", "\ue002"
_MARK = re.compile(f"{_OPEN}(\\d+){_MID}|{_CLOSE}")


def _rendered(tree: list[Token], pieces: _Pieces) -> str:
    """The HTML a Markdown renderer makes of the document (mistune's, with the
    parser's plugins), with each piece's span in it set on the piece.

    What the renderer writes between two pieces of raw HTML changes how a browser
    reads the second (a ``</p>`` ends an ``<svg>`` opened in the paragraph, so a
    ``<![CDATA[`` after it is no CDATA section). When the document cannot be
    rendered, the pieces are read joined by line breaks."""
    index = {id(p.tok): i for i, p in enumerate(pieces)}
    raws = [p.tok.get("raw", "") for p in pieces]
    if not any(m in r for r in raws for m in (_OPEN, _MID, _CLOSE)):
        try:
            html = _renderer()(tree, index)
        except Exception:  # a tree a renderer cannot take: the plain reading below
            html = None
        if html is not None:
            out: list[str] = []
            length = 0
            pos = 0
            starts: dict[int, int] = {}
            current: int | None = None
            for m in _MARK.finditer(html):
                out.append(html[pos : m.start()])
                length += m.start() - pos
                pos = m.end()
                if m.group(1) is not None:
                    current = int(m.group(1))
                    starts[current] = length
                elif current is not None:
                    piece = pieces[current]
                    piece.start, piece.end = starts[current], length
                    current = None
            out.append(html[pos:])
            text = "".join(out)
            if len(starts) == len(pieces) and all(
                text[p.start : p.end] == raw for p, raw in zip(pieces, raws, strict=False)
            ):
                pieces.sort(key=lambda p: p.start)
                pieces.starts = [p.start for p in pieces]
                return text
    cursor = 0
    for p, raw in zip(pieces, raws, strict=False):
        p.start, p.end = cursor, cursor + len(raw)
        cursor += len(raw) + 1
    pieces.starts = [p.start for p in pieces]
    return "\n".join(raws)


@lru_cache(maxsize=1)
def _renderer():
    import mistune
    from mistune.core import BlockState
    from mistune.plugins import import_plugin
    from mistune.renderers.html import HTMLRenderer

    from pipeline.tree import PLUGINS

    class Marked(HTMLRenderer):
        """Raw HTML between marks that name its piece."""

        marks: dict[int, int] = {}

        def render_token(self, token, state):
            if token.get("type") in ("block_html", "inline_html") and id(token) in self.marks:
                return f"{_OPEN}{self.marks[id(token)]}{_MID}{token.get('raw', '')}{_CLOSE}"
            return super().render_token(token, state)

    md = mistune.Markdown(renderer=Marked(escape=False), plugins=[import_plugin(p) for p in PLUGINS])

    def render(tree: list[Token], marks: dict[int, int]) -> str:
        md.renderer.marks = marks
        try:
            return md.renderer.render_tokens(tree, BlockState())
        finally:
            md.renderer.marks = {}

    return render


def _walk(tok: Token, parent: list[Token]):
    yield tok, parent
    kids = tok.get("children")
    if isinstance(kids, list):
        for kid in kids:
            yield from _walk(kid, kids)


def _overlapping(pieces: list[Piece], start: int, end: int) -> list[Piece]:
    """The pieces a span of the joined HTML touches (an empty span: the one it is in)."""
    starts = [p.start for p in pieces] if not isinstance(pieces, _Pieces) else pieces.starts
    i = max(0, bisect.bisect_right(starts, start) - 1)
    out = []
    while i < len(pieces) and (pieces[i].start < end or not out):
        if pieces[i].end > start or (start == end and pieces[i].start <= start):
            out.append(pieces[i])
        i += 1
    return out or [pieces[-1]]


def _piece_at(pieces: list[Piece], offset: int) -> Piece:
    return _overlapping(pieces, offset, offset + 1)[0]


def _end_of_html(pieces: list[Piece], start: int) -> int:
    """Where the raw HTML that holds ``start`` ends: its block, or the last inline
    HTML of its paragraph."""
    piece = _piece_at(pieces, start)
    if not piece.inline:
        return piece.end
    after = [p for p in _overlapping(pieces, piece.start, pieces[-1].end) if p.parent is piece.parent]
    return after[-1].end


def _closings(tags: list[Tag]) -> dict[int, int]:
    """For each start tag of an element a browser reads as raw text, the index of the
    end tag that closes it (nested ones pair first)."""
    open_: dict[str, list[int]] = {}
    pairs: dict[int, int] = {}
    for i, tag in enumerate(tags):
        if tag.name not in RAW_TEXT:
            continue
        if tag.kind == "start":
            open_.setdefault(tag.name, []).append(i)
        elif tag.kind == "end" and open_.get(tag.name):
            pairs[open_[tag.name].pop()] = i
    return pairs


def _cut(raw: str, cuts: list[Cut]) -> str:
    out, pos = [], 0
    for s, e, text in sorted(cuts):
        if s > pos:
            out.append(raw[pos:s])
        if s >= pos:
            out.append(text)
        pos = max(pos, e)
    out.append(raw[pos:])
    return "".join(out)


def _reparse_inline(raw: str) -> list[Token]:
    """Inline HTML after a cut, read as the next reader reads it inside a paragraph."""
    tokens = parse("x" + raw)
    if len(tokens) != 1 or tokens[0].get("type") != "paragraph":
        return [{"type": "text", "raw": raw}]
    kids = tokens[0].get("children") or []
    if kids and kids[0].get("type") == "text" and kids[0]["raw"].startswith("x"):
        kids[0] = {"type": "text", "raw": kids[0]["raw"][1:]}
    else:
        return [{"type": "text", "raw": raw}]
    return [k for k in kids if not (k.get("type") == "text" and not k["raw"])]


def _whole_lines(raw: str, cuts: list[Cut]) -> list[Cut]:
    """Cuts in a block, widened to take the line with them where they leave it blank
    (an ``<iframe …></iframe>`` line inside a ``<div>`` leaves no empty line)."""
    merged: list[list] = []
    for s, e, text in sorted(cuts):
        if merged and not merged[-1][2] and not text and not raw[merged[-1][1] : s].strip():
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e, text])
    out: list[Cut] = []
    for s, e, text in merged:
        begin = raw.rfind("\n", 0, s) + 1
        finish = raw.find("\n", e)
        finish = len(raw) if finish < 0 else finish + 1
        if not text and not raw[begin:s].strip() and not raw[e:finish].strip():
            s, e = begin, finish
        elif not text and not raw[e:finish].strip():
            # the cut ends the line: the spaces before it would end it too (a line
            # break for the next reader, or trailing spaces a later clean trims)
            s = begin + len(raw[begin:s].rstrip(" \t"))
            e = finish - 1 if raw[finish - 1 : finish] == "\n" else finish
        out.append((s, e, text))
    return out


def _reparse(raw: str, line: int | None) -> list[Token]:
    """A block of raw HTML after a cut, read as the next reader of the file will."""
    if not raw.strip():
        return []
    tokens = parse(raw)
    if tokens and tokens[0].get("type") != "block_html" and not raw.lstrip(" ").startswith("<"):
        # the text that stood after the tag was text in the page ("<script>9." kept
        # "9."), not the start of a list or a heading
        first, nl, rest = raw.partition("\n")
        escaped = escape_block_start(first.lstrip(" \t"), inside=False)  # nor indented code
        if escaped != first:
            tokens = parse(escaped + nl + rest)
    for tok in tokens:
        if tok.get("line") is not None and line is not None:
            tok["line"] += line - 1
        elif line is None:
            tok.pop("line", None)
    return tokens


def _tidy(tokens: list[Token], touched: set[int], record) -> None:
    """Paragraphs whose inline HTML lost something: no space or line break left at
    their ends, gone when nothing is left (a paragraph that held only a script), and
    no tag left at the start of a line where the next reader takes it for the start of
    an HTML block (that tag is shown as the text it is)."""
    kept: list[Token] = []
    for tok in tokens:
        kids = tok.get("children")
        if isinstance(kids, list) and tok.get("type") in _PARAGRAPHS:
            kids, lost = _unwrap_emptied(kids, touched)
            if not lost:
                kept.append(tok)
                continue
            kids = trim_inline(kids)
            while kids and kids[0].get("type") in _BREAKS:
                kids = trim_inline(kids[1:])
            while kids and kids[-1].get("type") in _BREAKS:
                kids = trim_inline(kids[:-1])
            if not kids:
                continue
            tok["children"] = _guard_line_starts(kids, tok.get("line"), record)
        elif isinstance(kids, list):
            _tidy(kids, touched, record)
        kept.append(tok)
    tokens[:] = kept


def _drop_emptied_containers(tokens: list[Token], touched: set[int]) -> bool:
    """A list item, quote or list that held only what went goes too (an empty item
    would be written as a bare marker, and ``- - -`` reads as a rule).
    Returns whether ``tokens`` changed."""
    kept: list[Token] = []
    changed = False
    for tok in tokens:
        kids = tok.get("children")
        if tok.get("type") in CONTAINERS and isinstance(kids, list):
            emptied = _drop_emptied_containers(kids, touched) or id(kids) in touched
            if emptied and not kids:
                changed = True
                continue
        kept.append(tok)
    if changed:
        tokens[:] = kept
    return changed


_PARAGRAPHS = ("paragraph", "block_text")
_SPANS = ("emphasis", "strong", "strikethrough")


def _unwrap_emptied(kids: list[Token], touched: set[int]) -> tuple[list[Token], bool]:
    """Emphasis left holding nothing but spaces (``*<script>x</script>*``) goes, its
    spaces stay. Returns the children and whether any of them lost something."""
    out: list[Token] = []
    lost = id(kids) in touched
    for tok in kids:
        inner = tok.get("children")
        if isinstance(inner, list) and tok.get("type") != "image":
            inner, inner_lost = _unwrap_emptied(inner, touched)
            if not inner_lost:
                out.append(tok)
                continue
            lost = True
            if tok.get("type") in _SPANS:
                if not _shows_anything(inner):
                    out.extend(k for k in inner if k.get("type") == "text")
                    continue
                inner = trim_inline(inner)  # "*<script> word*": no space inside the mark
            tok["children"] = inner
        out.append(tok)
    return (merge_text(out) if lost else kids), lost


def _shows_anything(kids: list[Token]) -> bool:
    return bool(inline_text(kids, alt=True).strip()) or any(
        t.get("type") in ("image", "inline_html", "codespan") for t in walk(kids)
    )


_BREAKS = ("softbreak", "linebreak")
_BLOCK_NAMES = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|"
    "dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|"
    "hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|"
    "search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul"
)
#: CommonMark's HTML block starts 1 to 6: they interrupt a paragraph at any line start
_INTERRUPTS = re.compile(
    r"<(?:(?:script|pre|style|textarea)(?:[\s>]|$)|!--|\?|![A-Za-z]|!\[CDATA\[|"
    r"/?(?:" + _BLOCK_NAMES + r")(?:[\s>]|/>|$))",
    re.I,
)
_TAG = re.compile(r"</?[A-Za-z]")


def _guard_line_starts(kids: list[Token], line: int | None, record) -> list[Token]:
    out = list(kids)
    for i, tok in enumerate(out):
        at_start = i == 0 or out[i - 1].get("type") in _BREAKS
        if not at_start or tok.get("type") != "inline_html":
            continue
        raw = tok.get("raw", "")
        # start 7 (a lone tag on the first line) opens a block too, but only there
        rest = out[i + 1 : i + 2]
        alone = (
            i == 0
            and _TAG.match(raw)
            and (
                not rest
                or rest[0].get("type") in _BREAKS
                or (
                    rest[0].get("type") == "text"
                    and not rest[0]["raw"].strip()
                    and (len(out) == i + 2 or out[i + 2].get("type") in _BREAKS)
                )
            )
        )
        if _INTERRUPTS.match(raw) or alone:
            record("exposed_block_tag", line, tok["raw"], tok["raw"])
            out[i] = {"type": "text", "raw": tok["raw"]}
    return merge_text(out)


def _tag_text(name: str, attrs: dict[str, str], self_closing: bool) -> str:
    import html

    parts = [name] + [f'{k}="{html.escape(v, quote=True)}"' for k, v in attrs.items()]
    return "<" + " ".join(parts) + ("/>" if self_closing else ">")
