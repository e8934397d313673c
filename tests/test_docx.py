"""The DOCX writer: every article read back by pandoc and python-docx, plus focused checks.

Per article (samples and, when present, the shared corpus): pandoc reads the DOCX
back with the same letters, digits and CJK characters as the clean Markdown (read
by pandoc too), headings come back at the mapped levels, python-docx reopens it,
no ``**`` is left in a paragraph, and two renderings are byte-identical.
"""

from __future__ import annotations

import collections
import io
import json
import re
import shutil
import subprocess
import zipfile
from functools import cache
from pathlib import Path

import docx
import pytest
from conftest import all_articles
from docx.oxml.ns import qn
from lxml import etree

from pipeline.document import Document, Metadata
from pipeline.errors import ConfigError
from pipeline.textkeep import significant
from pipeline.tree import inline_text, parse, walk
from pipeline.writers.common import language
from pipeline.writers.docx import DocxWriter
from pipeline.writers.docx.styles import heading_style_name
from pipeline.writers.markdown import render_body
from pipeline.writers.present import alt_text, caption, picture_text, title_block, words

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ARTICLES = all_articles()
# Raw HTML blocks count with their text (the writer keeps it); inline tags have none.
RAW_HTML_FILTER = """
function RawBlock(el)
  if el.format:match("html") then
    return pandoc.read(el.text, "html").blocks
  end
end
"""
MARKDOWN_IN = "commonmark+pipe_tables+strikeout+footnotes+task_lists"


@pytest.fixture(scope="session")
def pandoc() -> str:
    import pypandoc

    try:
        return pypandoc.get_pandoc_path()
    except OSError:
        pytest.skip("pandoc is not available")


