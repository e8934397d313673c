"""WordprocessingML building blocks for the DOCX writer: elements in schema order.

Word refuses a file whose property elements are out of the order the schema
gives (``w:rPr`` children, ``w:pPr`` children, ``w:sectPr``...); LibreOffice and
python-docx are lenient, so nothing else would notice. Every element with an
ordered content model is built through :func:`put`, which inserts a child at
its schema position.
"""

from __future__ import annotations

import re
from typing import Any

from lxml.etree import SubElement

from .ooxml import NS, PARSER, qn

Element = Any  # an lxml element

# Schema order of the children of the elements we fill in (ECMA-376 part 1).
ORDER: dict[str, tuple[str, ...]] = {
    "w:pPr": (
        "w:pStyle",
        "w:keepNext",
        "w:keepLines",
        "w:pageBreakBefore",
        "w:framePr",
        "w:widowControl",
        "w:numPr",
        "w:suppressLineNumbers",
        "w:pBdr",
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:kinsoku",
        "w:wordWrap",
        "w:overflowPunct",
        "w:topLinePunct",
        "w:autoSpaceDE",
        "w:autoSpaceDN",
        "w:bidi",
        "w:adjustRightInd",
        "w:snapToGrid",
        "w:spacing",
        "w:ind",
        "w:contextualSpacing",
        "w:mirrorIndents",
        "w:suppressOverlap",
        "w:jc",
        "w:textDirection",
        "w:textAlignment",
        "w:textboxTightWrap",
        "w:outlineLvl",
        "w:divId",
        "w:cnfStyle",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    ),
    "w:rPr": (
        "w:rStyle",
        "w:rFonts",
        "w:b",
        "w:bCs",
        "w:i",
        "w:iCs",
        "w:caps",
        "w:smallCaps",
        "w:strike",
        "w:dstrike",
        "w:outline",
        "w:shadow",
        "w:emboss",
        "w:imprint",
        "w:noProof",
        "w:snapToGrid",
        "w:vanish",
        "w:webHidden",
        "w:color",
        "w:spacing",
        "w:w",
        "w:kern",
        "w:position",
        "w:sz",
        "w:szCs",
        "w:highlight",
        "w:u",
        "w:effect",
        "w:bdr",
        "w:shd",
        "w:fitText",
        "w:vertAlign",
        "w:rtl",
        "w:cs",
        "w:em",
        "w:lang",
        "w:eastAsianLayout",
        "w:specVanish",
        "w:oMath",
    ),
    "w:style": (
        "w:name",
        "w:aliases",
        "w:basedOn",
        "w:next",
        "w:link",
        "w:autoRedefine",
        "w:hidden",
        "w:uiPriority",
        "w:semiHidden",
        "w:unhideWhenUsed",
        "w:qFormat",
        "w:locked",
        "w:personal",
        "w:personalCompose",
        "w:personalReply",
        "w:rsid",
        "w:pPr",
        "w:rPr",
        "w:tblPr",
        "w:trPr",
        "w:tcPr",
        "w:tblStylePr",
    ),
    "w:tblPr": (
        "w:tblStyle",
        "w:tblpPr",
        "w:tblOverlap",
        "w:bidiVisual",
        "w:tblStyleRowBandSize",
        "w:tblStyleColBandSize",
        "w:tblW",
        "w:jc",
        "w:tblCellSpacing",
        "w:tblInd",
        "w:tblBorders",
        "w:shd",
        "w:tblLayout",
        "w:tblCellMar",
        "w:tblLook",
        "w:tblCaption",
        "w:tblDescription",
    ),
    "w:tcPr": (
        "w:cnfStyle",
        "w:tcW",
        "w:gridSpan",
        "w:hMerge",
        "w:vMerge",
        "w:tcBorders",
        "w:shd",
        "w:noWrap",
        "w:tcMar",
        "w:textDirection",
        "w:tcFitText",
        "w:vAlign",
        "w:hideMark",
    ),
    "w:trPr": (
        "w:cnfStyle",
        "w:divId",
        "w:gridBefore",
        "w:gridAfter",
        "w:wBefore",
        "w:wAfter",
        "w:cantSplit",
        "w:trHeight",
        "w:tblHeader",
        "w:tblCellSpacing",
        "w:jc",
        "w:hidden",
    ),
    "w:sectPr": (
        "w:headerReference",
        "w:footerReference",
        "w:footnotePr",
        "w:endnotePr",
        "w:type",
        "w:pgSz",
        "w:pgMar",
        "w:paperSrc",
        "w:pgBorders",
        "w:lnNumType",
        "w:pgNumType",
        "w:cols",
        "w:formProt",
        "w:vAlign",
        "w:noEndnote",
        "w:titlePg",
        "w:textDirection",
        "w:bidi",
        "w:rtlGutter",
        "w:docGrid",
        "w:printerSettings",
        "w:sectPrChange",
    ),
    "w:pBdr": ("w:top", "w:left", "w:bottom", "w:right", "w:between", "w:bar"),
    "w:tblBorders": ("w:top", "w:left", "w:start", "w:bottom", "w:right", "w:end", "w:insideH", "w:insideV"),
    "w:tcBorders": (
        "w:top",
        "w:left",
        "w:start",
        "w:bottom",
        "w:right",
        "w:end",
        "w:insideH",
        "w:insideV",
        "w:tl2br",
        "w:tr2bl",
    ),
    "w:tblCellMar": ("w:top", "w:left", "w:start", "w:bottom", "w:right", "w:end"),
    "w:styles": ("w:docDefaults", "w:latentStyles", "w:style"),
    "w:docDefaults": ("w:rPrDefault", "w:pPrDefault"),
    "w:lvl": (
        "w:start",
        "w:numFmt",
        "w:lvlRestart",
        "w:pStyle",
        "w:isLgl",
        "w:suppress",
        "w:lvlText",
        "w:lvlPicBulletId",
        "w:legacy",
        "w:lvlJc",
        "w:pPr",
        "w:rPr",
    ),
    "w:abstractNum": (
        "w:nsid",
        "w:multiLevelType",
        "w:tmpl",
        "w:name",
        "w:styleLink",
        "w:numStyleLink",
        "w:lvl",
    ),
    "w:numbering": ("w:numPicBullet", "w:abstractNum", "w:num", "w:numIdMacAtCleanup"),
    "w:font": (
        "w:altName",
        "w:panose1",
        "w:charset",
        "w:family",
        "w:notTrueType",
        "w:pitch",
        "w:sig",
        "w:embedRegular",
        "w:embedBold",
        "w:embedItalic",
        "w:embedBoldItalic",
    ),
    "w:settings": (
        "w:writeProtection",
        "w:view",
        "w:zoom",
        "w:removePersonalInformation",
        "w:removeDateAndTime",
        "w:doNotDisplayPageBoundaries",
        "w:displayBackgroundShape",
        "w:printPostScriptOverText",
        "w:printFractionalCharacterWidth",
        "w:printFormsData",
        "w:embedTrueTypeFonts",
        "w:embedSystemFonts",
        "w:saveSubsetFonts",
        "w:saveFormsData",
        "w:mirrorMargins",
        "w:alignBordersAndEdges",
        "w:bordersDoNotSurroundHeader",
        "w:bordersDoNotSurroundFooter",
        "w:gutterAtTop",
        "w:hideSpellingErrors",
        "w:hideGrammaticalErrors",
        "w:activeWritingStyle",
        "w:proofState",
        "w:formsDesign",
        "w:attachedTemplate",
        "w:linkStyles",
        "w:stylePaneFormatFilter",
        "w:stylePaneSortMethod",
        "w:documentType",
        "w:mailMerge",
        "w:revisionView",
        "w:trackRevisions",
        "w:doNotTrackMoves",
        "w:doNotTrackFormatting",
        "w:documentProtection",
        "w:autoFormatOverride",
        "w:styleLockTheme",
        "w:styleLockQFSet",
        "w:defaultTabStop",
        "w:autoHyphenation",
        "w:consecutiveHyphenLimit",
        "w:hyphenationZone",
        "w:doNotHyphenateCaps",
        "w:showEnvelope",
        "w:summaryLength",
        "w:clickAndTypeStyle",
        "w:defaultTableStyle",
        "w:evenAndOddHeaders",
        "w:bookFoldRevPrinting",
        "w:bookFoldPrinting",
        "w:bookFoldPrintingSheets",
        "w:drawingGridHorizontalSpacing",
        "w:drawingGridVerticalSpacing",
        "w:displayHorizontalDrawingGridEvery",
        "w:displayVerticalDrawingGridEvery",
        "w:doNotUseMarginsForDrawingGridOrigin",
        "w:drawingGridHorizontalOrigin",
        "w:drawingGridVerticalOrigin",
        "w:doNotShadeFormData",
        "w:noPunctuationKerning",
        "w:characterSpacingControl",
        "w:printTwoOnOne",
        "w:strictFirstAndLastChars",
        "w:noLineBreaksAfter",
        "w:noLineBreaksBefore",
        "w:savePreviewPicture",
        "w:doNotValidateAgainstSchema",
        "w:saveInvalidXml",
        "w:ignoreMixedContent",
        "w:alwaysShowPlaceholderText",
        "w:doNotDemarcateInvalidXml",
        "w:saveXmlDataOnly",
        "w:useXSLTWhenSaving",
        "w:saveThroughXslt",
        "w:showXMLTags",
        "w:alwaysMergeEmptyNamespace",
        "w:updateFields",
        "w:hdrShapeDefaults",
        "w:footnotePr",
        "w:endnotePr",
        "w:compat",
        "w:docVars",
        "w:rsids",
        "m:mathPr",
        "w:attachedSchema",
        "w:themeFontLang",
        "w:clrSchemeMapping",
        "w:doNotIncludeSubdocsInStats",
        "w:doNotAutoCompressPictures",
        "w:forceUpgrade",
        "w:captions",
        "w:readModeInkLockDown",
        "w:smartTagType",
        "sl:schemaLibrary",
        "w:shapeDefaults",
        "w:doNotEmbedSmartTags",
        "w:decimalSymbol",
        "w:listSeparator",
    ),
}
_ORDER_QN = {qn(parent): {qn(tag): i for i, tag in enumerate(tags)} for parent, tags in ORDER.items()}

