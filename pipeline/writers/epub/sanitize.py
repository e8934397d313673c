"""Raw HTML from the input, made safe and valid for an EPUB content document.

An allow-list, applied with lxml: the tags a book needs are kept (renamed to their
XHTML equivalent where the HTML one is obsolete), scripts and styles go with their
content, every other known HTML tag is unwrapped (its text stays), and attributes
are dropped except a few harmless ones (``href`` with a safe scheme, ``title``,
table spans...). Inline styles, event handlers and ``javascript:`` URLs never pass.

What is not an HTML tag at all (``<filter>``, ``<if>``, ``<?php ... ?>``: prose
or code that happens to look like markup) is shown as the text it is, since a reader
of the original page saw it that way or the author meant it so.

Structure is repaired where XHTML requires it (a list holds only ``li``, a table
row only cells, no block inside a paragraph, no link inside a link).
"""

from __future__ import annotations

import html.parser
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

import lxml.html
from lxml import etree

from ..present import DROPPED_WITH_CONTENT, VOID_TAGS, is_html_tag, literal_pi, literal_tag
from .xhtml import Element, add_class, add_text, el, local, q, sub, xml_safe

#: phrasing elements kept as they are
PHRASING = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "br",
        "cite",
        "code",
        "del",
        "dfn",
        "em",
        "i",
        "ins",
        "kbd",
        "mark",
        "q",
        "ruby",
        "rp",
        "rt",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "u",
        "var",
        "wbr",
        "img",
    }
)
#: flow (block) elements kept as they are
FLOW = frozenset(
    {
        "p",
        "div",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "caption",
        "colgroup",
        "col",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "figure",
        "figcaption",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "address",
    }
)
#: HTML elements written as another one (obsolete or sectioning elements of a web page)
RENAME = {
    "center": "div",
    "section": "div",
    "article": "div",
    "header": "div",
    "footer": "div",
    "main": "div",
    "nav": "div",
    "aside": "div",
    "hgroup": "div",
    "details": "div",
    "summary": "div",
    "fieldset": "div",
    "form": "div",
    "legend": "div",
    "dialog": "div",
    "search": "div",
    "noscript": "div",
    "noembed": "div",
    "noframes": "div",
    "menu": "ul",
    "dir": "ul",
    "xmp": "pre",
    "listing": "pre",
    "plaintext": "pre",
    "tt": "code",
    "strike": "s",
    "acronym": "abbr",
    "big": "span",
    "font": "span",
    "blink": "span",
    "marquee": "span",
    "nobr": "span",
    "time": "span",
    "data": "span",
    "label": "span",
    "output": "span",
    "bdo": "span",
    "rb": "span",
    "rtc": "span",
    "textarea": "span",
}
#: removed with everything inside: not content
DROP = DROPPED_WITH_CONTENT
VOID = VOID_TAGS
_ALIGN = {"left", "center", "right", "justify"}


class Host(Protocol):
    """What the sanitizer needs from the document renderer."""

    def anchor(self, name: str) -> str: ...  # the book id for a source anchor name
    def set_link(self, node: Element, url: str) -> bool: ...  # False: not a usable link
    def html_image(self, src: str, alt: str, title: str, in_link: bool) -> Element: ...


def positive_int(value: str | None, limit: int = 1000) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if value.isdigit() and 0 < int(value) <= limit:
        return str(int(value))
    return None


