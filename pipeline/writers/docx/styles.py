"""The DOCX writer's style sheet: Word's built-in styles, set for print, per language.

Word recognises its built-in styles by name (``heading 1``, ``Title``, ``List
Bullet``, ``footnote text``...), so the navigation pane, the TOC field and an
editor's own template all work with them. Everything is set explicitly: fonts
(``w:eastAsia`` for CJK), sizes, spacing, the document language.

Level mapping (the article title lives in the metadata, not in the tree)::

    title           -> Title           (then Subtitle, Author, Date, Source)
    ## (level 2)    -> Heading 1       outline level 1
    ### (level 3)   -> Heading 2
    #### (level 4)  -> Heading 3
    ##### / ######  -> Heading 4 / Heading 5
    # (level 1, only in documents the stages did not clean) -> Heading 1

Body paragraphs: ``Body Text`` in Latin documents (no indent, space after);
``Body Text First Indent`` in CJK ones (first line indented two characters,
``w:firstLineChars="200"``, no space between paragraphs, justified). Footnotes,
list items, quotes, code, captions and table cells have styles without that indent;
list items, code, captions and table cells are not justified either (short lines of
list items, and lines before a long URL, would be stretched with wide gaps).

With a reference document (``reference_docx``), its styles win: only the styles it
lacks are added, with ``basedOn``/``next`` links remapped to its own style ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..present import east_asian_script
from .ooxml import parse_xml, qn, serialize
from .xml import E, Element, border, flag, fonts, put, size, spacing, val

WORD_BLUE = "0563C1"
GREY = "595959"
RULE = "A6A6A6"
SHADE = "F2F2F2"


@dataclass(frozen=True)
class Fonts:
    """Font names: Latin (ascii/hAnsi) and East Asian, for body, headings, code, quotes."""

    body: str
    heading: str
    mono: str
    ea_body: str
    ea_heading: str
    ea_mono: str
    ea_quote: str


# East Asian faces by script, with the names other systems know them by (written as
# w:altName in the font table, which applications use to find a face by another name).
EAST_ASIAN = {
    "hans": ("SimSun", "SimHei", "NSimSun", "KaiTi"),
    "hant": ("PMingLiU", "Microsoft JhengHei", "MingLiU", "DFKai-SB"),
    "ja": ("Yu Mincho", "Yu Gothic", "MS Gothic", "Yu Mincho"),
    "ko": ("Batang", "Malgun Gothic", "GulimChe", "Batang"),
}
ALT_NAMES = {
    "SimSun": "宋体,Songti SC,Noto Serif CJK SC,Source Han Serif SC",
    "SimHei": "黑体,Heiti SC,Noto Sans CJK SC,Source Han Sans SC",
    "NSimSun": "新宋体,Noto Sans Mono CJK SC",
    "KaiTi": "楷体,Kaiti SC,STKaiti,AR PL UKai CN",
    "PMingLiU": "新細明體,Noto Serif CJK TC,Source Han Serif TC",
    "Microsoft JhengHei": "微軟正黑體,Noto Sans CJK TC,Source Han Sans TC",
    "MingLiU": "細明體,Noto Sans Mono CJK TC",
    "DFKai-SB": "標楷體,Kaiti TC,AR PL UKai TW",
    "Yu Mincho": "游明朝,Hiragino Mincho ProN,Noto Serif CJK JP",
    "Yu Gothic": "游ゴシック,Hiragino Sans,Noto Sans CJK JP",
    "MS Gothic": "ＭＳ ゴシック,Noto Sans Mono CJK JP",
    "Batang": "바탕,Noto Serif CJK KR",
    "Malgun Gothic": "맑은 고딕,Noto Sans CJK KR",
    "GulimChe": "굴림체,Noto Sans Mono CJK KR",
    "Times New Roman": "Liberation Serif,Tinos",
    "Arial": "Liberation Sans,Arimo",
    "Cambria": "Caladea",
    "Calibri": "Carlito",
    "Consolas": "Inconsolata,DejaVu Sans Mono",
}
# w:charset and w:family of each face, for substitution when it is missing.
FONT_INFO = {
    "SimSun": ("86", "auto"),
    "SimHei": ("86", "modern"),
    "NSimSun": ("86", "modern"),
    "KaiTi": ("86", "modern"),
    "PMingLiU": ("88", "roman"),
    "Microsoft JhengHei": ("88", "swiss"),
    "MingLiU": ("88", "modern"),
    "DFKai-SB": ("88", "script"),
    "Yu Mincho": ("80", "roman"),
    "Yu Gothic": ("80", "swiss"),
    "MS Gothic": ("80", "modern"),
    "Batang": ("81", "roman"),
    "Malgun Gothic": ("81", "swiss"),
    "GulimChe": ("81", "modern"),
    "Times New Roman": ("00", "roman"),
    "Arial": ("00", "swiss"),
    "Cambria": ("00", "roman"),
    "Calibri": ("00", "swiss"),
    "Consolas": ("00", "modern"),
}


def choose_fonts(lang: str, cjk: bool) -> Fonts:
    # a Latin document's stray CJK characters are taken as Chinese
    ea = EAST_ASIAN[east_asian_script(lang) or "hans"]
    if cjk:
        return Fonts("Times New Roman", "Arial", "Consolas", *ea)
    return Fonts("Cambria", "Calibri", "Consolas", *ea)


A4 = (11906, 16838)  # twips


@dataclass(frozen=True)
class Typography:
    """Sizes in points and spacing in twips for one kind of document (CJK or Latin) on
    one page size."""

    cjk: bool
    lang: str
    fonts: Fonts
    body: float
    line: int  # 240ths of a line (auto rule)
    after: int  # space after body paragraphs, twips
    code: float
    small: float  # footnotes
    table: float
    caption: float
    title: float
    headings: tuple[float, ...]
    side: int = 1800  # left and right margins, twips
    top: int = 1440  # top and bottom margins, twips
    page_width: int = A4[0]

    @property
    def indent(self) -> int:
        """Two characters of body text, in twips."""
        return round(self.body * 20 * 2)

    @property
    def measure(self) -> int:
        """The width of the text, between the margins, in twips."""
        return self.page_width - 2 * self.side


def page_scale(page: tuple[int, int] | None) -> float:
    """How much smaller than A4 a page is (by width): 1 for A4, Letter, Legal; about
    0.7 for A5. Sizes scale by 40 % of it (A5: 12 pt body text becomes 10.5 pt, about
    28 CJK characters a line instead of 17), margins by all of it."""
    if page is None:
        return 1.0
    return min(1.0, max(0.6, page[0] / A4[0]))


def _half_points(pt: float) -> float:
    return round(pt * 2) / 2


def typography(lang: str, cjk: bool, page: tuple[int, int] | None = None) -> Typography:
    f = choose_fonts(lang, cjk)
    scale = page_scale(page)
    type_scale = 0.6 + 0.4 * scale
    width = min(page[0], 12240) if page else A4[0]
    if cjk:
        # Chinese sizes: 二号 22, 小二 18, 小三 15, 四号 14, 小四 12, 五号 10.5, 小五 9.
        sizes = dict(body=12, code=10, small=9, table=10.5, caption=10.5, title=22)
        heads: tuple[float, ...] = (18, 15, 14, 12, 12, 12)
        line, after, side = 360, 0, 1800
    else:
        sizes = dict(body=11, code=9.5, small=9, table=10, caption=9.5, title=24)
        heads = (16, 13, 12, 11, 11, 11)
        line, after, side = 276, 160, 1440
    scaled = {k: _half_points(v * type_scale) for k, v in sizes.items()}
    return Typography(
        cjk,
        lang,
        f,
        line=line,
        after=int(after * type_scale),
        headings=tuple(_half_points(h * type_scale) for h in heads),
        side=int(side * scale),
        top=int(1440 * scale),
        page_width=width,
        **scaled,
    )


# -- style elements ---------------------------------------------------------------


def _style(
    kind: str,
    sid: str,
    name: str,
    *,
    based: str | None = None,
    nxt: str | None = None,
    prio: int | None = None,
    qformat: bool = False,
    default: bool = False,
    semi: bool = False,
    ppr: Iterable[Element] = (),
    rpr: Iterable[Element] = (),
    extra: Iterable[Element] = (),
) -> Element:
    st = E("w:style", {"w:type": kind, "w:styleId": sid, "w:default": "1" if default else None})
    put(st, val("w:name", name))
    if based:
        put(st, val("w:basedOn", based))
    if nxt:
        put(st, val("w:next", nxt))
    if prio is not None:
        put(st, val("w:uiPriority", prio))
    if semi:
        put(st, E("w:semiHidden"))
        put(st, E("w:unhideWhenUsed"))
    if qformat:
        put(st, E("w:qFormat"))
    ppr = [p for p in ppr if p is not None]
    rpr = [r for r in rpr if r is not None]
    if ppr:
        put(st, E("w:pPr", None, *ppr))
    if rpr:
        put(st, E("w:rPr", None, *rpr))
    for el in extra:
        put(st, el)
    return st


def full_tag(lang: str) -> str:
    return (
        lang if "-" in lang else {"zh": "zh-CN", "en": "en-US", "ja": "ja-JP", "ko": "ko-KR"}.get(lang, lang)
    )


def languages(t: Typography) -> tuple[str, str]:
    """(w:val, w:eastAsia) of w:lang: the language of Latin text and of East Asian text.

    A CJK document's Latin runs are English (as Chinese Word has it: a Chinese
    ``w:val`` makes LibreOffice break Latin words anywhere); a Latin document's
    stray CJK characters are Chinese, matching its East Asian fonts.
    """
    lang = full_tag(t.lang)
    if t.cjk:
        return "en-US", lang
    return lang, "zh-CN"


def _lang(t: Typography) -> Element:
    latin, east = languages(t)
    return E("w:lang", {"w:val": latin, "w:eastAsia": east, "w:bidi": "ar-SA"})


def doc_defaults(t: Typography) -> Element:
    f = t.fonts
    rpr = E(
        "w:rPr",
        None,
        fonts(f.body, f.ea_body, "eastAsia" if t.cjk else None),
        *size(t.body),
        E("w:kern", {"w:val": "2"}) if t.cjk else None,
        _lang(t),
    )
    ppr = E("w:pPr", None, spacing(0, 0, t.line), E("w:widowControl"))
    return E("w:docDefaults", None, E("w:rPrDefault", None, rpr), E("w:pPrDefault", None, ppr))


def stylesheet(t: Typography) -> list[Element]:
    """All the styles the writer uses, for typography ``t``, in the order written."""
    return (
        defaults()
        + body_text(t)
        + title_lines(t)
        + headings(t)
        + quotes_and_lists(t)
        + code(t)
        + figures(t)
        + cell_text(t)
        + rule(t)
        + links()
        + notes(t)
        + page_margins(t)
        + table_of_contents(t)
        + table_grid()
    )


# lxml moves an element appended elsewhere: every style gets fresh elements
def _justified(t: Typography) -> Element | None:
    """CJK text is justified, Latin text is not."""
    return val("w:jc", "both") if t.cjk else None


def _sans(t: Typography) -> Element:
    return fonts(t.fonts.heading, t.fonts.ea_heading)


def _mono(t: Typography) -> Element:
    return fonts(t.fonts.mono, t.fonts.ea_mono, "default")


def _grey() -> Element:
    return val("w:color", GREY)


def _italic_latin(t: Typography) -> list[Element]:
    """Italic in Latin text only: CJK faces have no italic."""
    return [] if t.cjk else [flag("w:i"), flag("w:iCs")]


def defaults() -> list[Element]:
    """The default paragraph, character, table and numbering styles."""
    return [
        _style("paragraph", "Normal", "Normal", default=True, qformat=True),
        _style(
            "character", "DefaultParagraphFont", "Default Paragraph Font", default=True, prio=1, semi=True
        ),
        _style(
            "table",
            "TableNormal",
            "Normal Table",
            default=True,
            prio=99,
            semi=True,
            extra=[
                E(
                    "w:tblPr",
                    None,
                    E(
                        "w:tblCellMar",
                        None,
                        E("w:top", {"w:w": 0, "w:type": "dxa"}),
                        E("w:left", {"w:w": 108, "w:type": "dxa"}),
                        E("w:bottom", {"w:w": 0, "w:type": "dxa"}),
                        E("w:right", {"w:w": 108, "w:type": "dxa"}),
                    ),
                )
            ],
        ),
        _style("numbering", "NoList", "No List", default=True, prio=99, semi=True),
    ]


def body_text(t: Typography) -> list[Element]:
    """Body paragraphs: spaced (Latin) or with a two-character first-line indent (CJK)."""
    return [
        _style(
            "paragraph",
            "BodyText",
            "Body Text",
            based="Normal",
            qformat=True,
            prio=1,
            ppr=[spacing(0, t.after), _justified(t)],
        ),
        _style(
            "paragraph",
            "BodyTextFirstIndent",
            "Body Text First Indent",
            based="BodyText",
            qformat=True,
            prio=1,
            ppr=[E("w:ind", {"w:firstLineChars": 200, "w:firstLine": t.indent})],
        ),
    ]


def title_lines(t: Typography) -> list[Element]:
    """Title, Subtitle, Author, Date, Source: the title block, centred."""
    return [
        _style(
            "paragraph",
            "Title",
            "Title",
            based="Normal",
            nxt="Subtitle",
            prio=10,
            qformat=True,
            ppr=[
                E("w:keepNext"),
                E("w:keepLines"),
                spacing(240, 240, 240),
                val("w:jc", "center"),
                E("w:outlineLvl", {"w:val": 9}),
            ],
            rpr=[_sans(t), flag("w:b"), flag("w:bCs"), *size(t.title), val("w:kern", 28)],
        ),
        _style(
            "paragraph",
            "Subtitle",
            "Subtitle",
            based="Normal",
            nxt="BodyText",
            prio=11,
            qformat=True,
            ppr=[E("w:keepNext"), spacing(0, 160), val("w:jc", "center")],
            rpr=[_sans(t), _grey(), *size(t.body + 2)],
        ),
        _style(
            "paragraph",
            "Author",
            "Author",
            based="Normal",
            nxt="Date",
            qformat=True,
            ppr=[E("w:keepNext"), spacing(0, 40), val("w:jc", "center")],
            rpr=[_grey(), *size(t.caption)],
        ),
        _style(
            "paragraph",
            "Date",
            "Date",
            based="Normal",
            nxt="BodyText",
            qformat=True,
            ppr=[E("w:keepNext"), spacing(0, 40), val("w:jc", "center")],
            rpr=[_grey(), *size(t.caption)],
        ),
        _style(
            "paragraph",
            "Source",
            "Source",
            based="Normal",
            nxt="BodyText",
            qformat=True,
            ppr=[spacing(0, 360), val("w:jc", "center")],
            rpr=[_grey(), *size(t.small)],
        ),
    ]


def headings(t: Typography) -> list[Element]:
    """Heading 1 to 6: sans, bold, kept with the next paragraph, in the outline."""
    before = (480, 360, 240, 240, 200, 200)
    after = (240, 160, 120, 80, 80, 80)
    out = []
    for n in range(1, 7):
        pt = t.headings[n - 1]
        out.append(
            _style(
                "paragraph",
                f"Heading{n}",
                f"heading {n}",
                based="Normal",
                nxt=_body_id(t),
                prio=9,
                qformat=True,
                ppr=[
                    E("w:keepNext"),
                    E("w:keepLines"),
                    spacing(before[n - 1], after[n - 1], 240),
                    E("w:outlineLvl", {"w:val": n - 1}),
                ],
                rpr=[
                    _sans(t),
                    flag("w:b"),
                    flag("w:bCs"),
                    *(_italic_latin(t) if n >= 4 else []),
                    val("w:color", "000000"),
                    *size(pt),
                    val("w:kern", 2 * int(pt)) if n == 1 else None,
                ],
            )
        )
    return out


def quotes_and_lists(t: Typography) -> list[Element]:
    """Quote (a rule on the left), and the list paragraphs (numbering does the indent)."""
    f = t.fonts
    return [
        _style(
            "paragraph",
            "Quote",
            "Quote",
            based="Normal",
            nxt=_body_id(t),
            prio=29,
            qformat=True,
            ppr=[
                E("w:pBdr", None, border("w:left", 18, "BFBFBF", 8)),
                spacing(120, 120),
                E("w:ind", {"w:left": 567, "w:right": 567}),
                _justified(t),
            ],
            rpr=[fonts(f.body, f.ea_quote), *_italic_latin(t), val("w:color", "404040")],
        ),
        _style(
            "paragraph",
            "ListParagraph",
            "List Paragraph",
            based="Normal",
            prio=34,
            qformat=True,
            ppr=[E("w:ind", {"w:left": 720}), E("w:contextualSpacing")],
        ),
        _style(
            "paragraph", "ListBullet", "List Bullet", based="Normal", prio=99, semi=True, ppr=[spacing(0, 60)]
        ),
        _style(
            "paragraph", "ListNumber", "List Number", based="Normal", prio=99, semi=True, ppr=[spacing(0, 60)]
        ),
        _style(
            "paragraph",
            "ListContinue",
            "List Continue",
            based="Normal",
            prio=99,
            semi=True,
            ppr=[spacing(0, 60), E("w:ind", {"w:left": t.indent})],
        ),
    ]


def code(t: Typography) -> list[Element]:
    """Source Code (a shaded, framed block, lines kept) and Verbatim Char (code in text)."""
    pad = [border(side, 4, "D9D9D9", 4) for side in ("w:top", "w:left", "w:bottom", "w:right")]
    return [
        _style(
            "paragraph",
            "SourceCode",
            "Source Code",
            based="Normal",
            prio=99,
            ppr=[
                E("w:pBdr", None, *pad),
                E("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": SHADE}),
                E("w:wordWrap", {"w:val": "0"}),
                spacing(120, 120, 240),
                E("w:ind", {"w:left": 113, "w:right": 113}),
            ],
            rpr=[_mono(t), E("w:noProof"), *size(t.code)],
        ),
        _style(
            "character",
            "VerbatimChar",
            "Verbatim Char",
            based="DefaultParagraphFont",
            prio=99,
            rpr=[_mono(t), E("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": SHADE})],
        ),
    ]


def figures(t: Typography) -> list[Element]:
    """Figure (a centred picture, kept with its caption) and Caption; for a picture that
    is not in the document, Picture Frame (its label and description in a thin box),
    Picture Label (the same in a line of text) and Picture Source (the note giving its
    address)."""
    box = [border(side, 4, RULE, 4) for side in ("w:top", "w:left", "w:bottom", "w:right")]
    return [
        _style(
            "paragraph",
            "PictureFrame",
            "Picture Frame",
            based="Normal",
            nxt=_body_id(t),
            prio=99,
            ppr=[
                E("w:keepNext"),
                E("w:pBdr", None, *box),
                spacing(120, 120, 240),
                E("w:ind", {"w:left": 1134, "w:right": 1134}),
                val("w:jc", "center"),
            ],
            rpr=[_grey(), *size(t.caption)],
        ),
        _style(
            "character",
            "PictureLabel",
            "Picture Label",
            based="DefaultParagraphFont",
            prio=99,
            rpr=[_grey(), E("w:bdr", {"w:val": "single", "w:sz": 4, "w:space": 0, "w:color": RULE})],
        ),
        _style("paragraph", "PictureSource", "Picture Source", based="FootnoteText", prio=99, semi=True),
        _style(
            "paragraph",
            "Figure",
            "Figure",
            based="Normal",
            nxt=_body_id(t),
            prio=99,
            ppr=[E("w:keepNext"), spacing(120, 120, 240), val("w:jc", "center")],
        ),
        _style(
            "paragraph",
            "Caption",
            "caption",
            based="Normal",
            nxt=_body_id(t),
            prio=35,
            qformat=True,
            semi=True,
            ppr=[spacing(0, 240, 240), val("w:jc", "center")],
            rpr=[*_italic_latin(t), val("w:color", GREY), *size(t.caption)],
        ),
    ]


def cell_text(t: Typography) -> list[Element]:
    """Compact: the paragraphs of table cells."""
    return [
        _style(
            "paragraph",
            "Compact",
            "Compact",
            based="Normal",
            prio=99,
            ppr=[spacing(20, 20, 264)],
            rpr=[*size(t.table)],
        )
    ]


def rule(t: Typography) -> list[Element]:
    """Horizontal Line: a thematic break, a short centred rule."""
    return [
        _style(
            "paragraph",
            "HorizontalLine",
            "Horizontal Line",
            based="Normal",
            nxt=_body_id(t),
            prio=99,
            ppr=[
                E("w:pBdr", None, border("w:bottom", 6, RULE, 1)),
                spacing(120, 360, 240),
                E("w:ind", {"w:left": 2268, "w:right": 2268}),
                val("w:jc", "center"),
            ],
            rpr=[*size(6)],
        )
    ]


def links() -> list[Element]:
    """Hyperlink and FollowedHyperlink: Word's blue, underlined."""
    return [
        _style(
            "character",
            "Hyperlink",
            "Hyperlink",
            based="DefaultParagraphFont",
            prio=99,
            semi=True,
            rpr=[val("w:color", WORD_BLUE), val("w:u", "single")],
        ),
        _style(
            "character",
            "FollowedHyperlink",
            "FollowedHyperlink",
            based="DefaultParagraphFont",
            prio=99,
            semi=True,
            rpr=[val("w:color", "954F72"), val("w:u", "single")],
        ),
    ]