# XML 1.0 refuses most control characters; scraped text sometimes has them.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(s: str) -> str:
    """``s`` without the characters XML cannot carry."""
    return _XML_BAD.sub("", s) if s else ""


# What python-docx's OxmlElement(tag) works out on every call, worked out once per tag:
# the element's name and the declaration of its own namespace.
_make = PARSER.makeelement
_MAKERS: dict[str, tuple[str, dict[str, str]]] = {}
_NAMES: dict[str, str] = {}


def _maker(tag: str) -> tuple[str, dict[str, str]]:
    prefix = tag.split(":")[0]
    return qn(tag), {prefix: NS[prefix]}


def E(tag: str, attrs: dict[str, Any] | None = None, *children: Element) -> Element:
    """An element ``tag`` (``"w:p"``) with ``attrs`` (``{"w:val": ...}``) and children.

    Children of an element with an ordered content model are put in schema order.
    """
    made = _MAKERS.get(tag)
    if made is None:
        made = _MAKERS[tag] = _maker(tag)
    if attrs:
        attrib = {}
        for key, value in attrs.items():
            if value is None:
                continue
            name = _NAMES.get(key)
            if name is None:
                name = _NAMES[key] = qn(key) if ":" in key else key
            attrib[name] = _attr(value)
        el = _make(made[0], attrib, made[1])
    else:
        el = _make(made[0], nsmap=made[1])
    if children:
        _fill(el, children)
    return el