@pytest.fixture(scope="session")
def lua_filter(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lua") / "rawhtml.lua"
    path.write_text(RAW_HTML_FILTER, encoding="utf-8")
    return path


def run_pandoc(pandoc: str, args: list[str], data: bytes) -> str:
    proc = subprocess.run([pandoc, *args], input=data, capture_output=True, check=True)
    return proc.stdout.decode("utf-8")


@cache
def converted(path: Path) -> tuple[Document, bytes]:
    from pipeline.runner import Pipeline

    doc = Pipeline().process(path)
    return doc, DocxWriter().render(doc)


def make_doc(markdown: str, lang: str = "zh-CN", title: str = "标题", **meta) -> Document:
    return Document(path=Path("t.md"), meta=Metadata(title=title, lang=lang, **meta), tree=parse(markdown))


def xml_of(data: bytes, name: str = "word/document.xml"):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def part_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.namelist()


def body_headings(tokens: list[dict]) -> list[dict]:
    """Headings of the tree in order, outside footnotes (a note holds no heading)."""
    out = []
    for tok in tokens:
        if tok.get("type") == "footnotes":
            continue
        if tok.get("type") == "heading":
            out.append(tok)
        if isinstance(tok.get("children"), list):
            out += body_headings(tok["children"])
    return out


def pandoc_text(node) -> str:
    """Text of pandoc JSON inlines (notes left out)."""
    if isinstance(node, list):
        return "".join(pandoc_text(n) for n in node)
    if not isinstance(node, dict):
        return ""
    t, c = node.get("t"), node.get("c")
    if t == "Str":
        return c
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t == "Code":
        return c[1]
    if t == "Note":
        return ""
    if t in ("Link", "Image"):
        return pandoc_text(c[1])
    if t in ("Span", "Quoted", "Cite"):
        return pandoc_text(c[-1])
    return pandoc_text(c) if isinstance(c, list) else ""


def pandoc_headers(node, out: list) -> list:
    if isinstance(node, dict):
        if node.get("t") == "Header":
            out.append((node["c"][0], pandoc_text(node["c"][2])))
        for v in node.values():
            pandoc_headers(v, out)
    elif isinstance(node, list):
        for v in node:
            pandoc_headers(v, out)
    return out


def allowed_extras(doc: Document) -> str:
    """Text the DOCX shows that the Markdown read as plain text does not: the source
    line of the title block, literal non-HTML tags, placeholder labels, captions, the
    addresses of pictures not in the document (notes)."""
    lang = language(doc)
    parts = [line.label + line.text for line in title_block(doc, lang) if line.kind == "source"]
    w = words(lang)
    parts.append(w.image + w.image_missing + w.online)  # pictures of raw HTML are placeholders
    for tok in walk(doc.tree or []):
        if tok["type"] == "inline_html":
            parts.append(tok.get("raw", ""))
        elif tok["type"] == "image":
            attrs = tok.get("attrs") or {}
            read = bool(attrs.get("remote") or attrs.get("asset"))
            parts.append("".join(picture_text(alt_text(tok), lang, read=read)) + w.online)
            parts.append(caption(tok) or "")
            parts.append((tok.get("attrs") or {}).get("title") or "")
            if attrs.get("remote"):
                parts.append(attrs.get("url") or "")  # in print, the address is a note
    # and those notes have numbers, in the text and before the note ([n] for pandoc)
    notes = sum(1 for tok in walk(doc.tree or []) if tok["type"] in ("image", "footnote_ref"))
    parts += [str(n) * 2 for n in range(1, notes + 1)]
    return "".join(parts)


# -- every article -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_pandoc_reads_back_the_same_text(path: Path, pandoc: str, lua_filter: Path):
    doc, data = converted(path)
    markdown = render_body(doc.tree or []).encode("utf-8")
    want = collections.Counter(
        significant(
            run_pandoc(pandoc, ["-f", MARKDOWN_IN, "-t", "plain", "--lua-filter", str(lua_filter)], markdown)
        )
    )
    got = collections.Counter(significant(run_pandoc(pandoc, ["-f", "docx", "-t", "plain"], data)))
    missing = want - got
    assert not missing, f"text lost: {''.join(sorted(missing.elements()))[:200]!r}"
    extra = (got - want) - collections.Counter(significant(allowed_extras(doc)))
    assert not extra, f"text added: {''.join(sorted(extra.elements()))[:200]!r}"


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_headings_come_back_at_their_levels(path: Path, pandoc: str):
    doc, data = converted(path)
    tree = json.loads(run_pandoc(pandoc, ["-f", "docx", "-t", "json"], data))
    got = pandoc_headers(tree["blocks"], [])
    want = body_headings(doc.tree or [])
    assert [level for level, _ in got] == [
        int(heading_style_name(h["attrs"]["level"]).split()[-1]) for h in want
    ]
    for (_, text), h in zip(got, want, strict=False):
        have = collections.Counter(significant(text))
        need = collections.Counter(significant(inline_text(h.get("children"), alt=True)))
        literal = "".join(
            t.get("raw", "") for t in walk(h.get("children") or []) if t["type"] == "inline_html"
        )
        assert not need - have and not (have - need) - collections.Counter(significant(literal)), text
    title = tree["meta"].get("title")
    assert title is not None
    assert significant(pandoc_text(title["c"])) == significant(doc.meta.title or path.stem)


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_python_docx_reopens_it_and_no_markup_is_left(path: Path):
    doc, data = converted(path)
    d = docx.Document(io.BytesIO(data))
    texts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            texts += [p.text for cell in row.cells for p in cell.paragraphs]
    # "**" only where the article's own text has it (code, masked keys), never as markup
    literal = "\n".join(
        t.get("raw", "")
        for t in walk(doc.tree or [])
        if t["type"] in ("text", "codespan", "block_code", "inline_html", "block_html")
    )
    leftovers = [w for t in texts for w in re.findall(r"\S*\*\*\S*", t) if w not in literal]
    assert not leftovers
    assert d.core_properties.title == (doc.meta.title or path.stem)
    assert d.paragraphs[0].style.name == "Title"
    levels = {h["attrs"]["level"] for h in body_headings(doc.tree or [])}
    names = {p.style.name for p in d.paragraphs if p.style.name.startswith("Heading")}
    assert names == {heading_style_name(level) for level in levels}
    section = d.sections[-1]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_two_renderings_are_byte_identical(path: Path):
    from pipeline.runner import Pipeline

    first = DocxWriter().render(Pipeline().process(path))
    second = DocxWriter().render(Pipeline().process(path))
    assert first == second


# -- focused checks --------------------------------------------------------------------------


def style_chain(styles, style_id: str | None):
    by_id = {s.get(qn("w:styleId")): s for s in styles.iter(qn("w:style"))}
    chain = []
    while style_id and style_id in by_id and len(chain) < 20:
        st = by_id[style_id]
        chain.append(st)
        based = st.find(qn("w:basedOn"))
        style_id = based.get(qn("w:val")) if based is not None else None
    return chain


def first_line(p, styles) -> tuple[int, int]:
    """Effective (firstLineChars, firstLine) of a paragraph: direct, then styles."""
    ppr = p.find(qn("w:pPr"))
    sid = None
    candidates = []
    if ppr is not None:
        candidates.append(ppr.find(qn("w:ind")))
        ps = ppr.find(qn("w:pStyle"))
        sid = ps.get(qn("w:val")) if ps is not None else None
    if sid is None:
        sid = next(
            s.get(qn("w:styleId"))
            for s in styles.iter(qn("w:style"))
            if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) == "1"
        )
    for st in style_chain(styles, sid):
        spr = st.find(qn("w:pPr"))
        candidates.append(spr.find(qn("w:ind")) if spr is not None else None)
    chars = line = None
    for ind in candidates:
        if ind is None:
            continue
        if chars is None and ind.get(qn("w:firstLineChars")) is not None:
            chars = int(ind.get(qn("w:firstLineChars")))
        if line is None and (ind.get(qn("w:firstLine")) is not None or ind.get(qn("w:hanging")) is not None):
            line = int(ind.get(qn("w:firstLine")) or 0)
    return chars or 0, line or 0


