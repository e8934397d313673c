"""The shared tree as XHTML elements: the body of the EPUB's content documents.

Read-only on the tree (writers only render). Besides the elements it collects what
the package needs: the heading outline, the footnotes (EPUB 3 ``aside`` notes),
the images used, and the links to resolve once every anchor is known.

Internal links are written ``#id`` first; the writer rewrites them to
``file.xhtml#id`` once the body is split into files.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from dataclasses import dataclass
from typing import Any

from ...document import Document
from ...tree import inline_text
from ..present import (
    all_joined_breaks,
    alt_text,
    caption,
    figure_pictures,
    footnote_items,
    heads_nothing,
    picture_text,
    referenced_notes,
    remote_address,
    table_parts,
    task_box,
    words,
)
from ..visitor import SKIP_NODE, TreeVisitor
from .images import packaged
from .sanitize import Sanitizer, parse_tag
from .xhtml import EPUB_TYPE, Element, Ids, add_class, add_text, el, local, q, sub

Token = dict[str, Any]
IMAGE_DIR = "../images/"
SAFE_SCHEMES = ("http", "https", "mailto", "ftp")
_ALIGN = {"left", "center", "right"}
_URL_SAFE = ";/?:@&=+$,-_.!~*'()%"
_HOST = re.compile(r"(?:[A-Za-z0-9_-]+\.)*[A-Za-z0-9_-]+\.?\Z")


@dataclass
class Heading:
    level: int
    text: str
    id: str


def safe_url(url: str) -> str | None:
    """``url`` as a valid absolute URL with a harmless scheme, or None.

    Characters a URL cannot hold (spaces, non-ASCII, brackets outside an IPv6 host)
    are percent-encoded; a stray ``%`` becomes ``%25``; a non-ASCII host goes to IDNA.
    """
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in SAFE_SCHEMES:
        return None
    if scheme == "mailto":
        return _pct("mailto:" + _quote(url[len(parts.scheme) + 1 :], "@"))
    if not host:
        return None
    netloc = parts.netloc
    if not netloc.isascii() or re.search(r"[\s<>\"{}|\\^`%]", netloc):
        if parts.username or parts.password:
            return None
        try:
            netloc = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
        if port is not None:
            netloc += f":{port}"
    if ":" not in host and not _HOST.match(netloc.rpartition("@")[2].split(":")[0]):
        return None  # not a host name a URL parser accepts (empty label, odd characters)
    return _pct(
        urllib.parse.urlunsplit(
            (scheme, netloc, _quote(parts.path), _quote(parts.query), _quote(parts.fragment))
        )
    )


def _quote(part: str, extra: str = "") -> str:
    return urllib.parse.quote(part, safe=_URL_SAFE + extra)


def _pct(url: str) -> str:
    return re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", url)


def slug(text: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    text = text.strip().lower()
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return text.replace(" ", "-")


class ContentRenderer(TreeVisitor):
    """Renders a document's tree to XHTML elements: how each node looks in a book."""

    def __init__(self, doc: Document, lang: str) -> None:
        super().__init__(doc)
        self.lang = lang
        self.words = words(lang)
        self.ids = Ids()
        self.headings: list[Heading] = []
        #: footnote index -> its element (an ``aside``; a ``div`` for a note nothing refers to)
        self.notes: dict[Any, Element] = {}
        #: footnote index -> ids of its references, in order
        self.note_refs: dict[Any, list[str]] = {}
        #: asset names used, in order of first use
        self.assets: list[str] = []
        #: asset name -> the bytes packaged for it (None: cannot be packaged)
        self.images: dict[str, bytes | None] = {}
        #: pictures left online (shown as placeholders)
        self.remote_images = 0
        #: pictures in the book with an empty alt text
        self.alt_missing = 0
        self.anchors: dict[str, str] = {}
        self._pending_links: list[tuple[Element, str]] = []
        self._note_ids: dict[Any, str] = {}
        #: the element blocks go into (the innermost open block container)
        self._parents: list[Element] = []
        #: inline runs being filled, innermost last: the inline HTML elements open in
        #: each (``_OpenTags``) and whether a link encloses it
        self._runs: list[tuple[_OpenTags, bool]] = []
        #: text and line breaks in a row go in at once: lxml copies a node's text on
        #: every addition, which made a paragraph of thousands of lines quadratic
        self._text: list[str] = []
        self._joined: set[int] = set()
        #: a figure's picture is being written (it is no picture in a line of text)
        self._in_figure = False
        self.sanitizer = Sanitizer(self)

    # -- the whole tree --------------------------------------------------------------
    def render(self, tree: list[Token]) -> list[Element]:
        """Top-level elements of the body (footnotes apart, in ``notes``)."""
        for tok in tree:  # note ids first, so references can point at them
            if tok.get("type") == "footnotes":
                for item in tok.get("children") or []:
                    index = (item.get("attrs") or {}).get("index")
                    self._note_ids.setdefault(index, self.ids.claim(f"fn-{index}"))
        self._joined = all_joined_breaks(tree)
        out = el("div")
        self._parents.append(out)
        self.walk(tree)
        self._parents.pop()
        for tok in tree:
            if tok.get("type") == "footnotes":
                self.footnotes(tok)
        self.resolve_anchors()
        return list(out)

    def resolve_anchors(self) -> None:
        for node, fragment in self._pending_links:
            target = self.anchors.get(fragment) or self.anchors.get(fragment.lower())
            if target:
                node.set("href", "#" + target)
            else:
                node.tag = q("span")
                node.attrib.pop("href", None)
        self._pending_links.clear()

    # -- Host protocol (used by the sanitizer) -----------------------------------
    def anchor(self, name: str) -> str:
        if name in self.anchors:
            return self.ids.new("a")
        new = self.ids.new("a")
        self.anchors[name] = new
        return new

    def set_link(self, node: Element, url: str) -> bool:
        url = url.strip()
        if url.startswith("#"):
            fragment = urllib.parse.unquote(url[1:])
            if not fragment:
                return False
            node.set("href", "#")
            self._pending_links.append((node, fragment))
            return True
        href = safe_url(url)
        if href is None:
            return False
        node.set("href", href)
        return True

    def html_image(self, src: str, alt: str, title: str, in_link: bool) -> Element:
        src = src.strip()
        return self.placeholder(src if remote_address(src) else None, alt.strip(), in_link)

    # -- where output goes ----------------------------------------------------------------
    @property
    def parent(self) -> Element:
        """The element the current block goes into."""
        return self._parents[-1]

    def open_run(self, node: Element, in_link: bool) -> None:
        """Inline content from here on goes into ``node`` (until :meth:`close_run`)."""
        self.flush()
        self._runs.append((_OpenTags(node), in_link))

    def close_run(self) -> None:
        self.flush()
        self._runs.pop()

    def flush(self) -> None:
        """Put the text gathered so far where inline content goes now."""
        if self._text:
            add_text(self._runs[-1][0][-1][1], "".join(self._text))
            self._text.clear()

    def _here(self) -> tuple[Element, bool]:
        """(the element inline content goes into, whether a link encloses it)."""
        self.flush()
        stack, in_link = self._runs[-1]
        return stack[-1][1], in_link or stack.links > 0

    def inline(self, tokens: list[Token], node: Element, in_link: bool = False) -> None:
        """Inline ``tokens`` into ``node``."""
        self.open_run(node, in_link)
        self.walk(tokens)
        self.close_run()

    # -- blocks -------------------------------------------------------------------------
    def visit_paragraph(self, tok: Token) -> Any:
        kids = tok.get("children") or []
        pictures = figure_pictures(kids)
        if pictures:
            for image, link in pictures:
                self.figure(image, link)
            return SKIP_NODE
        self.inline(kids, sub(self.parent, "p"))
        return SKIP_NODE

    def figure(self, image: Token, link: Token | None) -> None:
        """A picture that stands alone, maybe in a link, with its caption."""
        figure = sub(self.parent, "figure", {"class": "image"})
        self._in_figure = True
        if link is not None:
            self.link(link, figure, in_link=False)
        else:
            self.image(image, figure, in_link=False, inline=False)
        self._in_figure = False
        name = (image.get("attrs") or {}).get("asset")
        shown = caption(image, placeholder=not (name and self.packaged(name) is not None))
        if shown:
            sub(figure, "figcaption", text=shown)

    def visit_block_text(self, tok: Token) -> Any:
        parent = self.parent
        if local(parent) == "li" and not len(parent) and not (parent.text or "").strip():
            self.inline(tok.get("children") or [], parent)
            return SKIP_NODE
        return self.visit_paragraph(tok)

    def visit_heading(self, tok: Token) -> Any:
        level = min(max(int((tok.get("attrs") or {}).get("level", 2)), 1), 6)
        hid = self.ids.new("h")
        node = sub(self.parent, f"h{level}", {"id": hid})
        self.inline(tok.get("children") or [], node)
        text = " ".join(inline_text(tok.get("children")).split())
        if not text:
            text = " ".join(inline_text(tok.get("children"), alt=True).split())
        self.headings.append(Heading(level, text, hid))
        for name in (slug(text), text):
            if name and name not in self.anchors:
                self.anchors[name] = hid
        return SKIP_NODE

    def visit_block_code(self, tok: Token) -> Any:
        raw = tok.get("raw", "")
        if raw.endswith("\n"):
            raw = raw[:-1]
        pre = sub(self.parent, "pre")
        code = sub(pre, "code")
        info = ((tok.get("attrs") or {}).get("info") or "").split()
        if info:
            lang = re.sub(r"[^A-Za-z0-9_+-]", "", info[0])
            if lang:
                code.set("class", "language-" + lang)
        add_text(code, raw)
        return SKIP_NODE

    def visit_block_quote(self, tok: Token) -> None:
        self._parents.append(sub(self.parent, "blockquote"))

    def depart_block_quote(self, tok: Token) -> None:
        self._parents.pop()

    def visit_thematic_break(self, tok: Token) -> None:
        sub(self.parent, "hr")

    def visit_block_html(self, tok: Token) -> None:
        node = self.sanitizer.block(tok.get("raw", ""))
        if len(node) or (node.text or "").strip():
            self.parent.append(node)

    def visit_list(self, tok: Token) -> None:
        attrs = tok.get("attrs") or {}
        ordered = bool(attrs.get("ordered"))
        node = sub(self.parent, "ol" if ordered else "ul")
        start = attrs.get("start")
        if ordered and isinstance(start, int) and start != 1:
            node.set("start", str(start))
        self._parents.append(node)

    def depart_list(self, tok: Token) -> None:
        self._parents.pop()

    def visit_list_item(self, tok: Token) -> None:
        self._parents.append(sub(self.parent, "li"))

    def depart_list_item(self, tok: Token) -> None:
        self._parents.pop()

    visit_task_list_item = visit_list_item

    def depart_task_list_item(self, tok: Token) -> None:
        li = self._parents.pop()
        checked = bool((tok.get("attrs") or {}).get("checked"))
        add_class(li, "task")
        box = el("span", {"class": "task-box generated"}, task_box(checked))
        first = li[0] if len(li) and local(li[0]) == "p" and not (li.text or "").strip() else li
        box.tail = first.text
        first.text = None
        first.insert(0, box)

    def visit_table(self, tok: Token) -> Any:
        parts = table_parts(tok)
        table = sub(self.parent, "table")
        row = sub(sub(table, "thead"), "tr")
        for head in parts.head:
            tag = "td" if heads_nothing(head) else "th"
            self.cell(head, row, tag, (head.get("attrs") or {}).get("align"))
        body = sub(table, "tbody")
        for cells in parts.body:
            row = sub(body, "tr")
            for cell, column in zip(cells, parts.aligns, strict=False):
                align = (cell.get("attrs") or {}).get("align") if cell is not None else column
                self.cell(cell, row, "td", align)
        return SKIP_NODE

    def cell(self, cell: Token | None, row: Element, tag: str, align: str | None) -> None:
        """A cell (None: missing in a short row)."""
        node = sub(row, tag)
        if align in _ALIGN:
            node.set("class", "align-" + align)
        if cell is not None:
            self.inline(cell.get("children") or [], node)

    def visit_footnotes(self, tok: Token) -> Any:
        return SKIP_NODE  # after the body: see render()

    def unknown_visit(self, tok: Token) -> Any:
        kids = tok.get("children")
        if self._runs:  # among inline content
            if isinstance(kids, list):
                node, in_link = self._here()
                self.inline(kids, node, in_link)
            elif isinstance(tok.get("raw"), str):
                self._text.append(tok["raw"])
            return SKIP_NODE
        if isinstance(kids, list):
            if kids and all(k.get("type") in INLINE for k in kids):
                self.inline(kids, sub(self.parent, "p"))
                return SKIP_NODE
            return None  # blocks: walked into the current parent
        if isinstance(tok.get("raw"), str) and tok["raw"].strip():
            sub(self.parent, "p", text=tok["raw"])
        return SKIP_NODE

    # -- footnotes --------------------------------------------------------------------
    def footnotes(self, tok: Token) -> None:
        referenced = referenced_notes(self.doc.tree or []) if self.doc is not None else set()
        for index, item in footnote_items([tok]).items():
            if index in self.notes:
                continue
            nid = self._note_ids.get(index) or self.ids.claim(f"fn-{index}")
            if index in referenced:
                note = el("aside", {"id": nid, "class": "footnote", "role": "doc-footnote"})
                note.set(EPUB_TYPE, "footnote")
            else:  # nobody's note: text of its own, which readers do not hide as a note
                note = el("div", {"id": nid, "class": "footnote"})
            self._parents.append(note)
            self.walk(item.get("children") or [])
            self._parents.pop()
            refs = self.note_refs.get(index)
            if refs:
                label = el(
                    "a",
                    {"href": "#" + refs[0], "class": "backlink generated", "role": "doc-backlink"},
                    f"{index}.",
                )
            else:
                label = el("span", {"class": "backlink generated"}, f"{index}.")
            first = note[0] if len(note) and local(note[0]) == "p" else None
            if first is None:
                first = el("p")
                note.insert(0, first)
            label.tail = " " + (first.text or "")
            first.text = None
            first.insert(0, label)
            add_class(first, "footnote-first")
            self.notes[index] = note

    def visit_footnote_ref(self, tok: Token) -> None:
        parent, in_link = self._here()
        self.noteref(tok, parent, in_link)

    def noteref(self, tok: Token, parent: Element, in_link: bool) -> None:
        index = (tok.get("attrs") or {}).get("index")
        refs = self.note_refs.setdefault(index, [])
        rid = self.ids.claim(f"fnref-{index}" if not refs else f"fnref-{index}-{len(refs) + 1}")
        refs.append(rid)
        sup = sub(parent, "sup", {"class": "noteref"})
        target = self._note_ids.get(index)
        if in_link or target is None:  # no link inside a link: the number alone
            sub(sup, "span", {"id": rid, "class": "generated"}, str(index))
            return
        a = sub(
            sup,
            "a",
            {"id": rid, "href": "#" + target, "class": "generated", "role": "doc-noteref"},
            str(index),
        )
        a.set(EPUB_TYPE, "noteref")

    # -- inline -------------------------------------------------------------------------
    def visit_text(self, tok: Token) -> None:
        self._text.append(tok.get("raw", ""))

    def visit_softbreak(self, tok: Token) -> None:
        # a line break between two CJK characters is not a space
        self._text.append("" if id(tok) in self._joined else "\n")

    def visit_inline_html(self, tok: Token) -> None:
        self.flush()
        stack, in_link = self._runs[-1]
        self.inline_html(tok.get("raw", ""), stack, in_link)

    def visit_linebreak(self, tok: Token) -> None:
        sub(self._here()[0], "br")

    def visit_codespan(self, tok: Token) -> None:
        sub(self._here()[0], "code", text=tok.get("raw", ""))

    def visit_emphasis(self, tok: Token) -> None:
        self.open_tag(tok, "em")

    def visit_strong(self, tok: Token) -> None:
        self.open_tag(tok, "strong")

    def visit_strikethrough(self, tok: Token) -> None:
        self.open_tag(tok, "del")

    def open_tag(self, tok: Token, tag: str) -> None:
        parent, in_link = self._here()
        self.open_run(sub(parent, tag), in_link)

    def close_tag(self, tok: Token) -> None:
        self.close_run()

    depart_emphasis = depart_strong = depart_strikethrough = close_tag

    def visit_link(self, tok: Token) -> Any:
        parent, in_link = self._here()
        self.link(tok, parent, in_link)
        return SKIP_NODE

    def visit_image(self, tok: Token) -> Any:
        parent, in_link = self._here()
        self.image(tok, parent, in_link, inline=not self._in_figure)
        return SKIP_NODE

    def inline_html(self, raw: str, stack: _OpenTags, in_link: bool) -> None:
        tag = parse_tag(raw)
        _name, cur = stack[-1]
        in_link = in_link or stack.links > 0
        action, node = self.sanitizer.inline_tag(tag, cur, in_link)
        if action == "literal":
            add_text(cur, raw)
        elif action == "push":
            assert node is not None  # a pushed tag comes with its element
            if len(stack) > MAX_INLINE_DEPTH:
                cur.remove(node)  # deeper than any page means: the text goes on where it is
            else:
                stack.append((tag.name, node))
        elif action == "discard":
            stack.append((tag.name, el("span")))  # detached: what goes in is dropped
        elif action == "end":
            stack.close(tag.name)

    def link(self, tok: Token, parent: Element, in_link: bool) -> None:
        attrs = tok.get("attrs") or {}
        kids = tok.get("children") or []
        if in_link:
            self.inline(kids, sub(parent, "span"), True)
            return
        node = sub(parent, "a")
        if not self.set_link(node, attrs.get("url") or ""):
            node.tag = q("span")
        elif attrs.get("title"):
            node.set("title", attrs["title"])
        self.inline(kids, node, local(node) == "a")

    def image(self, tok: Token, parent: Element, in_link: bool, inline: bool) -> None:
        attrs = tok.get("attrs") or {}
        alt = alt_text(tok)
        name = attrs.get("asset")
        if name and self.packaged(name) is not None:
            img = sub(parent, "img", {"src": IMAGE_DIR + name, "alt": alt})
            if attrs.get("title"):
                img.set("title", attrs["title"])
            if inline:
                img.set("class", "inline")
            if not alt:
                self.alt_missing += 1
            if name not in self.assets:
                self.assets.append(name)
            return
        url = attrs.get("url") or ""
        parent.append(self.placeholder(url if attrs.get("remote") else None, alt, in_link))

    def packaged(self, name: str) -> bytes | None:
        """The bytes the book carries for asset ``name`` (None: it cannot go in)."""
        if name not in self.images:
            asset = self.doc.assets.get(name)
            self.images[name] = packaged(asset) if asset is not None else None
        return self.images[name]

    def placeholder(self, url: str | None, alt: str, in_link: bool) -> Element:
        """A picture that is not in the book: its alt text (or a label), linking to it."""
        box = el("span", {"class": "image-placeholder"})
        href = safe_url(url) if url else None
        if url:
            self.remote_images += 1
        if href and not in_link:
            holder = sub(box, "a", {"href": href})
        else:
            holder = box
            if not url:
                add_class(box, "missing")
        label, shown = picture_text(alt, self.lang, read=bool(url))
        if label:
            sub(holder, "span", {"class": "generated"}, label)
        add_text(holder, shown)
        if local(holder) == "a":
            sub(holder, "span", {"class": "online generated"}, self.words.online)
        return box


