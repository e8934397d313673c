"""Footnotes as real Word footnotes (word/footnotes.xml, with its separators).

A Markdown footnote becomes a Word footnote at its first reference; a second
reference to the same note is a NOTEREF field (Word gives a footnote one mark
only) showing the same number. Notes that nothing references are kept, at the end
of the body, after a rule and their number, as every format keeps them; so is a
note referenced only from another note (Word has no note inside a note).
"""

from __future__ import annotations

from typing import Any

from ..present import footnote_items
from .fields import bookmark, field_runs
from .ooxml import CT, RT, qn
from .package import xml_part
from .xml import E, Element, put, run, spacing, val

_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)


class Footnotes:
    def __init__(self, build: Any, tree: list[dict[str, Any]]):
        self.build = build
        self.items: dict[Any, dict[str, Any]] = footnote_items(tree)
        self._part: Any = None
        self._marks: dict[Any, tuple[int, str]] = {}  # index -> (number, bookmark)
        self._next_id = 1
        self._depth = 0
        self._count = 0  # notes so far, the article's and the pictures' addresses: Word's number

    @property
    def used(self) -> bool:
        return bool(self._count)

    @property
    def part(self) -> Any:
        if self._part is None:
            part = xml_part(
                self.build.document.part,
                RT.FOOTNOTES,
                "/word/footnotes%d.xml",
                CT.WML_FOOTNOTES,
                f"<w:footnotes {_NS}/>",
            )
            root = part.element
            kept = set()
            for fn in root.findall(qn("w:footnote")):
                kind = fn.get(qn("w:type"))
                if kind in ("separator", "continuationSeparator", "continuationNotice"):
                    kept.add(kind)
                else:
                    root.remove(fn)
            for ident, kind in ((-1, "separator"), (0, "continuationSeparator")):
                if kind not in kept:
                    sep = E(
                        "w:footnote",
                        {"w:type": kind, "w:id": ident},
                        E("w:p", None, E("w:pPr", None, spacing(0, 0, 240)), E("w:r", None, E(f"w:{kind}"))),
                    )
                    root.insert(ident + 1, sep)
            ids = [int(fn.get(qn("w:id"))) for fn in root.findall(qn("w:footnote"))]
            self._next_id = max([*ids, 0]) + 1
            self._part = part
        return self._part

    def reference(self, index: Any) -> list[Element] | None:
        """Runs for a footnote mark; None when there is no such note."""
        item = self.items.get(index)
        if item is None:
            return None
        ref_style = self.build.sid("Footnote Reference")
        props = E(
            "w:rPr", None, val("w:rStyle", ref_style) if ref_style else val("w:vertAlign", "superscript")
        )
        if index in self._marks:
            number, name = self._marks[index]
            return field_runs(f"NOTEREF {name} \\f \\h", str(number), props)
        if self._depth:  # a note inside a note: Word has none; show the number
            return None
        part = self.part
        ident = self._next_id
        self._next_id += 1
        self._count += 1
        number = self._count
        name = f"_GalleyNote{len(self._marks) + 1}"
        self._marks[index] = (number, name)
        mark = E("w:r", None, props, E("w:footnoteReference", {"w:id": ident}))
        start, end = bookmark(self.build.next_id("bookmark"), name)
        self._write(item, ident, part)
        return [start, mark, end]

    def address(self, url: str, text: str) -> list[Element]:
        """The mark of a note giving a picture's address (in print, where a link cannot
        be followed): a ``Picture Source`` paragraph with the address as a link. No mark
        inside a note (Word has no note inside a note)."""
        from .fields import hyperlink

        if self._depth:
            return []
        part = self.part
        ident = self._next_id
        self._next_id += 1
        self._count += 1
        sid = self.build.sid("Picture Source") or self.build.sid("Footnote Text")
        p = E("w:p", None, E("w:pPr", None, val("w:pStyle", sid)) if sid else None)
        p.append(E("w:r", None, self._mark_props(), E("w:footnoteRef")))
        p.append(run(" "))
        link = hyperlink(part, url)
        target = p if link is None else link
        if link is not None:
            p.append(link)
        link_style = self.build.sid("Hyperlink") if link is not None else None
        target.append(run(text, E("w:rPr", None, val("w:rStyle", link_style)) if link_style else None))
        part.element.append(E("w:footnote", {"w:id": ident}, p))
        return [E("w:r", None, self._mark_props(), E("w:footnoteReference", {"w:id": ident}))]

    def _mark_props(self) -> Element:
        ref_style = self.build.sid("Footnote Reference")
        return E(
            "w:rPr", None, val("w:rStyle", ref_style) if ref_style else val("w:vertAlign", "superscript")
        )

    def _write(self, item: dict[str, Any], ident: int, part: Any) -> None:
        from .blocks import Blocks, Ctx

        note = E("w:footnote", {"w:id": ident})
        part.element.append(note)
        self._depth += 1
        try:
            Blocks(self.build, part, note).render(
                item.get("children") or [], Ctx(para_style="Footnote Text", where="note")
            )
        finally:
            self._depth -= 1
        if len(note) and note[-1].tag == qn("w:tbl"):
            note.append(E("w:p"))  # a note, like a cell, ends with a paragraph
        paras = note.findall(qn("w:p"))
        if not paras or note[0].tag != qn("w:p"):
            first = E("w:p")
            note.insert(0, first)
        else:
            first = paras[0]
        sid = self.build.sid("Footnote Text")
        ppr = first.find(qn("w:pPr"))
        if ppr is None:
            ppr = E("w:pPr")
            first.insert(0, ppr)
        if sid and ppr.find(qn("w:pStyle")) is None:
            put(ppr, val("w:pStyle", sid))
        ref_style = self.build.sid("Footnote Reference")
        props = E(
            "w:rPr", None, val("w:rStyle", ref_style) if ref_style else val("w:vertAlign", "superscript")
        )
        ref = E("w:r", None, props, E("w:footnoteRef"))
        space = E("w:r")
        t = E("w:t")
        t.text = " "
        t.set(qn("xml:space"), "preserve")
        space.append(t)
        at = list(first).index(ppr) + 1
        first.insert(at, ref)
        first.insert(at + 1, space)

    def unreferenced(self) -> list[tuple[Any, dict[str, Any]]]:
        return [(i, item) for i, item in self.items.items() if i not in self._marks]