def style_of(p) -> str | None:
    ps = p.find(f"{W}pPr/{W}pStyle")
    return ps.get(qn("w:val")) if ps is not None else None


MIXED = """正文第一段，没有标题在前。

## 一节

正文第二段[^n]。

- 列表项一
- 列表项二

> 引用的话。

```
code line
```

正文第三段。

[^n]: 脚注的文字。
"""


def test_cjk_indent_on_every_body_paragraph_and_nowhere_else():
    data = DocxWriter().render(make_doc(MIXED))
    styles = xml_of(data, "word/styles.xml")
    body = xml_of(data)
    indent = {}
    for p in body.iter(f"{W}p"):
        text = "".join(t.text or "" for t in p.iter(f"{W}t"))
        if text:
            indent[text] = first_line(p, styles)
    for text in ("正文第一段，没有标题在前。", "正文第二段1。", "正文第三段。"):
        key = next(k for k in indent if k.startswith(text[:4]))
        assert indent[key][0] == 200 and indent[key][1] > 0, key
    for text in ("列表项一", "列表项二", "引用的话。", "code line", "标题", "一节"):
        assert indent[text] == (0, 0), text
    notes = xml_of(data, "word/footnotes.xml")
    note_paras = [p for p in notes.iter(f"{W}p") if "脚注" in "".join(t.text or "" for t in p.iter(f"{W}t"))]
    assert note_paras and all(first_line(p, styles) == (0, 0) for p in note_paras)


def test_fonts_and_languages_cjk_and_latin():
    cjk = xml_of(DocxWriter().render(make_doc("中文。")), "word/styles.xml")
    fonts = cjk.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert fonts.get(qn("w:eastAsia")) == "SimSun"
    lang = cjk.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
    heading = next(s for s in cjk.iter(qn("w:style")) if s.get(qn("w:styleId")) == "Heading1")
    assert heading.find(f"{W}rPr/{W}rFonts").get(qn("w:eastAsia")) == "SimHei"

    latin_data = DocxWriter().render(make_doc("A paragraph.\n\nAnother.", lang="en", title="T"))
    latin = xml_of(latin_data, "word/styles.xml")
    lang = latin.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(qn("w:val")) == "en-US"
    body = xml_of(latin_data)
    paras = [p for p in body.iter(f"{W}p") if "paragraph" in "".join(t.text or "" for t in p.iter(f"{W}t"))]
    assert paras and first_line(paras[0], latin) == (0, 0)


def test_ordered_lists_restart_and_nest_with_real_numbering(pandoc: str):
    md = "1. one\n2. two\n   - inner a\n   - inner b\n\ntext\n\n3. three\n4. four\n\n   1. deep\n"
    data = DocxWriter().render(make_doc(md, lang="en", title="T"))
    assert "word/numbering.xml" in part_names(data)
    numbering = xml_of(data, "word/numbering.xml")
    body = xml_of(data)
    items = []
    for p in body.iter(f"{W}p"):
        num = p.find(f"{W}pPr/{W}numPr")
        if num is not None:
            text = "".join(t.text or "" for t in p.iter(f"{W}t"))
            items.append(
                (text, int(num.find(f"{W}ilvl").get(qn("w:val"))), num.find(f"{W}numId").get(qn("w:val")))
            )
    assert [(t, lvl) for t, lvl, _ in items] == [
        ("one", 0),
        ("two", 0),
        ("inner a", 1),
        ("inner b", 1),
        ("three", 0),
        ("four", 0),
        ("deep", 1),
    ]
    ids = {t: n for t, _, n in items}
    assert ids["one"] == ids["two"] != ids["three"]
    assert ids["inner a"] not in (ids["one"], ids["three"])

    def start(num_id: str) -> int | None:
        num = next(n for n in numbering.iter(f"{W}num") if n.get(qn("w:numId")) == num_id)
        override = num.find(f"{W}lvlOverride/{W}startOverride")
        return int(override.get(qn("w:val"))) if override is not None else None

    assert start(ids["one"]) == 1 and start(ids["three"]) == 3 and start(ids["deep"]) == 1
    plain = run_pandoc(pandoc, ["-f", "docx", "-t", "plain"], data)
    assert re.search(r"1\.\s+one\s+2\.\s+two", plain) and re.search(r"3\.\s+three\s+4\.\s+four", plain)
    assert re.search(r"1\.\s+deep", plain)