def notes(t: Typography) -> list[Element]:
    """Footnote text (small) and the footnote mark (superscript)."""
    return [
        _style(
            "paragraph",
            "FootnoteText",
            "footnote text",
            based="Normal",
            prio=99,
            semi=True,
            ppr=[spacing(0, 40, 240), E("w:snapToGrid", {"w:val": "0"})],
            rpr=[*size(t.small)],
        ),
        _style(
            "character",
            "FootnoteReference",
            "footnote reference",
            based="DefaultParagraphFont",
            prio=99,
            semi=True,
            rpr=[val("w:vertAlign", "superscript")],
        ),
    ]


def page_margins(t: Typography) -> list[Element]:
    """Header and footer: small, grey, centred, with Word's centre and right tabs."""

    def margin(sid: str, name: str) -> Element:
        return _style(
            "paragraph",
            sid,
            name,
            based="Normal",
            prio=99,
            semi=True,
            ppr=[
                E(
                    "w:tabs",
                    None,
                    E("w:tab", {"w:val": "center", "w:pos": t.measure // 2}),
                    E("w:tab", {"w:val": "right", "w:pos": t.measure}),
                ),
                val("w:jc", "center"),
            ],
            rpr=[_grey(), *size(t.small)],
        )

    return [margin("Header", "header"), margin("Footer", "footer")]


def table_of_contents(t: Typography) -> list[Element]:
    """TOC Heading and the entries of levels 1 to 3, with dot leaders to the page number."""
    out = [
        _style(
            "paragraph",
            "TOCHeading",
            "TOC Heading",
            based="Heading1",
            nxt="Normal",
            prio=39,
            semi=True,
            qformat=True,
            ppr=[E("w:pageBreakBefore"), E("w:outlineLvl", {"w:val": 9}), val("w:jc", "center")],
        )
    ]
    for n in range(1, 4):
        out.append(
            _style(
                "paragraph",
                f"TOC{n}",
                f"toc {n}",
                based="Normal",
                nxt="Normal",
                prio=39,
                semi=True,
                ppr=[
                    E(
                        "w:tabs",
                        None,
                        E("w:tab", {"w:val": "right", "w:leader": "dot", "w:pos": t.measure - 10}),
                    ),
                    spacing(60 if n == 1 else 0, 60 if n == 1 else 0),
                    E("w:ind", {"w:left": (n - 1) * t.indent}),
                ],
                rpr=[flag("w:b") if n == 1 else None],
            )
        )
    return out


def table_grid() -> list[Element]:
    """Table Grid: thin borders, cell margins, a bold shaded header row."""
    cell_mar = E(
        "w:tblCellMar",
        None,
        E("w:top", {"w:w": 57, "w:type": "dxa"}),
        E("w:left", {"w:w": 108, "w:type": "dxa"}),
        E("w:bottom", {"w:w": 57, "w:type": "dxa"}),
        E("w:right", {"w:w": 108, "w:type": "dxa"}),
    )
    grid = E(
        "w:tblBorders",
        None,
        *(
            border(side, 4, "808080", 0)
            for side in ("w:top", "w:left", "w:bottom", "w:right", "w:insideH", "w:insideV")
        ),
    )
    first_row = E(
        "w:tblStylePr",
        {"w:type": "firstRow"},
        E("w:rPr", None, flag("w:b"), flag("w:bCs")),
        E("w:tcPr", None, E("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": SHADE})),
    )
    return [
        _style(
            "table",
            "TableGrid",
            "Table Grid",
            based="TableNormal",
            prio=59,
            ppr=[spacing(0, 0)],
            extra=[E("w:tblPr", None, grid, cell_mar), first_row],
        )
    ]


def _body_id(t: Typography) -> str:
    return "BodyTextFirstIndent" if t.cjk else "BodyText"


def body_style_name(cjk: bool) -> str:
    return "Body Text First Indent" if cjk else "Body Text"


def heading_style_name(level: int) -> str:
    """Markdown heading level (2..6 in clean documents) to the Word heading style."""
    return f"Heading {min(max(level - 1, 1), 6)}"


# -- installing ------------------------------------------------------------------------


class StyleMap:
    """Style ids by (case-insensitive) name, as the styles part has them."""

    def __init__(self, styles_el: Element):
        self._ids: dict[str, str] = {}
        self._by_name: dict[str, str | None] = {}  # the names asked for, as given
        for st in styles_el.findall(qn("w:style")):
            name = st.find(qn("w:name"))
            sid = st.get(qn("w:styleId"))
            if name is not None and sid:
                self._ids.setdefault(_key(name.get(qn("w:val"), "")), sid)

    def __contains__(self, name: str) -> bool:
        return _key(name) in self._ids

    def id(self, name: str) -> str | None:
        try:
            return self._by_name[name]
        except KeyError:
            sid = self._by_name[name] = self._ids.get(_key(name))
            return sid


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def install(styles_el: Element, t: Typography, replace: bool) -> StyleMap:
    """Put the style sheet into ``styles_el`` (a ``w:styles``).

    ``replace``: the document is ours, every style is (re)defined and the document
    defaults set. Otherwise (a reference document) only the missing styles are added.
    """
    mine = stylesheet(t)
    if replace:
        for child in list(styles_el):
            styles_el.remove(child)
        put(styles_el, doc_defaults(t))
        for st in mine:
            put(styles_el, st)
        return StyleMap(styles_el)
    existing = StyleMap(styles_el)
    taken = {st.get(qn("w:styleId")) for st in styles_el.findall(qn("w:style"))}
    remap: dict[str, str | None] = {}
    added = []
    for st in mine:
        name = st.find(qn("w:name")).get(qn("w:val"))
        sid = st.get(qn("w:styleId"))
        if name in existing:
            remap[sid] = existing.id(name)
            continue
        new_id = sid
        while new_id in taken:
            new_id += "G"
        taken.add(new_id)
        remap[sid] = new_id
        st.set(qn("w:styleId"), new_id)
        if st.get(qn("w:default")):  # the template has its own defaults
            del st.attrib[qn("w:default")]
        added.append(st)
    for st in added:
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = st.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) in remap:
                ref.set(qn("w:val"), remap[ref.get(qn("w:val"))])
        put(styles_el, st)
    _set_language(styles_el, t)
    return StyleMap(styles_el)


