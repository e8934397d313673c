"""What the DOCX writer does for print: no stretched lines, table columns, pictures not
fetched, typography by page size, curly quotes, a clean package. Each test reads the
document back (python-docx, lxml) and looks at what an editor would have to fix."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from pipeline.document import Document, Metadata
from pipeline.tree import parse
from pipeline.writers.docx import DocxWriter
from pipeline.writers.epub import EpubWriter
from pipeline.writers.markdown import render_document
from pipeline.writers.present import break_opportunities, curly_quotes

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def make_doc(markdown: str, lang: str = "zh-CN", title: str = "标题", **meta) -> Document:
    return Document(path=Path("t.md"), meta=Metadata(title=title, lang=lang, **meta), tree=parse(markdown))


def part(data: bytes, name: str = "word/document.xml"):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def style_of(d, name: str):
    return next(s for s in d.styles if s.name == name)


# -- 1. no stretched lines ------------------------------------------------------------------
def test_lines_ended_by_a_break_are_not_stretched_and_lists_are_not_justified():
    data = DocxWriter().render(make_doc("一行  \n两行\n\n- 列表项\n\n```\ncode\n```\n"))
    settings = part(data, "word/settings.xml")
    assert settings.find(f"{W}compat/{W}doNotExpandShiftReturn") is not None
    d = docx.Document(io.BytesIO(data))
    assert style_of(d, "Body Text").element.find(f"{W}pPr/{W}jc").get(f"{W}val") == "both"
    for name in ("List Bullet", "List Number", "List Continue", "Source Code", "Compact", "Caption"):
        jc = style_of(d, name).element.find(f"{W}pPr/{W}jc")
        assert jc is None or jc.get(f"{W}val") != "both", name


def test_long_addresses_and_code_may_break_after_slashes_dots_and_dashes():
    url = "https://example.com/a-long/path_name.html"
    assert break_opportunities(url) == (
        "https://\u200bexample.\u200bcom/\u200ba-\u200blong/\u200bpath_\u200bname.\u200bhtml"
    )
    assert break_opportunities("short/a.b") == "short/a.b"
    data = DocxWriter().render(make_doc(f"见 <{url}> 与 `some_module.function_name()` 和 a.b"))
    texts = "".join(t.text for t in part(data).iter(f"{W}t"))
    assert "\u200bexample.\u200bcom" in texts and "some_\u200bmodule.\u200bfunction_" in texts
    assert "a.b" in texts  # short words and plain text are left alone


# -- 5. quotes --------------------------------------------------------------------------
def test_quotes_curl_in_latin_text_never_in_code_nor_in_the_markdown():
    source = 'He said "it\'s *done*" and \'ok\'. Run `echo "hi"`.\n\n```\nprint("x")\n```\n'
    doc = make_doc(source, lang="en", title="T")
    data = DocxWriter().render(doc)
    texts = "".join(t.text for t in part(data).iter(f"{W}t"))
    assert "He said \u201cit\u2019s " in texts and "\u201d and \u2018ok\u2019." in texts
    assert 'echo "hi"' in texts and 'print("x")' in texts
    assert '"' not in texts.replace('echo "hi"', "").replace('print("x")', "")
    markdown = render_document(doc)
    assert "He said \"it's" in markdown and "\u201c" not in markdown
    epub = EpubWriter().render(doc)
    with zipfile.ZipFile(io.BytesIO(epub)) as z:
        chapter = next(z.read(n).decode() for n in z.namelist() if "chapter" in n)
    assert "He said \u201cit\u2019s " in chapter and 'echo "hi"' in chapter.replace("&quot;", '"')


def test_quotes_stay_straight_in_cjk_documents_and_when_turned_off():
    data = DocxWriter().render(make_doc('他说 "OK" 了'))
    assert '"OK"' in "".join(t.text for t in part(data).iter(f"{W}t"))
    data = DocxWriter(smart_quotes="false").render(make_doc('He said "no".', lang="en"))
    assert '"no"' in "".join(t.text for t in part(data).iter(f"{W}t"))
    data = DocxWriter(smart_quotes="true").render(make_doc('他说 "OK" 了'))
    assert "\u201cOK\u201d" in "".join(t.text for t in part(data).iter(f"{W}t"))


@pytest.mark.parametrize(
    "text, before, want",
    [
        ('"a"', "", "\u201ca\u201d"),
        ("'a'", " ", "\u2018a\u2019"),
        ("it's", "", "it\u2019s"),
        ("'90s", " ", "\u201990s"),
        ('("x")', "", "(\u201cx\u201d)"),
        ('"', "a", "\u201d"),
    ],
)
def test_curly_quotes_open_after_space_or_bracket_and_close_elsewhere(text, before, want):
    assert curly_quotes(text, before) == want


# -- 2. tables ----------------------------------------------------------------------------
LONG_CELL = (
    "这是一段很长很长的描述文字，用来占满整个表格的宽度，"
    "看看短的列会不会被挤得换行。这是一段很长很长的描述文字"
)
TABLE = f"""| 问题等级 | 描述 | 已有修复 commit |
| --- | --- | --- |
| 高 | {LONG_CELL} | 有 |
| 中 | 短 | `abc1234` |

