"""An SVG picture made safe once, in the image step, for every writer.

An SVG is a document: it can run scripts (``<script>``, ``onload=``), hold a web
page (``<foreignObject>``), load other files and addresses (``<image href>``,
``<use href>``, ``<feImage>``, CSS ``url(…)`` and ``@import``), and declare
entities that read local files (XXE) or expand without end ("billion laughs").
The Markdown writer's copy, the EPUB and the DOCX (a PNG drawn by resvg) all carry
what this module returns:

- parsed by lxml with no entity resolved, no DTD and no network loaded, no huge
  tree; a document whose entities expand past libxml2's bound is refused;
- only SVG elements from an allow-list stay; scripts, ``foreignObject``, elements of
  other namespaces (editor metadata) and unknown elements go with their content;
- ``on…`` attributes go; references (``href``, ``xlink:href``) stay only to the same
  document (``#id``) or, on pictures, to embedded ``data:`` images; an element that
  only exists to load something else (``<use>``, ``<image>``, ``<feImage>``) goes
  with its outside reference, a link (``<a>``) keeps its content;
- CSS in ``<style>`` and in attributes loses ``@import`` and outside ``url(…)``;
- an entity reference that is left (an external entity, an undeclared one) goes;
  a declared internal entity of plain text is written out.

What went is counted, so that the report says what happened to the picture.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
HREFS = (f"{{{XLINK_NS}}}href", "href")

#: static SVG 1.1 / 2 elements (no scripting, no foreign content, nothing that loads)
ALLOWED = frozenset(
    """
svg g defs desc title metadata symbol use image switch style path rect circle ellipse line
polyline polygon text tspan textPath tref a view marker pattern clipPath mask linearGradient
radialGradient stop filter feBlend feColorMatrix feComponentTransfer feComposite
feConvolveMatrix feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA
feFuncB feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset
fePointLight feSpecularLighting feSpotLight feTile feTurbulence animate animateMotion
animateTransform animateColor set mpath solidcolor hatch hatchpath meshgradient meshrow meshpatch
font font-face font-face-src font-face-name glyph missing-glyph hkern vkern altGlyph altGlyphDef
altGlyphItem glyphRef
""".split()
)
SCRIPTING = frozenset({"script", "handler", "listener"})
#: elements that stand for what they load: without it they are nothing
LOADERS = frozenset({"use", "image", "feImage", "tref", "altGlyph", "glyphRef"})
ANIMATIONS = frozenset({"animate", "animateMotion", "animateTransform", "animateColor", "set"})
PICTURE_DATA = re.compile(r"data:image/(?:png|jpeg|jpg|gif|webp)[;,]", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\r\n\f]?|(.))", re.S)
_CSS_IMPORT = re.compile(r"@import\b[^;{}]*(?:;|$)", re.I)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*?))\s*\)""", re.I)
_CSS_IMAGE_SET = re.compile(r"(?:-webkit-)?image-set\([^)]*\)", re.I)
_AMPLIFICATION = (
    "amplification",
    "entity reference loop",
    "Detected an entity reference loop",
    "huge",
    "entity loop",
)


class SvgError(Exception):
    """The SVG cannot be carried; ``refused`` when it is hostile rather than broken."""

    def __init__(self, reason: str, refused: bool = False):
        super().__init__(reason)
        self.refused = refused


@dataclass
class CleanSvg:
    data: bytes
    width: int | None = None
    height: int | None = None
    #: what went, by kind ("script", "event handler", "outside reference"...)
    removed: Counter[str] = field(default_factory=Counter)
    #: entity references removed: the picture may miss the text they stood for
    entities: list[str] = field(default_factory=list)

    def notes(self) -> list[str]:
        if not self.removed:
            return []
        parts = [
            f"{n} {kind}{'s' if n > 1 and not kind.endswith('s') else ''}"
            for kind, n in sorted(self.removed.items())
        ]
        return ["svg sanitized: removed " + ", ".join(parts)]


