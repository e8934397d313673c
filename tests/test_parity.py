"""EPUB and DOCX made from the same tree say the same: text, line breaks, captions, the
title block, what is HTML, footnotes.

Both files are read back (the EPUB's XHTML and the DOCX's XML, with lxml) into one
form: the title block's lines; the body's text with every block boundary and every
run of white space as one space and each hard line break as ``⏎``; the footnotes'
texts (without their numbers), sorted. What only one format can show is left out on
its side: note marks (a number in the EPUB, a field in Word), the links back from
notes; on a screen, the words saying a picture can be seen online; in print, the
notes giving such a picture's address, and break opportunities in long addresses.
Every article of samples/ and of the shared corpus (when present) is compared, and
small documents built to meet each decision the formats share.
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from pathlib import Path

import pytest
from conftest import all_articles
from lxml import etree

from pipeline.document import Document, Metadata
from pipeline.runner import Pipeline
from pipeline.tree import parse
from pipeline.writers.docx import DocxWriter
from pipeline.writers.epub import EpubWriter
from pipeline.writers.markdown import render_document
from pipeline.writers.present import HTML_TAGS, words
from pipeline.writers.visitor import SKIP_CHILDREN, SKIP_NODE, TreeVisitor, unknown_type_message

X = "{http://www.w3.org/1999/xhtml}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BREAK = "\u23ce"
BLOCKS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "pre",
    "blockquote",
    "figure",
    "figcaption",
    "table",
    "tr",
    "td",
    "th",
    "div",
    "aside",
    "section",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "hr",
    "caption",
    "nav",
}
TITLE_STYLES = {"Title", "Subtitle", "Author", "Date", "Source"}
ARTICLES = all_articles()
TEN = ("xmp", "listing", "plaintext", "keygen", "menuitem", "noembed", "command", "isindex", "rb", "rtc")


# -- reading back ------------------------------------------------------------------------
def normalized(parts: list[str]) -> str:
    """One space for every run of white space and block boundary; a hard break at the
    end of a block breaks nothing (HTML shows none, Word writes none)."""
    s = re.sub(r"\s+", " ", "".join(parts))
    s = re.sub(r"[ \x00]*\x00[ \x00]*", "\x00", s)
    s = re.sub(f"(?: ?{BREAK})+ ?\x00", "\x00", s)
    s = re.sub(f" ?{BREAK} ?", BREAK, s)
    return s.replace("\x00", " ").strip()


def _xhtml(node, out: list[str], pre: bool = False) -> None:
    tag = etree.QName(node).localname if isinstance(node.tag, str) else ""
    if tag == "sup" and "noteref" in (node.get("class") or "").split():
        return  # a note's mark: Word numbers its own
    block = tag in BLOCKS
    if block:
        out.append("\x00")
    if tag == "br":
        out.append(BREAK)
    pre = pre or tag == "pre"
    for text in [node.text or ""]:
        out.append(text.replace("\n", BREAK) if pre else text)
    for child in node:
        _xhtml(child, out, pre)
        tail = child.tail or ""
        out.append(tail.replace("\n", BREAK) if pre else tail)
    if block:
        out.append("\x00")


def epub_view(data: bytes) -> dict:
    z = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(n for n in z.namelist() if re.search(r"text/chapter-\d+\.xhtml$", n))
    body: list[str] = []
    notes: list[str] = []
    for name in names:
        for child in etree.fromstring(z.read(name)).find(X + "body"):
            if child.tag == X + "section" and "footnotes" in (child.get("class") or ""):
                for note in child:
                    parts: list[str] = []
                    _xhtml(note, parts)
                    notes.append(re.sub(r"^\d+\. ?", "", normalized(parts)))
                continue
            _xhtml(child, body)
    title = etree.fromstring(z.read("EPUB/text/title.xhtml")).find(X + "body")
    lines = []
    for child in title:
        parts = []
        _xhtml(child, parts)
        lines.append(normalized(parts))
    return {"title": lines, "body": normalized(body), "notes": sorted(notes)}


def _runs(p, out: list[str]) -> None:
    fields: list[str] = []
    hidden = False  # the result of a NOTEREF field: a note's mark
    for r in p.iter(W + "r"):
        for child in r:
            t = child.tag
            if t == W + "fldChar":
                kind = child.get(W + "fldCharType")
                if kind == "begin":
                    fields.append("")
                elif kind == "separate":
                    hidden = bool(fields) and "NOTEREF" in fields[-1]
                elif kind == "end":
                    fields and fields.pop()
                    hidden = False
            elif t == W + "instrText" and fields:
                fields[-1] += child.text or ""
            elif hidden:
                continue
            elif t == W + "t":  # a break opportunity in a long address: print only
                out.append((child.text or "").replace("\u200b", ""))
            elif t == W + "tab":
                out.append(" ")
            elif t == W + "br":
                out.append(BREAK)


def _style(p) -> str | None:
    style = p.find(f"{W}pPr/{W}pStyle")
    return style.get(W + "val") if style is not None else None


def docx_view(data: bytes) -> dict:
    z = zipfile.ZipFile(io.BytesIO(data))
    body_el = etree.fromstring(z.read("word/document.xml")).find(W + "body")
    body: list[str] = []
    title: list[str] = []
    end_notes: list[list[str]] = []
    after_rule = False
    for p in body_el.iter(W + "p"):
        style = _style(p)
        parts: list[str] = []
        _runs(p, parts)
        if style in TITLE_STYLES and not body:
            title.append(normalized(parts))
            continue
        if style == "HorizontalLine" and p.getparent() is body_el:
            nxt = p.getnext()
            after_rule = after_rule or (nxt is not None and _style(nxt) == "FootnoteText")
        if after_rule:  # notes nothing refers to, at the end
            if style == "FootnoteText" and re.match(r"\d+\. ", "".join(parts)):
                end_notes.append([])
            if end_notes:
                end_notes[-1] += ["\x00", *parts, "\x00"]
            continue
        body += ["\x00", *parts, "\x00"]
    notes = [re.sub(r"^\d+\. ?", "", normalized(n)) for n in end_notes]
    if "word/footnotes.xml" in z.namelist():
        for note in etree.fromstring(z.read("word/footnotes.xml")).findall(W + "footnote"):
            if note.get(W + "type"):
                continue  # separators
            if note.find(f"{W}p/{W}pPr/{W}pStyle[@{W}val='PictureSource']") is not None:
                continue  # the address of a picture not in the document: print only
            parts = []
            for p in note.iter(W + "p"):
                parts.append("\x00")
                _runs(p, parts)
                parts.append("\x00")
            notes.append(normalized(parts))
    return {"title": title, "body": normalized(body), "notes": sorted(notes)}


def views(doc: Document) -> tuple[dict, dict]:
    return epub_view(EpubWriter().render(doc)), docx_view(DocxWriter().render(doc))


def difference(a: str, b: str) -> str:
    """The first places where two texts differ, with some context."""
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            out.append(f"{op}: EPUB {a[max(0, i1 - 30) : i2 + 30]!r} / DOCX {b[max(0, j1 - 30) : j2 + 30]!r}")
    return "\n".join(out[:5])


#: after a picture's label, where to see it: a screen's words (in print, a note gives the address)
ONLINE = sorted({words(lang).online for lang in ("en", "zh", "zh-TW", "ja", "ko")}, key=len, reverse=True)


def screen_only(text: str) -> str:
    for online in ONLINE:
        text = text.replace(online, "")
    return text


def assert_same(epub: dict, docx: dict) -> None:
    assert epub["title"] == docx["title"]
    body = screen_only(epub["body"])
    assert body == docx["body"], difference(body, docx["body"])
    assert epub["notes"] == docx["notes"]


# -- every article ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cleaner() -> Pipeline:
    return Pipeline()


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_epub_and_docx_of_an_article_say_the_same(path: Path, cleaner: Pipeline):
    doc = cleaner.process(path)
    epub, docx = views(doc)
    assert docx["title"] and docx["body"]
    assert_same(epub, docx)


# -- each decision, on a document made for it ----------------------------------------------
def converted(tmp_path: Path, markdown: str, name: str = "t.md", **files: bytes) -> Document:
    (tmp_path / name).write_text(markdown, encoding="utf-8")
    for file, data in files.items():
        (tmp_path / file).write_bytes(data)
    return Pipeline().process(tmp_path / name)


def png(width: int = 40, height: int = 30) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_a_line_break_between_cjk_characters_is_no_space_in_both(tmp_path):
    doc = converted(
        tmp_path,
        "---\ntitle: t\nlang: zh-CN\n---\n\n**中文**\n中文\n\n中文\n*强调*\n\n"
        "中文\nEnglish\n\nsome\nwords\n\n[链接](https://a.example/)\n文字\n",
    )
    epub, docx = views(doc)
    assert_same(epub, docx)
    for joined in ("中文中文", "中文强调", "链接文字", "中文 English", "some words"):
        assert joined in epub["body"]


def test_the_title_block_shows_the_same_items(tmp_path):
    doc = converted(
        tmp_path,
        "---\ntitle: 标题\nsubtitle: 副标题\nauthor: 作者\ndate: 2024-07-20\n"
        "source: https://example.com/a\nlang: zh-CN\n---\n\n正文。\n",
    )
    epub, docx = views(doc)
    assert_same(epub, docx)
    assert epub["title"] == ["标题", "副标题", "作者", "2024年7月20日", "来源：https://example.com/a"]


def test_a_described_picture_has_its_caption_in_both(tmp_path):
    md = (
        "---\ntitle: t\nlang: en\n---\n\n![A red field at dawn](pic.png)\n\n"
        "![image](pic.png)\n\n![IMG_20240101_120000.png](pic.png)\n\n"
        '![](pic.png "The title wins")\n\n[![Linked and described](pic.png)](https://a.example/)\n\n'
        "![Far away](https://example.com/far.png)\n"
    )
    doc = converted(tmp_path, md, **{"pic.png": png()})
    epub, docx = views(doc)
    assert_same(epub, docx)
    body = epub["body"]
    for caption in ("A red field at dawn", "The title wins", "Linked and described"):
        assert caption in body
    assert "image" not in body and "IMG_2024" not in body
    assert "Image: Far away (view online)" in body


def test_the_same_tag_names_are_html_in_both(tmp_path):
    inline = " ".join(f"{n}:<{n}>x</{n}>" for n in TEN)
    md = (
        f"---\ntitle: t\nlang: en\n---\n\n{inline}\n\nA <if>cond</if> and <filter-name>f</filter-name>.\n\n"
        "<div>\n<xmp>inside</xmp> <filter>kept</filter> <noscript>shown</noscript>\n</div>\n"
    )
    doc = converted(tmp_path, md)
    epub, docx = views(doc)
    assert_same(epub, docx)
    body = epub["body"]
    for name in TEN:
        assert name in HTML_TAGS and f"<{name}>" not in body
    assert "<if>cond</if>" in body and "<filter-name>f</filter-name>" in body
    assert "<filter>kept</filter>" in body and "shown" in body and "inside" in body


def test_footnotes_referenced_or_not_are_kept_alike(tmp_path):
    md = (
        "---\ntitle: t\nlang: en\n---\n\nText[^a] and more[^b].\n\n[^a]: First note.\n\n"
        "[^b]: Second note.\n\n[^c]: Nothing refers to this one.\n"
    )
    doc = converted(tmp_path, md)
    epub, docx = views(doc)
    assert_same(epub, docx)
    assert epub["notes"] == ["First note.", "Nothing refers to this one.", "Second note."]


def test_task_items_and_html_pictures_look_alike(tmp_path):
    md = (
        "---\ntitle: t\nlang: zh-CN\n---\n\n- [x] 完成\n- [ ] 未完成\n\n"
        '文字 <img src="https://example.com/a.png" alt="说明"> 文字\n\n'
        '<p>块 <img src="https://example.com/b.png" alt="块图"></p>\n'
    )
    doc = converted(tmp_path, md)
    epub, docx = views(doc)
    assert_same(epub, docx)
    assert "\u2611 完成" in epub["body"] and "\u2610 未完成" in epub["body"]
    assert "图片：说明（在线查看）" in epub["body"] and "图片：块图（在线查看）" in epub["body"]


def test_a_node_no_writer_knows_is_warned_once_and_keeps_its_text():
    tree = parse("Before.\n")
    tree.append(
        {
            "type": "mystery_block",
            "children": [{"type": "paragraph", "children": [{"type": "mystery_inline", "raw": "kept text"}]}],
        }
    )
    tree.append({"type": "mystery_block", "raw": "raw text"})
    doc = Document(path=Path("t.md"), meta=Metadata(title="t", lang="en"), tree=tree)
    md = render_document(doc)
    epub, docx = views(doc)
    for body in (md, epub["body"], docx["body"]):
        assert "kept text" in body and "raw text" in body
    assert_same(epub, docx)
    messages = [w for w in doc.warnings if "unknown type" in w]
    assert messages == [unknown_type_message("mystery_block"), unknown_type_message("mystery_inline")]


def test_the_visitor_walks_children_unless_a_visit_says_otherwise():
    class Trace(TreeVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[str] = []

        def visit_paragraph(self, tok):
            self.seen.append("p(")

        def depart_paragraph(self, tok):
            self.seen.append(")p")

        def visit_text(self, tok):
            self.seen.append(tok["raw"])

        def visit_emphasis(self, tok):
            self.seen.append("em")
            return SKIP_NODE

        def depart_emphasis(self, tok):
            self.seen.append("never")

        def visit_strong(self, tok):
            self.seen.append("strong(")
            return SKIP_CHILDREN

        def depart_strong(self, tok):
            self.seen.append(")strong")

    trace = Trace()
    trace.walk(parse("a *b* **c** d\n"))
    assert trace.seen == ["p(", "a ", "em", " ", "strong(", ")strong", " d", ")p"]