正文。
"""


def test_short_cjk_columns_keep_four_characters_and_long_ones_take_the_rest():
    data = DocxWriter().render(make_doc(TABLE))
    tbl = part(data).find(f"{W}body/{W}tbl")
    widths = [int(g.get(f"{W}w")) for g in tbl.iter(f"{W}gridCol")]
    four_cjk = 4 * 10.5 * 20 + 216  # four characters of the table's 10.5 pt, and the margins
    assert widths[0] >= four_cjk and widths[2] >= four_cjk
    assert widths[1] > widths[0] + widths[2]
    assert tbl.find(f"{W}tblPr/{W}tblLayout").get(f"{W}type") == "fixed"


def test_no_empty_paragraph_after_a_table_and_the_header_is_the_table_styles():
    data = DocxWriter().render(make_doc(TABLE + "\n| a |\n| - |\n| b |\n"))
    body = part(data).find(f"{W}body")
    kids = list(body)
    first = next(i for i, el in enumerate(kids) if el.tag == f"{W}tbl")
    after = kids[first + 1]
    assert after.tag == f"{W}p" and "".join(t.text for t in after.iter(f"{W}t")) == "正文。"
    assert after.find(f"{W}pPr/{W}spacing").get(f"{W}before")  # a space from the table
    second = kids.index(body.findall(f"{W}tbl")[1])
    assert kids[second - 1].tag == f"{W}p"  # only between two tables: Word would join them
    head = kids[first].find(f"{W}tr")
    assert head.find(f"{W}trPr/{W}tblHeader") is not None
    assert not head.findall(f".//{W}shd") and not head.findall(f".//{W}b")
    d = docx.Document(io.BytesIO(data))
    grid = style_of(d, "Table Grid").element
    first_row = grid.find(f"{W}tblStylePr[@{W}type='firstRow']")
    assert first_row.find(f"{W}rPr/{W}b") is not None and first_row.find(f"{W}tcPr/{W}shd") is not None


# -- 6. the package -------------------------------------------------------------------------
def test_the_package_has_a_theme_with_the_documents_fonts():
    data = DocxWriter().render(make_doc("正文。"))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "word/theme/theme1.xml" in z.namelist()
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
    assert "theme+xml" in types and "relationships/theme" in rels
    theme = part(data, "word/theme/theme1.xml")
    a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    assert theme.find(f".//{a}minorFont/{a}ea").get("typeface") == "SimSun"
    assert theme.find(f".//{a}majorFont/{a}ea").get("typeface") == "SimHei"


def test_styles_with_effects_of_a_reference_is_dropped(tmp_path: Path):
    ref = docx.Document()
    ref.save(tmp_path / "plain.docx")
    with zipfile.ZipFile(tmp_path / "plain.docx") as z:
        entries = {n: z.read(n) for n in z.namelist()}
    entries["word/stylesWithEffects.xml"] = entries["word/styles.xml"]
    entries["word/_rels/document.xml.rels"] = entries["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2007/'
        b'relationships/stylesWithEffects" Target="stylesWithEffects.xml"/></Relationships>',
    )
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/word/stylesWithEffects.xml" ContentType="application/'
        b'vnd.ms-word.stylesWithEffects+xml"/></Types>',
    )
    with zipfile.ZipFile(tmp_path / "ref.docx", "w") as z:
        for name, blob in entries.items():
            z.writestr(name, blob)
    data = DocxWriter(reference_docx=str(tmp_path / "ref.docx")).render(make_doc("## 章\n\n正文。"))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        rels = z.read("word/_rels/document.xml.rels").decode()
        types = z.read("[Content_Types].xml").decode()
    assert "word/stylesWithEffects.xml" not in names
    assert "stylesWithEffects" not in rels and "stylesWithEffects" not in types
    assert "word/theme/theme1.xml" in names  # the reference's own theme, kept


def test_the_table_of_contents_has_a_page_of_its_own_and_is_not_marked_dirty():
    data = DocxWriter(toc=True).render(make_doc("## 第一章\n\n文字。\n\n### 一节\n\n文字。\n"))
    body = part(data).find(f"{W}body")
    d = docx.Document(io.BytesIO(data))
    assert style_of(d, "TOC Heading").element.find(f"{W}pPr/{W}pageBreakBefore") is not None
    paras = body.findall(f"{W}p")
    ends = [
        i
        for i, p in enumerate(paras)
        if any(f.get(f"{W}fldCharType") == "end" for f in p.iter(f"{W}fldChar"))
    ]
    after = paras[ends[-1] + 1]
    assert after.find(f"{W}pPr/{W}pageBreakBefore") is not None
    assert "第一章" in "".join(t.text for t in after.iter(f"{W}t"))
    assert not [f for f in body.iter(f"{W}fldChar") if f.get(f"{W}dirty")]


# -- 4. typography by page size ---------------------------------------------------------------
def sizes(data: bytes) -> dict[str, float]:
    d = docx.Document(io.BytesIO(data))
    out = {}
    for name in ("Title", "Heading 1", "Heading 2"):
        out[name] = style_of(d, name).font.size.pt
    out["body"] = d.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}sz").get(f"{W}val")
    out["body"] = int(out["body"]) / 2
    sect = d.sections[-1]
    out["measure"] = (sect.page_width - sect.left_margin - sect.right_margin) / 635  # twips
    return out


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a5_scales_margins_and_type_and_headings_differ_visibly(lang):
    doc = make_doc("## 一\n\n正文。\n\n### 二\n\n正文。", lang=lang)
    a4, a5 = sizes(DocxWriter().render(doc)), sizes(DocxWriter(page_size="a5").render(doc))
    for name in ("Title", "Heading 1", "Heading 2", "body"):
        assert a5[name] < a4[name], name
    assert a4["Heading 1"] - a4["Heading 2"] >= 2 and a5["Heading 1"] - a5["Heading 2"] >= 1.5
    if lang == "zh-CN":
        assert a4["body"] == 12 and a5["body"] == 10.5
        chars = a5["measure"] / (a5["body"] * 20)
        assert chars >= 26, chars  # A4's margins on A5 left 17 characters a line
    footer = docx.Document(io.BytesIO(DocxWriter(page_size="a5", toc=True).render(doc)))
    tab = style_of(footer, "toc 1").element.find(f"{W}pPr/{W}tabs/{W}tab")
    assert int(tab.get(f"{W}pos")) <= a5["measure"]  # the page numbers stay inside the margin


# -- 3. pictures not fetched ------------------------------------------------------------------
def remote(markdown: str) -> Document:
    doc = make_doc(markdown)
    from pipeline.tree import walk

    for tok in walk(doc.tree or []):
        if tok.get("type") == "image":
            tok.setdefault("attrs", {})["remote"] = True  # as the image step marks them
    return doc


def test_a_picture_not_fetched_is_a_framed_description_with_its_address_in_a_note():
    doc = remote("正文。\n\n![雷军在发布会上](https://example.com/a.jpg)\n\n▲ 发布会现场\n\n正文。\n")
    data = DocxWriter().render(doc)
    d = docx.Document(io.BytesIO(data))
    styles = [(p.style.name, p.text) for p in d.paragraphs if p.text.strip()]
    assert ("Picture Frame", "图片：雷军在发布会上") in styles
    assert ("Caption", "▲ 发布会现场") in styles  # the article's caption line under it
    assert "在线查看" not in "".join(t for _, t in styles)
    frame_style = style_of(d, "Picture Frame").element
    assert frame_style.find(f"{W}pPr/{W}pBdr/{W}top") is not None  # the border is the style's
    notes = part(data, "word/footnotes.xml")
    source = [n for n in notes if n.find(f".//{W}pStyle[@{W}val='PictureSource']") is not None]
    assert len(source) == 1
    assert (
        "".join(t.text for t in source[0].iter(f"{W}t")).strip().replace("\u200b", "")
        == "https://example.com/a.jpg"
    )


def test_decorative_pictures_are_framed_or_left_out_and_inline_ones_are_labelled():
    doc = remote("文字 ![图表](https://example.com/b.png) 文字。\n\n![](https://example.com/c.png)\n")
    d = docx.Document(io.BytesIO(DocxWriter().render(doc)))
    assert [p.text for p in d.paragraphs if p.style.name == "Picture Frame"] == ["图片"]
    inline = d.paragraphs[-2]._p if d.paragraphs[-1].style.name == "Picture Frame" else None
    assert inline is not None
    labels = [
        r for r in inline.iter(f"{W}r") if r.find(f"{W}rPr/{W}rStyle[@{W}val='PictureLabel']") is not None
    ]
    assert labels and inline.find(f".//{W}footnoteReference") is not None
    omitted = docx.Document(io.BytesIO(DocxWriter(decorative_pictures="omit").render(doc)))
    assert not [p for p in omitted.paragraphs if p.style.name == "Picture Frame"]
    with pytest.raises(Exception, match="decorative_pictures"):
        DocxWriter(decorative_pictures="maybe")


def test_only_a_short_caption_line_right_after_a_picture_becomes_a_caption():
    doc = remote(
        "![a](https://example.com/a.jpg)\n\n*现场照片*\n\n![c](https://example.com/c.jpg)\n\nFig. 1\n\n"
        "![b](https://example.com/b.jpg)\n\n这是一段很普通的正文，不是图片说明。\n\n*强调的正文*\n"
    )
    d = docx.Document(io.BytesIO(DocxWriter().render(doc)))
    styles = {p.text: p.style.name for p in d.paragraphs}
    assert styles["现场照片"] == styles["Fig. 1"] == "Caption"
    assert styles["这是一段很普通的正文，不是图片说明。"] == "Body Text First Indent"
    assert styles["强调的正文"] == "Body Text First Indent"  # not right after a picture


def test_code_in_a_table_cell_names_its_font():
    """LibreOffice gives cell text the table style's fonts over character styles."""
    data = DocxWriter().render(make_doc("| a |\n| - |\n| `x.md` |\n\n正文 `y.md`\n"))
    body = part(data).find(f"{W}body")
    cell_run = next(r for r in body.find(f"{W}tbl").iter(f"{W}r") if r.find(f"{W}t").text == "x.md")
    assert cell_run.find(f"{W}rPr/{W}rFonts").get(f"{W}ascii") == "Consolas"
    text_run = next(
        r for r in body.iter(f"{W}r") if (r.find(f"{W}t") is not None and r.find(f"{W}t").text == "y.md")
    )
    assert text_run.find(f"{W}rPr/{W}rFonts") is None  # elsewhere the style says it
