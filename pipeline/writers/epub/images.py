"""Image bytes as the EPUB may carry them.

Raster images (PNG, JPEG, GIF, WebP) go in as they are. An SVG is a document that
can run scripts and load other files: it goes in without scripts, event handlers,
``javascript:`` or remote links, remote images and foreign markup, or not at all
if it cannot be read as XML (the picture then shows as a placeholder).
"""
from __future__ import annotations

from lxml import etree

from ...document import Asset

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
RASTER = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_DROP = frozenset({"script", "foreignObject", "iframe", "handler", "listener"})
_LINK_ATTRS = (f"{{{XLINK_NS}}}href", "href")


def _remote(value: str) -> bool:
    v = value.strip().lower()
    return v.startswith(("http:", "https:", "//", "javascript:", "vbscript:", "file:", "ftp:"))


def clean_svg(data: bytes) -> bytes | None:
    """The SVG without anything active or remote; None if it is not a well-formed SVG."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root.tag != f"{{{SVG_NS}}}svg":
        return None
    for node in list(root.iter()):
        if not isinstance(node.tag, str):
            continue
        qn = etree.QName(node)
        parent = node.getparent()
        if parent is not None and (qn.namespace != SVG_NS or qn.localname in _DROP
                                   or (qn.localname in ("image", "use", "feImage")
                                       and any(_remote(node.get(a) or "") for a in _LINK_ATTRS))):
            parent.remove(node)
            continue
        if qn.localname == "style" and ("url(" in (node.text or "") or "@import" in (node.text or "")):
            node.text = None
        for name in list(node.attrib):
            an = etree.QName(name)
            value = node.get(name) or ""
            if an.localname.lower().startswith("on") or (an.namespace not in (None, XLINK_NS, XML_NS)):
                del node.attrib[name]
            elif name in _LINK_ATTRS and _remote(value):
                del node.attrib[name]
            elif "url(" in value and any(s in value.lower() for s in ("http:", "https:", "//", "javascript:")):
                del node.attrib[name]
    etree.cleanup_namespaces(root)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def packaged(asset: Asset) -> bytes | None:
    """The bytes to put in the book for ``asset``, or None if it cannot go in."""
    if asset.media_type in RASTER:
        return asset.data
    if asset.media_type == "image/svg+xml":
        return clean_svg(asset.data)
    return None