def test_footnotes_are_word_footnotes(pandoc: str):
    md = "Claim one[^a] and two[^b], again[^a].\n\n[^a]: First note.\n[^b]: Second *note*.\n"
    data = DocxWriter().render(make_doc(md, lang="en", title="T"))
    assert "word/footnotes.xml" in part_names(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
    assert (
        'PartName="/word/footnotes.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"' in types
    )
    assert "relationships/footnotes" in rels
    notes = xml_of(data, "word/footnotes.xml")
    kinds = [n.get(qn("w:type")) for n in notes.iter(f"{W}footnote")]
    assert kinds[:2] == ["separator", "continuationSeparator"] and len(kinds) == 4
    body = xml_of(data)
    assert len(body.findall(f".//{W}footnoteReference")) == 2
    assert "NOTEREF" in "".join(t.text or "" for t in body.iter(f"{W}instrText"))
    plain = run_pandoc(pandoc, ["-f", "docx", "-t", "plain"], data)
    assert "First note." in plain and "Second note." in plain
    assert re.search(r"Claim one\[1\] and two\[2\]", plain)


def test_page_size_margins_and_page_numbers():
    for option, size in ((None, (210, 297)), ("letter", (216, 279)), ("A4", (210, 297))):
        opts = {} if option is None else {"page_size": option}
        d = docx.Document(io.BytesIO(DocxWriter(**opts).render(make_doc("文字。"))))
        s = d.sections[-1]
        assert (round(s.page_width.mm), round(s.page_height.mm)) == size
        assert s.left_margin.cm > 2 and s.top_margin.cm > 2
        assert "PAGE" in s.footer._element.xml
    with pytest.raises(ConfigError):
        DocxWriter(page_size="tabloid-ish")


def test_title_block_and_core_properties():
    doc = make_doc(
        "正文。",
        author="作者甲",
        date="2024-07-20T22:21:39",
        source="https://example.com/a",
        extra={"tags": ["车", "演讲"], "description": "摘要"},
    )
    data = DocxWriter().render(doc)
    d = docx.Document(io.BytesIO(data))
    styles = [(p.style.name, p.text) for p in d.paragraphs[:4]]
    assert [s for s, _ in styles] == ["Title", "Author", "Date", "Source"]
    assert styles[0][1] == "标题" and styles[1][1] == "作者甲"
    assert "2024" in styles[2][1] and "20" in styles[2][1]
    assert "https://example.com/a" in styles[3][1].replace("\u200b", "")  # break opportunities
    cp = d.core_properties
    assert (cp.title, cp.author, cp.subject, cp.keywords) == ("标题", "作者甲", "摘要", "车, 演讲")
    assert cp.created == cp.modified and cp.created.year == 2024
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "https://example.com/a" in z.read("docProps/custom.xml").decode()
        stamps = {info.date_time for info in z.infolist()}
    assert len(stamps) == 1 and next(iter(stamps))[:3] == (2024, 7, 20)


def test_inline_formatting_links_code_and_html():
    md = (
        '**粗** *斜* ~~删~~ `code` [链接](https://example.com/x?q=1 "提示") [相对](other.md)'
        " H<sub>2</sub>O <if>标签</if> <span>span</span>\n"
    )
    data = DocxWriter().render(make_doc(md))
    body = xml_of(data)
    runs = {}
    for r in body.iter(f"{W}r"):
        text = "".join(t.text or "" for t in r.iter(f"{W}t"))
        if text.strip():
            runs[text.strip()] = r
    assert runs["粗"].find(f"{W}rPr/{W}b") is not None
    assert runs["斜"].find(f"{W}rPr/{W}i") is not None
    assert runs["删"].find(f"{W}rPr/{W}strike") is not None
    assert runs["code"].find(f"{W}rPr/{W}rStyle").get(qn("w:val")) == "VerbatimChar"
    assert runs["2"].find(f"{W}rPr/{W}vertAlign").get(qn("w:val")) == "subscript"
    assert "<if>" in runs and "</if>" in runs and "<span>" not in runs and "span" in runs
    links = body.findall(f".//{W}hyperlink")
    assert len(links) == 1 and links[0].get(qn("w:tooltip")) == "提示"
    assert "".join(t.text for t in links[0].iter(f"{W}t")) == "链接"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        rels = z.read("word/_rels/document.xml.rels").decode()
    assert 'Target="https://example.com/x?q=1" TargetMode="External"' in rels
    assert "other.md" not in rels and "相对" in runs


def test_block_html_table_becomes_a_word_table():
    md = (
        '<table><tr><th colspan="2">头</th></tr><tr><td><b>甲</b></td><td>乙<br>丙</td></tr></table>\n\n'
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n"
    )
    body = xml_of(DocxWriter().render(make_doc(md)))
    tables = body.find(f"{W}body").findall(f"{W}tbl")
    assert len(tables) == 2
    html, md_table = tables
    rows = html.findall(f"{W}tr")
    assert rows[0].find(f"{W}tc/{W}tcPr/{W}gridSpan").get(qn("w:val")) == "2"
    assert "".join(t.text for t in rows[1].iter(f"{W}t")) == "甲乙丙"
    assert "<" not in "".join(t.text or "" for t in body.iter(f"{W}t"))
    head = md_table.find(f"{W}tr")
    assert head.find(f"{W}trPr/{W}tblHeader") is not None
    cells = md_table.findall(f"{W}tr")[1].findall(f"{W}tc")
    assert cells[1].find(f"{W}p/{W}pPr/{W}jc").get(qn("w:val")) == "right"


def test_images_embedded_scaled_or_placeholders(tmp_path: Path):
    from PIL import Image

    from pipeline.runner import Pipeline

    Image.new("RGB", (3000, 1500), (200, 0, 0)).save(tmp_path / "wide.png")
    Image.new("RGB", (120, 90), (0, 200, 0)).save(tmp_path / "small.png")
    Image.new("RGB", (64, 64), (0, 0, 200)).save(tmp_path / "pic.webp")
    (tmp_path / "a.md").write_text(
        "---\ntitle: Images\nlang: en\n---\n\nSome text.\n\n![A wide chart](wide.png)\n\n"
        "![image](small.png)\n\n![](pic.webp)\n\n![Remote one](https://example.com/r.png)\n",
        encoding="utf-8",
    )
    doc = Pipeline().process(tmp_path / "a.md")
    data = DocxWriter().render(doc)
    d = docx.Document(io.BytesIO(data))
    shapes = list(d.inline_shapes)
    assert len(shapes) == 2
    section = d.sections[-1]
    text_width = section.page_width - section.left_margin - section.right_margin
    wide, small = shapes
    assert abs(wide.width - text_width) <= 635 and abs(wide.width / wide.height - 2) < 0.01
    assert small.width < text_width / 2 and abs(small.width / small.height - 120 / 90) < 0.01
    body = xml_of(data)
    doc_pr = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
    # "image" says nothing: decorative
    assert [p.get("descr") for p in body.iter(doc_pr)] == ["A wide chart", None]
    texts = [p.text for p in d.paragraphs]
    assert "Image" in texts  # the WebP, until the image step converts it
    # in print: the description in a frame, the address in a note (no link to follow on paper)
    frames = [p for p in d.paragraphs if p.style.name == "Picture Frame"]
    assert [p.text for p in frames] == ["Image", "Image: Remote one"]
    assert [p._p.find(f".//{W}footnoteReference") is not None for p in frames] == [False, True]
    assert "A wide chart" in texts  # a meaningful alt text is the caption
    assert "image" not in texts  # a generic one is not
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert 'Target="https://example.com/r.png"' in z.read("word/_rels/footnotes.xml.rels").decode()
        assert "https://\u200bexample.\u200bcom/\u200br.\u200bpng" in z.read("word/footnotes.xml").decode()
        assert not [n for n in z.namelist() if n.endswith(".webp")]


def test_toc_field():
    data = DocxWriter(toc=True).render(make_doc("## 第一章\n\n文字。\n\n### 一节\n\n文字。\n"))
    body = xml_of(data)
    instr = "".join(t.text for t in body.iter(f"{W}instrText"))
    assert 'TOC \\o "1-3"' in instr
    # Word is not made to ask about updating fields on open, unless that is asked for
    assert xml_of(data, "word/settings.xml").find(f"{W}updateFields") is None
    asked = DocxWriter(toc=True, update_fields=True).render(make_doc("## 第一章\n"))
    assert xml_of(asked, "word/settings.xml").find(f"{W}updateFields") is not None
    anchors = [h.get(qn("w:anchor")) for h in body.iter(f"{W}hyperlink")]
    names = [b.get(qn("w:name")) for b in body.iter(f"{W}bookmarkStart")]
    assert anchors and set(anchors) <= set(names)
    assert "TOC" not in "".join(
        t.text or "" for t in xml_of(DocxWriter().render(make_doc("## 第一章\n"))).iter(f"{W}instrText")
    )


def test_reference_docx_styles_page_and_footer_are_taken(tmp_path: Path):
    from docx.shared import Pt

    ref = docx.Document()  # python-docx's template: US Letter
    ref.styles["Heading 1"].font.size = Pt(33)
    ref.styles["Heading 1"].font.name = "House Sans"
    ref.sections[0].footer.paragraphs[0].text = "HOUSE FOOTER"
    ref.add_paragraph("template body text that must not survive")
    ref.save(tmp_path / "ref.docx")
    doc = make_doc("## 一章\n\n正文[^1]。\n\n[^1]: 注。\n")
    d = docx.Document(io.BytesIO(DocxWriter(reference_docx=str(tmp_path / "ref.docx")).render(doc)))
    h1 = d.styles["Heading 1"]
    assert h1.font.size == Pt(33) and h1.font.name == "House Sans"
    assert "Source Code" in [s.name for s in d.styles]  # what the template lacks is added
    s = d.sections[-1]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (216, 279)
    assert "HOUSE FOOTER" in s.footer._element.xml and "PAGE" not in s.footer._element.xml
    assert not [p for p in d.paragraphs if "must not survive" in p.text]
    assert [p.style.name for p in d.paragraphs if p.text == "一章"] == ["Heading 1"]
    forced = docx.Document(
        io.BytesIO(DocxWriter(reference_docx=str(tmp_path / "ref.docx"), page_size="a4").render(doc))
    )
    assert round(forced.sections[-1].page_width.mm) == 210
    with pytest.raises(ConfigError):
        DocxWriter(reference_docx=str(tmp_path / "missing.docx")).render(doc)


def test_writer_does_not_change_the_tree():
    doc = make_doc(MIXED)
    before = json.dumps(doc.tree, sort_keys=True, ensure_ascii=False)
    DocxWriter(toc=True).render(doc)
    assert json.dumps(doc.tree, sort_keys=True, ensure_ascii=False) == before


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_sample(tmp_path: Path):
    from conftest import sample_files

    path = sample_files()[0]
    _doc, data = converted(path)
    src = tmp_path / "sample.docx"
    src.write_bytes(data)
    proc = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        capture_output=True,
        timeout=300,
        check=False,
    )
    pdf = tmp_path / "sample.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stderr.decode(errors="replace")
    head = pdf.read_bytes()
    assert head.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", head)
    assert boxes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes)