_STYLES_ROOT = '<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'
_FONTS_ROOT = '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'


@lru_cache(maxsize=32)
def own_sheet(t: Typography) -> tuple[bytes, StyleMap]:
    """The styles part of a document of ours (``install`` into an empty ``w:styles``) and its
    style ids: the same for every document of typography ``t``, so built once."""
    root = parse_xml(_STYLES_ROOT)
    styles = install(root, t, replace=True)
    return serialize(root), styles


@lru_cache(maxsize=32)
def own_font_table(t: Typography) -> bytes:
    """The font table part of a document of ours, built once per typography."""
    root = parse_xml(_FONTS_ROOT)
    for font in list(font_table(t)):
        root.append(font)
    return serialize(root)


def _set_language(styles_el: Element, t: Typography) -> None:
    """The document's language is content, not house style: set it in the defaults."""
    defaults = styles_el.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = put(styles_el, E("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = put(defaults, E("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = E("w:rPr")
        rpr_default.append(rpr)
    put(rpr, _lang(t))


def font_table(t: Typography) -> Element:
    """``w:fonts`` describing every face the styles name, with their other names."""
    f = t.fonts
    table = E("w:fonts")
    for name in dict.fromkeys((f.body, f.heading, f.mono, f.ea_body, f.ea_heading, f.ea_mono, f.ea_quote)):
        font = E("w:font", {"w:name": name})
        if name in ALT_NAMES:
            put(font, val("w:altName", ALT_NAMES[name]))
        charset, family = FONT_INFO.get(name, ("00", "auto"))
        put(font, val("w:charset", charset))
        put(font, val("w:family", family))
        put(
            font,
            val("w:pitch", "fixed" if family == "modern" and name in (f.mono, f.ea_mono) else "variable"),
        )
        table.append(font)
    return table
