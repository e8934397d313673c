"""XHTML building blocks shared by the EPUB modules: namespaces, elements, safe text, ids.

Everything the EPUB writer puts in a content document goes through these helpers,
so that the result is always well-formed XML: text and attribute values lose the
characters XML 1.0 cannot carry (C0 controls, lone surrogates, U+FFFE/U+FFFF), and
ids are ASCII XML names handed out in document order (so two runs give the same ids).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = f"{{{OPS}}}type"
NSMAP = {None: XHTML, "epub": OPS}

Element = etree._Element

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text


def q(tag: str) -> str:
    """The qualified (XHTML namespace) name of ``tag``."""
    return f"{{{XHTML}}}{tag}"


def local(el: Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def el(tag: str, attrib: dict[str, str] | None = None, text: str | None = None) -> Element:
    node = etree.Element(q(tag), nsmap=NSMAP)
    for k, v in (attrib or {}).items():
        node.set(k, xml_safe(v))
    if text:
        node.text = xml_safe(text)
    return node


def sub(parent: Element, tag: str, attrib: dict[str, str] | None = None, text: str | None = None) -> Element:
    node = etree.SubElement(parent, q(tag))
    for k, v in (attrib or {}).items():
        node.set(k, xml_safe(v))
    if text:
        node.text = xml_safe(text)
    return node


def add_text(parent: Element, text: str) -> None:
    """Append text at the end of ``parent`` (after its last child, if any)."""
    if not text:
        return
    text = xml_safe(text)
    try:
        last = parent[-1]  # constant time; len(parent) counts every child
    except IndexError:
        parent.text = (parent.text or "") + text
    else:
        last.tail = (last.tail or "") + text


def add_class(node: Element, *names: str) -> None:
    have = (node.get("class") or "").split()
    for n in names:
        if n and n not in have:
            have.append(n)
    if have:
        node.set("class", " ".join(have))


def is_xml_name(value: str) -> bool:
    """An ASCII XML name without colons (what the ids this writer makes look like)."""
    return bool(_XML_NAME.match(value))


class Ids:
    """Unique ASCII ids (``prefix-n``), numbered per prefix in the order asked for."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}
        self.used: set[str] = set()

    def new(self, prefix: str) -> str:
        n = self._next.get(prefix, 0)
        while True:
            n += 1
            candidate = f"{prefix}-{n}"
            if candidate not in self.used:
                break
        self._next[prefix] = n
        self.used.add(candidate)
        return candidate

    def claim(self, value: str) -> str:
        """``value`` itself if free and a valid name, else a fresh id from it."""
        if is_xml_name(value) and value not in self.used:
            self.used.add(value)
            return value
        return self.new(value if is_xml_name(value) else "id")


def serialize(root: Element) -> bytes:
    """A complete XHTML document: XML declaration, HTML5 doctype, UTF-8."""
    body = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + body + b"\n"


def size_of(nodes: Iterable[Element]) -> int:
    return sum(len(etree.tostring(n, encoding="utf-8")) for n in nodes)


def document(
    title: str, lang: str, css: str | None, body: list[Element], body_class: str = "", body_type: str = ""
) -> Element:
    """An XHTML content document around ``body`` (elements are moved into it)."""
    root = etree.Element(q("html"), nsmap=NSMAP)
    root.set("lang", lang)
    root.set(XML_LANG, lang)
    head = sub(root, "head")
    sub(head, "meta", {"charset": "utf-8"})
    sub(head, "title", text=title or lang)
    if css:
        sub(head, "link", {"rel": "stylesheet", "type": "text/css", "href": css})
    node = sub(root, "body")
    if body_class:
        node.set("class", body_class)
    if body_type:
        node.set(EPUB_TYPE, body_type)
    for child in body:
        node.append(child)
    etree.cleanup_namespaces(root, top_nsmap=NSMAP)
    return root