def test_package_zip_is_the_one_zipfile_writes() -> None:
    """The package's zip, whose shared entries are compressed once, has the bytes
    ``zipfile`` writes for the same entries, times and attributes."""
    import datetime as dt

    from pipeline.writers.docx.package import zipped

    when = dt.datetime(2024, 5, 17, 13, 42, 7, tzinfo=dt.UTC)
    entries = {
        "word/document.xml": " ".join(f"w{i * 7919 % 1009}" for i in range(20000)).encode(),
        "word/styles.xml": b"<w:styles/>",
        "[Content_Types].xml": b"<Types/>",
        "word/media/empty.png": b"",
        "word/media/\u00e9t\u00e9.png": bytes(range(256)) * 40,
    }
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w") as z:
        first = ["[Content_Types].xml", "word/document.xml"]
        for name in first + sorted(set(entries) - set(first)):
            info = zipfile.ZipInfo(name, date_time=(2024, 5, 17, 13, 42, 6))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            z.writestr(info, entries[name], compresslevel=6)
    for _ in range(2):  # built, then from the records kept
        assert zipped(entries, when) == expected.getvalue()
    with zipfile.ZipFile(io.BytesIO(zipped(entries, when))) as z:
        assert z.testzip() is None
        assert {n: z.read(n) for n in z.namelist()} == entries
