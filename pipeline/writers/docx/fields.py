"""Fields (PAGE, NUMPAGES, TOC, NOTEREF, PAGEREF), hyperlinks and bookmarks.

Fields are complex fields (``w:fldChar`` begin/separate/end) with a cached result,
which is what readers that do not compute fields (pandoc) show; Word recomputes
them, LibreOffice computes page numbers and the table of contents.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from .ooxml import RT, qn
from .xml import E, Element, run, text_element

# Link targets Word can open; anything else (relative paths, javascript:) stays text.
LINK_SCHEMES = ("http", "https", "mailto", "ftp", "ftps", "tel", "news", "sms")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def field_runs(
    instr: str, result: str = "", props: Element | None = None, dirty: bool = False
) -> list[Element]:
    """Runs of a complex field: begin, instruction, separate, cached result, end."""

    def r(*children: Element) -> Element:
        out = E("w:r")
        if props is not None:
            out.append(_copy(props))
        for c in children:
            out.append(c)
        return out

    begin = E("w:fldChar", {"w:fldCharType": "begin", "w:dirty": "true" if dirty else None})
    runs = [
        r(begin),
        r(text_element(f" {instr} ", "w:instrText")),
        r(E("w:fldChar", {"w:fldCharType": "separate"})),
    ]
    if result:
        runs.append(run(result, _copy(props) if props is not None else None))
    runs.append(r(E("w:fldChar", {"w:fldCharType": "end"})))
    return runs


def _copy(el: Element) -> Element:
    from copy import deepcopy

    return deepcopy(el)


def link_target(url: str) -> str | None:
    """The URL as a relationship target, or None when Word could not open it."""
    url = (url or "").strip()
    m = _SCHEME.match(url)
    if not m or m.group(1).lower() not in LINK_SCHEMES:
        return None
    # Targets must be URIs: percent-encode spaces, non-ASCII and other stray characters.
    return urllib.parse.quote(url, safe="%/:=&?~#+!$,;'@()*[]-._")


def hyperlink(part: Any, url: str, tooltip: str | None = None) -> Element | None:
    """A ``w:hyperlink`` to an external URL, related from ``part``; None if unusable."""
    target = link_target(url)
    if target is None:
        return None
    rid = relate(part, target, RT.HYPERLINK, is_external=True)
    attrs = {"r:id": rid, "w:history": "1"}
    if tooltip:
        attrs["w:tooltip"] = tooltip[:255]
    return E("w:hyperlink", attrs)


def relate(part: Any, target: Any, reltype: str, is_external: bool = False) -> str:
    """``part.relate_to`` in constant time, with the same ids: python-docx finds an
    existing relationship and the next free id by scanning them all, which made a
    document with thousands of links or pictures quadratic."""
    rels = part.rels
    cache = rels.__dict__.get("_galley_ids")
    if cache is None or cache[0] != len(rels):  # first use, or changed behind our back
        index: dict[tuple[str, bool, Any], str] = {}
        for rel in rels.values():
            key = (rel.reltype, rel.is_external, rel.target_ref if rel.is_external else id(rel.target_part))
            index.setdefault(key, rel.rId)
        cache = [len(rels), index, 1]
    _size, index, nxt = cache
    key = (reltype, is_external, target if is_external else id(target))
    rid = index.get(key)
    if rid is None:
        while f"rId{nxt}" in rels:  # the lowest free id, as python-docx picks it
            nxt += 1
        rid = f"rId{nxt}"
        rels.add_relationship(reltype, target, rid, is_external)
        index[key] = rid
    rels.__dict__["_galley_ids"] = [len(rels), index, nxt]
    return rid


def internal_link(anchor: str) -> Element:
    return E("w:hyperlink", {"w:anchor": anchor, "w:history": "1"})


def bookmark(ident: int, name: str) -> tuple[Element, Element]:
    return (E("w:bookmarkStart", {"w:id": ident, "w:name": name}), E("w:bookmarkEnd", {"w:id": ident}))


def page_number_paragraph(style_id: str | None, total: bool = True) -> Element:
    """Footer paragraph: ``PAGE / NUMPAGES`` (or PAGE alone)."""
    p = E("w:p")
    if style_id:
        p.append(E("w:pPr", None, E("w:pStyle", {"w:val": style_id})))
    for r in field_runs("PAGE", "1"):
        p.append(r)
    if total:
        p.append(run(" / "))
        for r in field_runs("NUMPAGES", "1"):
            p.append(r)
    return p


def toc_paragraphs(build: Any, title: str, levels: int = 3, dirty: bool = False) -> list[Element]:
    """A TOC heading and a TOC field over headings 1..``levels``.

    The cached result lists the headings (linked to their bookmarks), without page
    numbers, which only a layout knows: Word rebuilds the field when asked (F9), or on
    open when ``dirty`` (the field is marked dirty and ``w:updateFields`` set, which
    makes Word ask first); LibreOffice on Tools > Update > Update All, and the PDF
    writer before printing. Until then the list reads as an outline.
    """
    out = []
    head = E("w:p")
    sid = build.sid("TOC Heading")
    if sid:
        head.append(E("w:pPr", None, E("w:pStyle", {"w:val": sid})))
    head.append(run(title))
    out.append(head)
    instr = f'TOC \\o "1-{levels}" \\h \\z \\u'
    entries = [h for h in build.headings if h.level <= levels]
    first = E("w:p")
    begin, instr_r, sep, *_rest, end = field_runs(instr, dirty=dirty)
    if not entries:
        for r in (begin, instr_r, sep, end):
            first.append(r)
        out.append(first)
        return out
    paras = []
    for h in entries:
        p = E("w:p")
        sid = build.sid(f"TOC {h.level}")
        if sid:
            p.append(E("w:pPr", None, E("w:pStyle", {"w:val": sid})))
        link = internal_link(h.bookmark)
        link.append(run(h.text))
        p.append(link)
        paras.append(p)
    start = paras[0]
    ppr = start.find(qn("w:pPr"))
    at = 1 if ppr is not None else 0
    for i, r in enumerate((begin, instr_r, sep)):
        start.insert(at + i, r)
    paras[-1].append(end)
    return out + paras