def _fill(el: Element, children: tuple[Element, ...]) -> None:
    """``put`` of each child into the new, empty ``el``, in one step: the children that
    remain (the last of each single property) in stable schema order."""
    kids = [child for child in children if child is not None]
    order = _ORDER_QN.get(el.tag)
    if order is None:
        el.extend(kids)
        return
    ranked = []
    for child in kids:
        rank = order.get(child.tag)
        if rank is None:  # an element the order does not know: put appends it where it comes
            for child in kids:
                put(el, child)
            return
        ranked.append((rank, child))
    if len(ranked) > 1:
        last = {}
        for i, (_rank, child) in enumerate(ranked):
            if child.tag not in _REPEATABLE:
                last[child.tag] = i
        ranked = [rc for i, rc in enumerate(ranked) if rc[1].tag in _REPEATABLE or last[rc[1].tag] == i]
        ranked.sort(key=_first)
    el.extend([child for _rank, child in ranked])


def _first(item: tuple[int, Element]) -> int:
    return item[0]


def _attr(value: Any) -> str:
    if value is True:
        return "1"
    if value is False:
        return "0"
    return str(value)


def put(parent: Element, child: Element, replace: bool = True) -> Element:
    """Insert ``child`` into ``parent`` at its schema position.

    With ``replace``, an existing child of the same tag is replaced (properties are
    single); repeatable children (``w:style``, ``w:lvl``...) are appended in order.
    """
    order = _ORDER_QN.get(parent.tag)
    rank = None if order is None else order.get(child.tag)
    if order is None or rank is None or not len(parent):
        parent.append(child)
        return child
    repeatable = child.tag in _REPEATABLE
    if replace and not repeatable:
        for old in parent.findall(child.tag):
            parent.remove(old)
    for i, existing in enumerate(parent):
        r = order.get(existing.tag)
        if r is not None and r > rank:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