INLINE = frozenset(
    {
        "text",
        "emphasis",
        "strong",
        "strikethrough",
        "codespan",
        "link",
        "image",
        "inline_html",
        "linebreak",
        "softbreak",
        "footnote_ref",
    }
)


#: inline HTML elements nested deeper than this are not nested further (XML readers stop
#: at 256 levels, and walking a deep tree costs its depth at every step)
MAX_INLINE_DEPTH = 32


class _OpenTags(list[tuple[str, Element]]):
    """The inline HTML elements open in a paragraph, as ``(name, node)`` above the
    paragraph itself, counted so that "inside a link?" and closing a tag that is not
    open take constant time however deep the nesting."""

    def __init__(self, parent: Element):
        super().__init__([("", parent)])
        self.names: dict[str, int] = {}
        self.links = 0

    def append(self, item: tuple[str, Element]) -> None:
        super().append(item)
        self.names[item[0]] = self.names.get(item[0], 0) + 1
        self.links += local(item[1]) == "a"

    def close(self, name: str) -> None:
        """Close the innermost open ``name`` and what was opened inside it."""
        if not self.names.get(name):
            return
        while len(self) > 1:
            opened, node = self.pop()
            self.names[opened] -= 1
            self.links -= local(node) == "a"
            if opened == name:
                return