def sanitize_svg(data: bytes) -> CleanSvg:
    """The SVG with nothing active or outside in it. Raises SvgError."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        message = str(exc)
        if any(word in message for word in _AMPLIFICATION):
            raise SvgError(
                "its entities expand without bound (an entity bomb); not read", refused=True
            ) from None
        raise SvgError(f"not a well-formed SVG ({message.split(',')[0]})") from None
    except ValueError as exc:
        raise SvgError(f"not a well-formed SVG ({exc})") from None
    if not isinstance(root.tag, str) or etree.QName(root).localname != "svg":
        raise SvgError("not an SVG document")
    result = CleanSvg(b"")
    if etree.QName(root).namespace is None:  # hand-written: the SVG namespace is meant
        for node in root.iter():
            if isinstance(node.tag, str) and etree.QName(node).namespace is None:
                node.tag = f"{{{SVG_NS}}}{node.tag}"
    elif etree.QName(root).namespace != SVG_NS:
        raise SvgError("not an SVG document")
    plain = _plain_entities(root)
    _clean(root, result, plain)
    etree.cleanup_namespaces(root)
    result.data = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    result.width, result.height = svg_size(result.data)
    return result


def _plain_entities(root: etree._Element) -> dict[str, str]:
    """Declared internal entities whose text holds no markup and no other reference."""
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is None:
        return {}
    out: dict[str, str] = {}
    for entity in dtd.iterentities():
        name, content = entity.name, entity.content
        if (
            name is not None
            and entity.system_url is None
            and content is not None
            and "&" not in content
            and "<" not in content
            and len(content) <= 1000
        ):
            out[name] = content
    return out


def _clean(root: etree._Element, result: CleanSvg, plain: dict[str, str]) -> None:
    for node in list(root.iter()):
        if node is not root and not _attached(node, root):
            continue  # already gone with an ancestor
        parent = node.getparent()
        if isinstance(node, etree._Entity):
            _replace_entity(node, parent, plain, result)
            continue
        if not isinstance(node.tag, str):
            continue
        name = etree.QName(node)
        if parent is not None:
            kind = _unwanted(name)
            if kind:
                _remove(node)
                result.removed[kind] += 1
                continue
        if name.localname in ANIMATIONS and _animates_reference(node):
            _remove(node)
            result.removed["animated reference"] += 1
            continue
        if not _clean_attributes(node, name.localname, result):
            _remove(node)
            result.removed["outside reference"] += 1
            continue
        if name.localname == "style" and node.text:
            node.text = _clean_css(node.text, result)


def _attached(node: etree._Element, root: etree._Element) -> bool:
    return any(ancestor is root for ancestor in node.iterancestors())


def _unwanted(name: etree.QName) -> str | None:
    if name.namespace != SVG_NS:
        return "foreign element"
    if name.localname in SCRIPTING:
        return "script"
    if name.localname == "foreignObject":
        return "foreignObject"
    if name.localname not in ALLOWED:
        return "unknown element"
    return None


def _remove(node: etree._Element) -> None:
    """Remove an element with its content, keeping the text that follows it."""
    parent = node.getparent()
    assert parent is not None  # never the root
    tail = node.tail
    if tail:
        prev = node.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(node)


def _replace_entity(
    node: etree._Entity, parent: etree._Element | None, plain: dict[str, str], result: CleanSvg
) -> None:
    text = plain.get(node.name)
    if text is None:
        result.entities.append(node.name)
        result.removed["entity reference"] += 1
        text = ""
    node.tail = text + (node.tail or "")
    _remove(node)


def _animates_reference(node: etree._Element) -> bool:
    """An animation that sets a link or a handler (``<set attributeName="href"
    to="javascript:…">``)."""
    target = (node.get("attributeName") or "").strip().lower()
    return target.split(":")[-1] == "href" or target.startswith("on")


def _clean_attributes(node: etree._Element, local: str, result: CleanSvg) -> bool:
    """Clean ``node``'s attributes; False if the element only stood for an outside file."""
    for key in list(node.attrib):
        value = node.get(key) or ""
        attr = etree.QName(key)
        if attr.localname.lower().startswith("on"):
            del node.attrib[key]
            result.removed["event handler"] += 1
        elif key in HREFS:
            if _inside(value, local):
                node.set(key, value)  # written out anew (an entity in it is resolved text)
                continue
            if local in LOADERS:
                return False
            del node.attrib[key]
            result.removed["outside reference"] += 1
        elif attr.namespace not in (None, XML_NS) or key == f"{{{XML_NS}}}base":
            del node.attrib[key]
            result.removed["foreign attribute"] += 1
        elif (
            "url(" in value.lower()
            or "@import" in value.lower()
            or "\\" in value
            or "image-set(" in value.lower()
        ):
            cleaned = _clean_css(value, result)
            if cleaned != value:
                if key == "style":
                    node.set(key, cleaned)
                else:
                    del node.attrib[key]
            else:
                node.set(key, value)
        else:
            node.set(key, value)
    return True


def _inside(value: str, local: str) -> bool:
    v = value.strip()
    return v.startswith("#") or (local in ("image", "feImage") and bool(PICTURE_DATA.match(v)))


def _clean_css(css: str, result: CleanSvg) -> str:
    """CSS without ``@import`` and without ``url(…)`` that points outside the picture."""
    text = _CSS_COMMENT.sub("", css) if "/*" in css else css
    if "\\" in text:  # escapes can spell url( or @import
        text = _CSS_ESCAPE.sub(
            lambda m: (
                chr(int(m.group(1), 16))
                if m.group(1) and 0 < int(m.group(1), 16) <= 0x10FFFF
                else (m.group(2) or "")
            ),
            text,
        )
    before = text
    text, n = _CSS_IMPORT.subn("", text)
    result.removed["css @import"] += n

    def url(m: re.Match[str]) -> str:
        target = (
            m.group(1)
            if m.group(1) is not None
            else m.group(2)
            if m.group(2) is not None
            else m.group(3) or ""
        ).strip()
        if target.startswith("#") or PICTURE_DATA.match(target):
            return m.group(0)
        result.removed["css url"] += 1
        return "none"

    text = _CSS_URL.sub(url, text)
    text, n = _CSS_IMAGE_SET.subn("none", text)
    result.removed["css url"] += n
    for kind in ("css @import", "css url"):
        if not result.removed[kind]:
            del result.removed[kind]
    return css if text == before else text


def svg_size(data: bytes) -> tuple[int | None, int | None]:
    """Width and height of an SVG from its root's attributes (or its viewBox)."""
    m = re.search(rb"<svg\b[^>]*>", data[:8192], re.I)
    if not m:
        return None, None
    tag = m.group(0)

    def num(name: bytes) -> int | None:
        found = re.search(rb"\s" + name + rb"""\s*=\s*["']\s*([0-9.]+)\s*(?:px)?["']""", tag)
        try:
            return round(float(found.group(1))) if found else None
        except ValueError:
            return None

    w, h = num(b"width"), num(b"height")
    if w is None or h is None:
        vb = re.search(rb"""viewBox\s*=\s*["'][-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)[\s,]+([0-9.]+)""", tag)
        if vb:
            with contextlib.suppress(ValueError):
                w, h = round(float(vb.group(1))), round(float(vb.group(2)))
    return w, h