_REPEATABLE = {
    qn(t)
    for t in (
        "w:style",
        "w:lvl",
        "w:abstractNum",
        "w:num",
        "w:headerReference",
        "w:footerReference",
        "w:numPicBullet",
        "w:activeWritingStyle",
        "w:smartTagType",
        "w:tblStylePr",
    )
}


_VAL = qn("w:val")
_T = qn("w:t")
_SPACE = qn("xml:space")


def val(tag: str, value: Any) -> Element:
    """``<tag w:val="value"/>``."""
    if value is None:
        return E(tag)
    made = _MAKERS.get(tag)
    if made is None:
        made = _MAKERS[tag] = _maker(tag)
    return _make(made[0], {_VAL: _attr(value)}, made[1])


def flag(tag: str, on: bool = True) -> Element:
    """A toggle property: ``<w:b/>`` or ``<w:b w:val="0"/>``."""
    return E(tag) if on else val(tag, "0")


def fonts(
    ascii_: str | None = None, east_asia: str | None = None, hint: str | None = None, cs: str | None = None
) -> Element:
    return E(
        "w:rFonts",
        {"w:ascii": ascii_, "w:hAnsi": ascii_, "w:eastAsia": east_asia, "w:cs": cs or ascii_, "w:hint": hint},
    )


def size(points: float) -> list[Element]:
    half = str(round(points * 2))
    return [val("w:sz", half), val("w:szCs", half)]


def spacing(
    before: int | None = None, after: int | None = None, line: int | None = None, rule: str | None = None
) -> Element:
    """Paragraph spacing in twentieths of a point; ``line`` in 240ths of a line when auto."""
    return E(
        "w:spacing",
        {
            "w:before": before,
            "w:after": after,
            "w:line": line,
            "w:lineRule": rule or ("auto" if line is not None else None),
        },
    )


def border(tag: str, sz: int = 4, color: str = "auto", space: int = 1, kind: str = "single") -> Element:
    return E(tag, {"w:val": kind, "w:sz": sz, "w:space": space, "w:color": color})


def text_element(text: str, tag: str = "w:t") -> Element:
    t = E(tag)
    t.text = text
    if text != text.strip() or "  " in text:
        t.set(qn("xml:space"), "preserve")
    return t


def run(text: str = "", props: Element | None = None) -> Element:
    """A ``w:r`` with ``text``; tabs and newlines become ``w:tab`` and ``w:br``."""
    r = E("w:r")
    if props is not None and len(props):
        r.append(props)
    add_text(r, text)
    return r


def add_text(r: Element, text: str) -> None:
    """Text, tabs and line breaks into ``r``, made in its document: an element made on
    its own carries its own namespace declaration, and moving a run of thousands of
    them into the body was quadratic."""
    text = xml_text(text)
    if "\n" not in text and "\t" not in text:  # most runs: one w:t
        if text:
            node: Element = SubElement(r, _T)
            node.text = text
            if text != text.strip() or "  " in text:
                node.set(_SPACE, "preserve")
        return
    br, tab, t = qn("w:br"), qn("w:tab"), qn("w:t")
    for i, line in enumerate(text.split("\n")):
        if i:
            SubElement(r, br)
        for j, chunk in enumerate(line.split("\t")):
            if j:
                SubElement(r, tab)
            if chunk:
                node = SubElement(r, t)
                node.text = chunk
                if chunk != chunk.strip() or "  " in chunk:
                    node.set(qn("xml:space"), "preserve")