def integer(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return str(int(value)) if re.fullmatch(r"-?\d{1,9}", value) else None


@dataclass
class Context:
    phrasing: bool = False  # only phrasing content may go here
    in_link: bool = False  # inside an <a>: no other link
    parent: str = "div"  # the output parent's tag


@dataclass
class Sanitizer:
    host: Host

    # -- blocks of raw HTML -------------------------------------------------------
    def block(self, raw: str, phrasing: bool = False, in_link: bool = False) -> Element:
        """``raw`` HTML as a ``div`` (``span`` in phrasing context) of safe XHTML."""
        out = el("span" if phrasing else "div", {"class": "html"})
        root = parse_fragment(raw)
        if root is not None:
            self.children(root, out, Context(phrasing, in_link, local(out)))
        return out

    def children(self, src: Element, out: Element, ctx: Context) -> None:
        if src.text:
            add_text(out, src.text)
        for child in src:
            self.node(child, out, ctx)
            if child.tail:
                add_text(out, child.tail)

    def node(self, src: Element, out: Element, ctx: Context) -> None:
        if isinstance(src, etree._Comment):
            return
        if isinstance(src, etree._ProcessingInstruction):
            add_text(out, literal_pi(src))
            return
        if not isinstance(src.tag, str):  # entities and the like: keep their text
            add_text(out, src.text or "")
            return
        name = src.tag.lower()
        if name in DROP:
            return
        if not is_html_tag(name):
            add_text(out, literal_tag(name, list(src.attrib.items())))
            self.children(src, out, ctx)
            if len(src) or src.text:
                add_text(out, literal_tag(name, [], end=True))
            return
        made = self.element(name, dict(src.attrib), out, ctx)
        if made is None:  # unwrapped: the children go where the element was
            self.children(src, out, ctx)
            return
        node, inner = made
        if node is not None and local(node) not in VOID:
            self.children(src, node, inner)
            fix_structure(node)

    def element(
        self, name: str, attrs: dict[str, str], out: Element, ctx: Context
    ) -> tuple[Element | None, Context] | None:
        """Make the output element for an HTML ``name`` under ``out``.

        Returns None to unwrap it (children go to ``out``), or the new element and
        the context of its children (``(None, ctx)``: dropped with its children).
        """
        if name == "img":
            out.append(
                self.host.html_image(
                    attrs.get("src") or "", attrs.get("alt") or "", attrs.get("title") or "", ctx.in_link
                )
            )
            return (None, ctx)
        tag: str | None = RENAME.get(name, name)
        if tag not in PHRASING and tag not in FLOW:
            return None
        parent = local(out)
        tag = self.placed(tag, parent, ctx)
        if tag is None:
            return None
        if tag == "hr" and ctx.phrasing:
            return (None, ctx)
        node = sub(out, tag)
        self.attributes(node, name, tag, attrs, ctx)
        if tag == "a" and not self.host_link(node, attrs):
            node.tag = q("span")
        if local(node) == "span" and not node.attrib:  # a bare span says nothing
            out.remove(node)
            return None
        inner = Context(
            phrasing=ctx.phrasing or tag in PHRASING or tag in PHRASING_ONLY,
            in_link=ctx.in_link or local(node) == "a",
            parent=tag,
        )
        return node, inner

    @staticmethod
    def placed(tag: str, parent: str, ctx: Context) -> str | None:
        """The tag to write for ``tag`` under ``parent`` (None: unwrap)."""
        if ctx.phrasing and tag in FLOW:
            return None if tag in ("col", "colgroup") else ("span" if tag != "hr" else "hr")
        if tag == "a" and ctx.in_link:
            return "span"
        if tag == "li" and parent not in ("ul", "ol"):
            return "div"
        if tag in ("td", "th") and parent != "tr":
            return "div"
        if tag == "tr" and parent not in ("table", "thead", "tbody", "tfoot"):
            return "div"
        if tag in ("thead", "tbody", "tfoot", "caption") and parent != "table":
            return "div"
        if (tag == "col" and parent != "colgroup") or (tag == "colgroup" and parent != "table"):
            return None
        if tag in ("dt", "dd") and parent not in ("dl", "div"):
            return "div"
        if tag == "figcaption" and parent != "figure":
            return "div"
        if tag in ("rt", "rp") and parent != "ruby":
            return "span"
        return tag

    def host_link(self, node: Element, attrs: dict[str, str]) -> bool:
        href = (attrs.get("href") or "").strip()
        return bool(href) and self.host.set_link(node, href)

    def attributes(self, node: Element, name: str, tag: str, attrs: dict[str, str], ctx: Context) -> None:
        anchor = attrs.get("id") or attrs.get("name")
        if anchor and anchor.strip():
            node.set("id", self.host.anchor(anchor.strip()))
        title = attrs.get("title")
        if title and title.strip() and tag in ("a", "abbr", "span", "dfn", "q"):
            node.set("title", xml_safe(title.strip()))
        if tag in ("td", "th"):
            for key in ("colspan", "rowspan"):
                value = positive_int(attrs.get(key))
                if value and value != "1":
                    node.set(key, value)
            align = (attrs.get("align") or "").strip().lower()
            if align in _ALIGN:
                add_class(node, "align-" + align)
            scope = (attrs.get("scope") or "").strip().lower()
            if tag == "th" and scope in ("row", "col", "rowgroup", "colgroup"):
                node.set("scope", scope)
        elif tag in ("col", "colgroup"):
            value = positive_int(attrs.get("span"))
            if value and value != "1":
                node.set("span", value)
        elif tag == "ol":
            start = integer(attrs.get("start"))
            if start is not None:
                node.set("start", start)
            if "reversed" in attrs:
                node.set("reversed", "reversed")
            kind = (attrs.get("type") or "").strip()
            if kind in ("1", "a", "A", "i", "I"):
                node.set("type", kind)
        elif tag == "li":
            value = integer(attrs.get("value"))
            if value is not None and ctx.parent == "ol":
                node.set("value", value)
        elif tag in ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6"):
            align = (attrs.get("align") or "").strip().lower()
            if align in _ALIGN:
                add_class(node, "align-" + align)
        if name == "center":
            add_class(node, "align-center")

    # -- single inline tags (mistune's inline_html tokens) ------------------------
    def inline_tag(self, tag: Tag, out: Element, in_link: bool) -> tuple[str, Element | None]:
        """What an inline tag becomes under ``out``.

        Returns ``(action, element)``: ``push`` (an element that takes the text up to
        the end tag), ``void`` (an element already added), ``discard`` (drop the text
        up to the end tag), ``skip`` (nothing), ``literal`` (show the tag as text).
        """
        if tag.kind == "comment":
            return "skip", None
        if tag.kind == "other" or not is_html_tag(tag.name):
            return "literal", None
        name = tag.name
        if tag.kind == "end":
            return "end", None
        if name in DROP:
            return ("skip" if name in VOID or tag.kind == "startend" else "discard"), None
        if name == "img":
            attrs = dict(tag.attrs)
            out.append(
                self.host.html_image(
                    attrs.get("src") or "", attrs.get("alt") or "", attrs.get("title") or "", in_link
                )
            )
            return "void", out[-1]
        target = RENAME.get(name, name)
        if target not in PHRASING:
            return "skip", None  # block tags inside a paragraph are unwrapped
        if target == "a" and in_link:
            target = "span"
        node = sub(out, target)
        self.attributes(node, name, target, dict(tag.attrs), Context(True, in_link, local(out)))
        if target == "a" and not self.host_link(node, dict(tag.attrs)):
            node.tag = q("span")
        if target in VOID or tag.kind == "startend":
            return "void", node
        return "push", node


#: phrasing-only containers among the flow elements (their children are phrasing)
PHRASING_ONLY = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt", "caption", "figcaption"})


@dataclass
class Tag:
    """One tag as written in the source: kind is start, end, startend, comment or other."""

    kind: str
    name: str = ""
    attrs: list[tuple[str, str]] = field(default_factory=list)


class _TagReader(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[Tag] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(Tag("start", tag.lower(), [(k, v or "") for k, v in attrs]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(Tag("startend", tag.lower(), [(k, v or "") for k, v in attrs]))

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(Tag("end", tag.lower()))

    def handle_comment(self, data: str) -> None:
        self.tags.append(Tag("comment"))


def parse_tag(raw: str) -> Tag:
    """Read one inline HTML token (``<sup>``, ``</a>``, ``<!-- x -->``, ``<?php ?>``)."""
    s = raw.strip()
    if s.startswith("<!--"):
        return Tag("comment")
    if not re.match(r"</?[A-Za-z]", s):
        return Tag("other")
    reader = _TagReader()
    try:
        reader.feed(s)
        reader.close()
    except Exception:  # pragma: no cover - html.parser is lenient
        return Tag("other")
    if len(reader.tags) != 1:
        return Tag("other")
    return reader.tags[0]


def parse_fragment(raw: str) -> Element | None:
    """Parse an HTML fragment; the result's children are the fragment's nodes."""
    if not raw.strip():
        return None
    parser = lxml.html.HTMLParser(remove_comments=True, no_network=True, recover=True, default_doctype=False)
    try:
        doc = lxml.html.document_fromstring("<html><body><div>" + raw + "</div></body></html>", parser=parser)
    except (etree.ParserError, ValueError):
        return None
    body = doc.find("body")
    if body is None:
        return None
    # everything in body: the wrapper div and whatever the parser moved out of it
    wrapper = etree.Element("div")
    wrapper.text = body.text
    for child in list(body):
        wrapper.append(child)
    if (
        len(wrapper) == 1
        and wrapper[0].tag == "div"
        and not (wrapper.text or "").strip()
        and not (wrapper[0].tail or "").strip()
        and not wrapper[0].attrib
    ):
        inner = wrapper[0]
        inner.tail = None
        return inner
    return wrapper


# -- structure repair ---------------------------------------------------------------
_ALLOWED_CHILDREN = {
    "ul": ("li",),
    "ol": ("li",),
    "tr": ("td", "th"),
    "thead": ("tr",),
    "tbody": ("tr",),
    "tfoot": ("tr",),
    "dl": ("dt", "dd", "div"),
    "colgroup": ("col",),
}
_WRAPPER = {"ul": "li", "ol": "li", "tr": "td", "thead": "tr", "tbody": "tr", "tfoot": "tr", "dl": "dd"}


def fix_structure(node: Element) -> None:
    """Make ``node``'s children what XHTML allows there (wrapping stray content)."""
    tag = local(node)
    if tag == "table":
        _fix_table(node)
        return
    allowed = _ALLOWED_CHILDREN.get(tag)
    if allowed is None:
        return
    if tag == "colgroup":
        node.text = None
        for child in list(node):
            child.tail = None
            if local(child) != "col":
                node.remove(child)
        return
    _wrap_stray(node, allowed, _WRAPPER[tag])
    if tag in ("thead", "tbody", "tfoot"):
        for row in node:
            _wrap_stray(row, ("td", "th"), "td")


def _wrap_stray(node: Element, allowed: tuple[str, ...], wrapper: str) -> None:
    """Group text and elements that may not be children of ``node`` into ``wrapper``s."""
    items: list[tuple[str, Any]] = []  # ("el", element) or ("text", str), in order
    if node.text:
        items.append(("text", node.text))
    for child in node:
        items.append(("el", child))
        if child.tail:
            items.append(("text", child.tail))
    if all((kind == "el" and local(v) in allowed) or (kind == "text" and not v.strip()) for kind, v in items):
        node.text = None
        for child in node:
            child.tail = None
        return
    node.text = None
    for child in list(node):
        child.tail = None
        node.remove(child)
    current: Element | None = None
    for kind, value in items:
        if kind == "el" and local(value) in allowed:
            node.append(value)
            current = None
            continue
        if kind == "text" and not value.strip():
            if current is not None:
                add_text(current, value)
            continue
        if current is None:
            current = sub(node, wrapper)
            if wrapper == "tr":
                current = sub(current, "td")
        if kind == "text":
            add_text(current, value)
        else:
            current.append(value)
    if wrapper == "tr":
        for row in node:
            _wrap_stray(row, ("td", "th"), "td")


def _fix_table(table: Element) -> None:
    """Caption, column groups and head first, foot last; rows (and any stray content,
    as a row of its own, where it stood) in bodies between."""
    captions: list[Element] = []
    colgroups: list[Element] = []
    heads: list[Element] = []
    bodies: list[Element] = []
    foots: list[Element] = []
    items: list[Any] = []  # elements and stray text
    if table.text and table.text.strip():
        items.append(table.text)
    table.text = None
    for child in list(table):
        tail = child.tail
        child.tail = None
        table.remove(child)
        items.append(child)
        if tail and tail.strip():
            items.append(tail)
    run: Element | None = None
    for item in items:
        tag = local(item) if not isinstance(item, str) else ""
        if tag == "caption" and not captions:
            captions.append(item)
        elif tag == "colgroup":
            colgroups.append(item)
        elif tag == "thead" and not heads:
            heads.append(item)
        elif tag == "tfoot" and not foots:
            foots.append(item)
        elif tag in ("tbody", "thead", "tfoot"):
            item.tag = q("tbody")
            bodies.append(item)
            run = None
        else:
            if run is None:
                run = el("tbody")
                bodies.append(run)
            if tag == "tr":
                run.append(item)
            else:  # stray text or element: a row of its own
                cell = sub(sub(run, "tr"), "td")
                if isinstance(item, str):
                    add_text(cell, item)
                else:
                    cell.append(item)
    for part in captions + colgroups + heads + bodies + foots:
        table.append(part)
    for part in heads + bodies + foots:
        _wrap_stray(part, ("tr",), "tr")
        for row in part:
            _wrap_stray(row, ("td", "th"), "td")
    for cell in table.iter(q("th")):
        if not len(cell) and not (cell.text or "").strip():
            cell.tag = q("td")  # an empty header cell heads nothing (the corner of a grid)
            cell.attrib.pop("scope", None)
