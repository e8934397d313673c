"""Page set-up (size, margins, footer with page numbers) and document settings.

A4 by default (``page_size="letter"`` for US Letter). Margins on A4: 2.54 cm top and
bottom; 3.17 cm left and right for CJK documents (Word's Chinese A4 default, about
35 characters a line at 12 pt), 2.54 cm for Latin ones; smaller pages (A5, B5) scale
them, with the type (``styles.typography``). The footer carries
``PAGE / NUMPAGES`` centred.

With a reference document its page set-up, headers and footers are kept; the
page size is only changed when ``page_size`` is given (or the reference has none),
and a page-number footer is added only when the reference has no footer of its own.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ...errors import ConfigError
from . import opc
from .fields import page_number_paragraph
from .ooxml import RT, parse_xml, qn, serialize
from .styles import languages
from .xml import E, Element, put, val

# (width, height) in twips
PAGE_SIZES = {
    "a4": (11906, 16838),
    "letter": (12240, 15840),
    "a5": (8391, 11906),
    "b5": (9979, 14175),
    "legal": (12240, 20160),
}


def page_size(name: str | None) -> tuple[int, int] | None:
    if name is None:
        return None
    key = str(name).strip().lower()
    if key not in PAGE_SIZES:
        raise ConfigError(f"docx: unknown page size {name!r}. Sizes: {', '.join(PAGE_SIZES)}")
    return PAGE_SIZES[key]


def set_up_page(document: Any, size: tuple[int, int] | None, t: Any, ours: bool) -> None:
    """Page size and margins (``t``: the typography for the page) of the (last) section."""
    cjk = t.cjk
    body = document.element.find(qn("w:body"))
    sect = body.find(qn("w:sectPr"))
    if sect is None:
        sect = E("w:sectPr")
        body.append(sect)
    if ours or size is not None or sect.find(qn("w:pgSz")) is None:
        w, h = size or PAGE_SIZES["a4"]
        old = sect.find(qn("w:pgSz"))
        landscape = old is not None and old.get(qn("w:orient")) == "landscape"
        if landscape:
            w, h = h, w
        put(sect, E("w:pgSz", {"w:w": w, "w:h": h, "w:orient": "landscape" if landscape else None}))
    if ours or sect.find(qn("w:pgMar")) is None:
        edge = int(851 * t.top / 1440)
        put(
            sect,
            E(
                "w:pgMar",
                {
                    "w:top": t.top,
                    "w:right": t.side,
                    "w:bottom": t.top,
                    "w:left": t.side,
                    "w:header": edge,
                    "w:footer": edge,
                    "w:gutter": 0,
                },
            ),
        )
    if ours:
        put(sect, E("w:cols", {"w:space": 425}))
        put(sect, E("w:docGrid", {"w:linePitch": int(t.body * 20 * 1.3) if cjk else 360}))


def text_area(document: Any) -> tuple[int, int]:
    """Width and height (EMU) between the margins of the last section."""
    sect = last_section(document)
    size, margins = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))

    def emu(el: Element | None, name: str) -> int:
        """A length in twips as python-docx reads it, in EMU (635 a twip)."""
        value = el.get(qn(name)) if el is not None else None
        return _emu(value) if value else 0

    width = emu(size, "w:w") - emu(margins, "w:left") - emu(margins, "w:right") - emu(margins, "w:gutter")
    height = emu(size, "w:h") - emu(margins, "w:top") - emu(margins, "w:bottom")
    if width <= 0:
        width = 5760000  # 16 cm
    if height <= 0:
        height = 8640000
    return int(width), int(height)


def last_section(document: Any) -> Element:
    """The ``w:sectPr`` of the last section: the body's (python-docx's ``sections[-1]``)."""
    body = document.element.find(qn("w:body"))
    sect = body.find(qn("w:sectPr"))
    return sect if sect is not None else body.findall(f"{qn('w:p')}/{qn('w:pPr')}/{qn('w:sectPr')}")[-1]


_UNITS = {"mm": 36000, "cm": 360000, "in": 914400, "pt": 12700, "pc": 152400, "pi": 152400}


def _emu(value: str) -> int:
    """``ST_TwipsMeasure`` in EMU: twips (635 EMU), or a number with a unit, as python-docx reads it."""
    try:
        if any(c in value for c in "imp"):
            return round(float(value[:-2]) * _UNITS[value[-2:]])
        return int(value) * 635
    except (KeyError, ValueError):
        return 0


def page_numbers(document: Any, footer_style: str | None, ours: bool) -> None:
    """A centred ``PAGE / NUMPAGES`` footer, unless a reference brings its own footer."""
    if isinstance(document, opc.Document):
        rid = document.add_footer(_own_footer(footer_style))
        put(last_section(document), E("w:footerReference", {"w:type": "default", "r:id": rid}))
        return
    section = document.sections[-1]
    sect = section._sectPr
    if not ours and sect.find(qn("w:footerReference")) is not None:
        return
    footer = section.footer
    footer.is_linked_to_previous = False
    ftr = footer._element
    for child in list(ftr):
        ftr.remove(child)
    ftr.append(page_number_paragraph(footer_style))


@lru_cache(maxsize=16)
def _own_footer(footer_style: str | None) -> bytes:
    """The footer part of a document of ours, the same for every document: built once."""
    ftr = parse_xml(opc.FOOTER)
    ftr.remove(ftr[0])
    ftr.append(page_number_paragraph(footer_style))
    return serialize(ftr)


def settings(document: Any, t: Any, toc: bool, notes: bool, ours: bool) -> None:
    if ours and isinstance(document, opc.Document):
        document.set_blob(RT.SETTINGS, _own_settings(t, toc, notes))
        return
    _fill_settings(document.settings.element, t, toc, notes, ours)


@lru_cache(maxsize=64)
def _own_settings(t: Any, toc: bool, notes: bool) -> bytes:
    """The settings part of a document of ours: the same for every document with the same
    typography, contents field and notes, so built once."""
    root = parse_xml('<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
    _fill_settings(root, t, toc, notes, True)
    return serialize(root)


def _fill_settings(root: Element, t: Any, toc: bool, notes: bool, ours: bool) -> None:
    if ours:
        for child in list(root):
            root.remove(child)
        put(root, E("w:zoom", {"w:percent": 100}))
        put(root, val("w:defaultTabStop", 2 * int(t.body * 20) if t.cjk else 720))
        put(root, val("w:characterSpacingControl", "compressPunctuation" if t.cjk else "doNotCompress"))
        # a line ended by a manual break is not stretched across the measure
        put(
            root,
            E(
                "w:compat",
                None,
                E("w:doNotExpandShiftReturn"),
                E(
                    "w:compatSetting",
                    {
                        "w:name": "compatibilityMode",
                        "w:uri": "http://schemas.microsoft.com/office/word",
                        "w:val": "15",
                    },
                ),
            ),
        )
        put(root, val("w:decimalSymbol", "."))
        put(root, val("w:listSeparator", ","))
    latin, east = languages(t)
    put(root, E("w:themeFontLang", {"w:val": latin, "w:eastAsia": east}))
    if toc:
        put(root, val("w:updateFields", "true"))
    if notes and root.find(qn("w:footnotePr")) is None:
        put(root, E("w:footnotePr", None, E("w:footnote", {"w:id": -1}), E("w:footnote", {"w:id": 0})))
