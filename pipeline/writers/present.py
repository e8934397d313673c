"""Presentation decisions every writer takes the same way, so the formats cannot disagree.

A writer says how a node looks in its format (the visitor); what is shown at all is
decided here, once: how a table splits into head and body, which paragraph is a
figure and what its caption says, where a line break inside CJK text is no space,
the words for a picture that is not in the output, the script of a Chinese text,
the date as people read it, the items of the title block, which tag names are
HTML, the box of a task item, which notes nothing refers to.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..alttext import only_says_picture, says_nothing
from ..document import Document
from ..tree import inline_text, walk

Token = dict[str, Any]
_BREAKS = ("softbreak", "linebreak")


# -- language -------------------------------------------------------------------------
def east_asian_script(lang: str | None) -> str | None:
    """The script of a CJK language tag: ``hans`` or ``hant`` (Chinese), ``ja``, ``ko``;
    None for other languages. Chinese is traditional in Taiwan, Hong Kong and Macao
    (``zh-TW``, ``zh-HK``, ``zh-MO``) or when the tag says so (``zh-Hant``)."""
    parts = (lang or "").replace("_", "-").lower().split("-")
    if parts[0] == "zh":
        return "hant" if any(p in ("tw", "hk", "mo", "hant") for p in parts[1:]) else "hans"
    if parts[0] in ("ja", "ko"):
        return parts[0]
    return None


@dataclass(frozen=True)
class Words:
    """The words a writer adds itself around the text, in one language."""

    image: str  # a picture that is not in the output
    image_missing: str  # a picture that could not be read
    colon: str  # between a label and the text it introduces
    online: str  # after a picture's label: where to see it
    source: str  # before the source address in the title block
    contents: str  # the table of contents


_WORDS = {
    None: Words("Image", "Image not available", ": ", " (view online)", "Source: ", "Contents"),
    "hans": Words("图片", "图片缺失", "：", "（在线查看）", "来源：", "目录"),
    "hant": Words("圖片", "圖片缺失", "：", "（線上查看）", "來源：", "目錄"),
    "ja": Words("画像", "画像なし", "：", "（オンラインで表示）", "出典：", "目次"),
    "ko": Words("이미지", "이미지 없음", ": ", " (온라인에서 보기)", "출처: ", "목차"),
}


def words(lang: str | None) -> Words:
    return _WORDS[east_asian_script(lang)]


# -- dates ----------------------------------------------------------------------------
_DATE_FORMATS = {"zh": "{y}年{m}月{d}日", "ja": "{y}年{m}月{d}日", "ko": "{y}년 {m}월 {d}일"}
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _parse_date(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def display_date(value: str | None, lang: str) -> str | None:
    """A date for people: 2024年7月20日, July 20, 2024; the value itself if unparseable."""
    if not value:
        return None
    when = _parse_date(str(value))
    if when is None:
        return str(value)
    code = lang.split("-")[0].lower()
    if code in _DATE_FORMATS:
        return _DATE_FORMATS[code].format(y=when.year, m=when.month, d=when.day)
    return f"{_MONTHS[when.month - 1]} {when.day}, {when.year}"


def machine_date(value: str | None) -> tuple[str, str] | None:
    """(the date for metadata, the day) from the document's ISO date: the metadata
    date is the day, or the UTC time when the date has a zone and a time of day."""
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        m = re.match(r"\d{4}(-\d{2}(-\d{2})?)?", value)
        return (m.group(0), m.group(0)) if m else None
    day = when.date().isoformat()
    if when.tzinfo is not None and when.timetz().replace(tzinfo=None) != dt.time(0):
        utc = when.astimezone(dt.UTC)
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ"), day
    return day, day


# -- the title block ------------------------------------------------------------------
@dataclass(frozen=True)
class TitleLine:
    """One item of the title block: ``kind`` is title, subtitle, author, date or source."""

    kind: str
    text: str
    label: str = ""  # a word the writer adds before the text ("Source: ")
    link: str | None = None  # where the text links to
    machine: str | None = None  # the date as machines read it (the day)


def plain(value: Any) -> str | None:
    """A metadata value as one line of text (a list joined with commas), or None."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        parts = [str(v).strip() for v in value if v is not None and str(v).strip()]
        return ", ".join(parts) or None
    s = str(value).strip()
    return s or None


def document_title(doc: Document) -> str:
    return doc.meta.title or doc.path.stem


def title_block(doc: Document, lang: str) -> list[TitleLine]:
    """The items shown before the text, in order: the title, the subtitle if any, the
    author, the date (as people read it) and the source address."""
    out = [TitleLine("title", document_title(doc))]
    subtitle = plain(doc.meta.extra.get("subtitle"))
    if subtitle:
        out.append(TitleLine("subtitle", subtitle))
    author = plain(doc.meta.author)
    if author:
        out.append(TitleLine("author", author))
    shown = display_date(doc.meta.date, lang)
    if shown:
        day = machine_date(doc.meta.date)
        out.append(TitleLine("date", shown, machine=day[1] if day else None))
    if doc.meta.source:
        out.append(TitleLine("source", doc.meta.source, words(lang).source, doc.meta.source))
    return out


# -- the catalogue record -------------------------------------------------------------------
#: front matter keys, in order of preference, for what a library catalogue shows
_DESCRIPTION_KEYS = ("description", "summary", "excerpt", "abstract")
_SUBJECT_KEYS = ("tags", "tag", "keywords", "categories", "category")
_PUBLISHER_KEYS = ("publisher", "site", "site_name", "sitename", "publication", "siteName")
_CREATED_KEYS = ("created", "date_created", "updated", "modified")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")
_SERIES_KEYS = ("series", "collection")
_SERIES_INDEX_KEYS = ("series_index", "series_position", "issue", "volume")
# 科技爱好者周刊（第 239 期）：… / RuyiSDK双周进展汇报 第015期·… / Name, Issue #12 / Name No. 12
_SERIES_TITLE = (
    re.compile(r"^(?P<name>.+?)\s*[（(]?\s*第\s*(?P<n>\d{1,5})\s*[期号號卷]\s*[）)]?"),
    re.compile(r"^(?P<name>.+?)[\s,:–—-]*\b(?:Issue|No\.|Number|Vol\.|Volume)\s*#?\s*(?P<n>\d{1,5})\b", re.I),
)


def _first(doc: Document, keys: tuple[str, ...]) -> Any:
    lowered = {str(k).lower(): v for k, v in doc.meta.extra.items()}
    for key in keys:
        value = lowered.get(key.lower())
        if value not in (None, "", [], {}):
            return value
    return None


def description(doc: Document) -> str | None:
    """What the article is about, as its front matter says (``description``, ``summary``…)."""
    return plain(_first(doc, _DESCRIPTION_KEYS))


def subjects(doc: Document) -> list[str]:
    """The article's tags or keywords, each once, in order (a string splits at commas)."""
    value = _first(doc, _SUBJECT_KEYS)
    items = value if isinstance(value, (list, tuple)) else re.split(r"[,，、]", str(value or ""))
    out: list[str] = []
    for item in items:
        text = str(item).strip().lstrip("#").strip() if item is not None else ""
        if text and text not in out:
            out.append(text)
    return out


def publisher(doc: Document) -> str | None:
    """The site or publication the article appeared in (``site``, ``publisher``…)."""
    return plain(_first(doc, _PUBLISHER_KEYS))


def publication_date(doc: Document) -> str | None:
    """The article's date (ISO 8601): ``date``/``published``, else when it was created
    or updated; None when the front matter gives none (no date is made up)."""
    if doc.meta.date:
        return doc.meta.date
    value = plain(_first(doc, _CREATED_KEYS))
    return value if value and machine_date(value) else None


def doi(doc: Document) -> str | None:
    """The article's DOI (``doi`` in the front matter, or a doi.org source address)."""
    for value in (plain(_first(doc, ("doi",))), doc.meta.source or ""):
        m = _DOI.search(value or "")
        if m and (value != doc.meta.source or "doi.org/" in (value or "")):
            return m.group(1).rstrip(".,;")
    return None


@dataclass(frozen=True)
class Series:
    """The series a numbered article belongs to: its name and the article's number."""

    name: str
    position: int


def series(doc: Document) -> Series | None:
    """``series`` (with ``series_index``…) from the front matter, else a title that
    numbers an issue of a named series: 科技爱好者周刊（第 239 期）, Weekly Issue #12."""
    name = plain(_first(doc, _SERIES_KEYS))
    index = plain(_first(doc, _SERIES_INDEX_KEYS))
    if name and index and re.fullmatch(r"\d{1,5}", index):
        return Series(name, int(index))
    for pattern in _SERIES_TITLE:
        m = pattern.match(document_title(doc))
        if m:
            title = m.group("name").strip(" \t-–—:：,，·【】[]")
            if title and not title.isdigit():
                return Series(title, int(m.group("n")))
    return None


def file_as(name: str) -> str:
    """A person's name as a catalogue sorts it: ``Gruber, John``; a CJK name, or one
    with a comma or a single word, stays as it is."""
    name = " ".join(name.split())
    words_ = name.split(" ")
    if "," in name or len(words_) < 2 or any(is_wide(c) for c in name):
        return name
    return f"{words_[-1]}, {' '.join(words_[:-1])}"


def authors(doc: Document) -> list[str]:
    """The article's authors, each once (front matter lists them with commas)."""
    out: list[str] = []
    for part in re.split(r"\s*[,;，、]\s*|\s+and\s+|\s*&\s*", plain(doc.meta.author) or ""):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


# -- pictures -------------------------------------------------------------------------
def alt_text(image: Token) -> str:
    return inline_text(image.get("children"), alt=True).strip()


def picture_text(alt: str, lang: str, *, read: bool) -> tuple[str, str]:
    """What stands for a picture that is not in the output: (the writer's label, the
    alt text shown after it), either possibly empty. ``read``: the picture was found
    (online, or read but in a form the format cannot show); else it is missing."""
    w = words(lang)
    if not read:
        return (w.image_missing + w.colon, alt) if alt else (w.image_missing, "")
    if not alt:
        return w.image, ""
    if only_says_picture(alt):
        return "", alt
    return w.image + w.colon, alt


def figure_pictures(children: list[Token] | None) -> list[tuple[Token, Token | None]] | None:
    """The pictures of a paragraph that holds pictures only (each alone, or alone in a
    link), with their link: a figure; None for any other paragraph."""
    found: list[tuple[Token, Token | None]] = []
    for tok in children or []:
        t = tok.get("type")
        if t == "image":
            found.append((tok, None))
        elif t == "link" and _only_picture(tok.get("children")):
            found.append((next(c for c in tok["children"] if c.get("type") == "image"), tok))
        elif t in _BREAKS or (t == "text" and not (tok.get("raw") or "").strip()):
            continue
        else:
            return None
    return found or None


def _only_picture(children: list[Token] | None) -> bool:
    images = [c for c in children or [] if c.get("type") == "image"]
    rest = [
        c
        for c in children or []
        if c.get("type") != "image" and not (c.get("type") == "text" and not (c.get("raw") or "").strip())
    ]
    return len(images) == 1 and not rest


def caption(image: Token, placeholder: bool = False) -> str | None:
    """The caption of a figure: its title, else (for a picture shown) its alt text,
    unless that says nothing (generic, a file name). A placeholder shows its alt text
    already."""
    attrs = image.get("attrs") or {}
    title = (attrs.get("title") or "").strip()
    if title and not says_nothing(title):
        return title
    if placeholder:
        return None
    alt = alt_text(image)
    return None if says_nothing(alt) else alt


# -- tables ---------------------------------------------------------------------------
@dataclass
class Table:
    """A table as rows of cells: the head row, then the body rows, every row as wide
    as the head (cut, or padded with None where a cell is missing)."""

    head: list[Token]
    body: list[list[Token | None]]
    aligns: list[str | None]

    @property
    def width(self) -> int:
        return len(self.aligns)


def table_parts(tok: Token) -> Table:
    head: list[Token] = []
    rows: list[list[Token]] = []
    for part in tok.get("children") or []:
        if part.get("type") == "table_head":
            head = part.get("children") or []
        elif part.get("type") == "table_body":
            rows = [r.get("children") or [] for r in part.get("children") or []]
    width = len(head) if head else max((len(r) for r in rows), default=0)
    body: list[list[Token | None]] = [(list(r) + [None] * width)[:width] for r in rows]
    aligns = [
        ((c.get("attrs") or {}).get("align") if c is not None else None)
        for c in (list(head) + [None] * width)[:width]
    ]
    return Table(head, body, aligns)


def heads_nothing(cell: Token | None) -> bool:
    """A head cell with nothing in it (the empty corner of a grid, or a missing cell)
    is no header: it is written as an ordinary cell, so that no reader announces an
    empty column heading."""
    if cell is None:
        return True
    kids = cell.get("children") or []
    return not inline_text(kids, alt=True).strip() and not any(t.get("type") == "image" for t in walk(kids))


# -- task items and footnotes ----------------------------------------------------------------
def task_box(checked: bool) -> str:
    """The box in front of a task item's text: ☑ done, ☐ not done."""
    return "\u2611 " if checked else "\u2610 "


def footnote_items(tree: list[Token]) -> dict[Any, Token]:
    """The notes of ``tree`` by number (the first definition of a number wins)."""
    items: dict[Any, Token] = {}
    for tok in tree:
        if tok.get("type") == "footnotes":
            for item in tok.get("children") or []:
                items.setdefault((item.get("attrs") or {}).get("index"), item)
    return items


def referenced_notes(tree: list[Token]) -> set[Any]:
    """The numbers of the notes a mark refers to, in the text or in another note.

    A note nothing refers to is kept all the same, in every format: after the text,
    with its number, as text of its own (it is nobody's note), after the rule.
    """
    return {(t.get("attrs") or {}).get("index") for t in walk(tree) if t.get("type") == "footnote_ref"}


# -- line breaks in CJK text -------------------------------------------------------------
def is_wide(ch: str) -> bool:
    """A wide (CJK) character: between two of them a line break is no space."""
    return bool(ch) and unicodedata.east_asian_width(ch) in ("W", "F")


_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9:-]*)")


def _shows_nothing(raw: str) -> bool:
    """Is inline HTML markup only (a comment, a tag that formats), no text or object?"""
    s = raw.strip()
    if s.startswith("<!--"):
        return True
    m = _TAG_NAME.match(s)
    return m is not None and is_html_tag(m.group(1)) and m.group(1).lower() not in ("img", "br")


def joined_breaks(inline: list[Token]) -> set[int]:
    """The line breaks (``softbreak`` tokens, by id) of one paragraph, heading or cell
    (its inline children) that are written as no space: those between two wide
    characters, as CSS Text 3 joins segment breaks in CJK text.

    The characters around a break are the text's, whatever element they are in
    (``**中文**⏎中文`` joins); a picture, a note mark, a hard break or text that is not
    wide keeps the space; markup that shows nothing is looked through.
    """
    joined: set[int] = set()
    waiting: list[tuple[int, str]] = []  # breaks whose next character is not seen yet
    last = ""  # the last character before here ("": none, or not a character)
    stack = [iter(inline)]
    while stack:
        tok = next(stack[-1], None)
        if tok is None:
            stack.pop()
            continue
        t = tok.get("type")
        if t == "softbreak":
            waiting.append((id(tok), last))
            last = ""
            continue
        if t in _LOOKED_INTO or (t not in _OBJECTS and isinstance(tok.get("children"), list)):
            stack.append(iter(tok.get("children") or ()))
            continue
        if t == "inline_html" and _shows_nothing(tok.get("raw") or ""):
            continue
        if t in _OBJECTS:
            text = ""
        elif t == "inline_html":
            text = "<>"  # literal text
        else:
            text = tok.get("raw") or ""
            if not text:
                continue
        if waiting:
            if is_wide(text[:1]):
                joined.update(tok_id for tok_id, before in waiting if is_wide(before))
            waiting.clear()
        last = text[-1:]
    return joined


#: inline nodes whose children are text in the line
_LOOKED_INTO = frozenset({"emphasis", "strong", "strikethrough", "link"})
#: inline nodes that are no characters: a break next to them keeps its space
_OBJECTS = frozenset({"image", "footnote_ref", "linebreak"})


def all_joined_breaks(tree: list[Token]) -> set[int]:
    """:func:`joined_breaks` of every paragraph, heading and cell of ``tree``."""
    out: set[int] = set()
    for tok in tree:
        kids = tok.get("children")
        if isinstance(kids, list):
            if tok.get("type") in ("paragraph", "heading", "block_text", "table_cell"):
                out |= joined_breaks(kids)
            else:
                out |= all_joined_breaks(kids)
    return out


# -- the HTML vocabulary --------------------------------------------------------------
#: every tag name that is HTML (with SVG and MathML, whose text is kept): raw HTML
#: written with another name (``<filter>``, ``<if>`` in scraped technical text) is
#: shown as the text it is, in every format
HTML_TAGS = frozenset(
    """
a abbr acronym address applet area article aside audio b base basefont bdi bdo big blink
blockquote body br button canvas caption center cite code col colgroup command data datalist
dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form
frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins isindex kbd
keygen label legend li link listing main map mark marquee math menu menuitem meta meter nav
nobr noembed noframes noscript object ol optgroup option output p param picture plaintext pre
progress q rb rp rt rtc ruby s samp script search section select slot small source span strike
strong style sub summary sup svg table tbody td template textarea tfoot th thead time title tr
track tt u ul var video wbr xmp
""".split()
)
#: HTML elements removed with everything inside them: what they hold is not content
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "template",
        "head",
        "title",
        "meta",
        "link",
        "base",
        "basefont",
        "param",
        "source",
        "track",
        "area",
        "input",
        "keygen",
        "command",
        "isindex",
        "slot",
        "frame",
        "frameset",
    }
)


#: HTML elements that have no content and no end tag
VOID_TAGS = frozenset(
    {
        "br",
        "wbr",
        "hr",
        "img",
        "col",
        "area",
        "base",
        "embed",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "keygen",
        "command",
        "isindex",
        "basefont",
        "frame",
    }
)


def is_html_tag(name: str) -> bool:
    """Whether ``name`` is an HTML tag (else a ``<word>`` in text is literal text); a
    name with a prefix (``o:p``, ``svg:rect``) is markup too."""
    name = name.lower()
    return name in HTML_TAGS or ":" in name


def literal_tag(name: str, attrs: list[tuple[str, str | None]], end: bool = False) -> str:
    """A tag that is not HTML, spelled as text (as its reader saw it)."""
    if end:
        return f"</{name}>"
    parts = [name] + [k if v is None else f'{k}="{v}"' for k, v in attrs]
    return "<" + " ".join(parts) + ">"


def literal_pi(node: Any) -> str:
    """A processing instruction (``<?php ... ?>`` read by an HTML parser), as text."""
    text = node.text or ""
    target = node.target or ""
    return f"<?{target}{' ' if text else ''}{text}>"


def remote_address(src: str) -> bool:
    """Does a picture's address lead online (``http:``, ``https:``, ``//host``)?"""
    return src.strip().lower().startswith(("http://", "https://", "//"))


# -- print typography ----------------------------------------------------------------------
ZERO_WIDTH_SPACE = "\u200b"
_BREAK_AFTER = re.compile(r"([/._-]+)(?=[^\s/._-])")
_LONG_WORDS = {n: re.compile(rf"\S{{{n + 1},}}") for n in (10, 20)}


def break_opportunities(text: str, longer_than: int = 20) -> str:
    """``text`` with a zero-width space after ``/ . _ -`` inside words of more than
    ``longer_than`` characters (20 for addresses, 10 for code; 10 or 20 only): where
    such a word may break at the end of a line, instead of leaving the line before it
    stretched with wide gaps."""
    if len(text) <= longer_than:
        return text
    return _LONG_WORDS[longer_than].sub(
        lambda m: _BREAK_AFTER.sub("\\1" + ZERO_WIDTH_SPACE, m.group(0)), text
    )


def smart_quotes_wanted(option: Any, lang: str | None) -> bool:
    """The ``smart_quotes`` option of the DOCX, PDF and EPUB writers: ``auto`` (the
    default) curls the quotes of Latin documents, not of Chinese, Japanese or Korean
    ones (whose texts bring their own); true or false decide for every document."""
    if isinstance(option, str):
        value = option.strip().lower()
        if value in ("true", "yes", "on", "1"):
            return True
        if value in ("false", "no", "off", "0"):
            return False
        return east_asian_script(lang) is None
    return bool(option)


#: after these (or at the start), a quote opens
_OPENERS = frozenset(" \t\n([{<\u201c\u2018\u2014\u2013-/\u00a0")


def curly_quotes(text: str, before: str = "") -> str:
    """``'`` and ``"`` of ``text`` as the quotes print uses (‘ ’ “ ”); ``before``: the
    character before ``text`` in its paragraph ("" at its start). A quote opens at
    the start, after a space, a bracket, a dash or another opening quote; it closes
    elsewhere; ``'`` before a digit after a space is an apostrophe (’90s)."""
    if "'" not in text and '"' not in text:
        return text
    out: list[str] = []
    prev = before
    for i, ch in enumerate(text):
        opens = prev == "" or prev in _OPENERS
        if ch == '"':
            ch = "\u201c" if opens else "\u201d"
        elif ch == "'":
            ch = "\u2018" if opens and not text[i + 1 : i + 2].isdigit() else "\u2019"
        out.append(ch)
        prev = ch
    return "".join(out)


#: blocks whose inline children are one run of text (the quotes' context)
_TEXT_BLOCKS = frozenset({"paragraph", "heading", "block_text", "table_cell"})
#: never changed: code, raw HTML
_VERBATIM = frozenset({"codespan", "block_code", "block_html", "inline_html"})


def smart_quoted(tree: list[Token]) -> list[Token]:
    """A copy of ``tree`` whose text has :func:`curly_quotes` (code and raw HTML keep
    their straight quotes). Tokens that do not change are shared, so the identities
    of line breaks (``all_joined_breaks``) hold for the copy."""
    state = [""]

    def copy(tokens: list[Token]) -> list[Token]:
        out: list[Token] = []
        for tok in tokens:
            t = tok.get("type")
            if t in _TEXT_BLOCKS:
                state[0] = ""
            if t == "text":
                raw = tok.get("raw") or ""
                new = curly_quotes(raw, state[0])
                if raw:
                    state[0] = new[-1]
                out.append(tok if new == raw else {**tok, "raw": new})
                continue
            if t in ("softbreak", "linebreak"):
                state[0] = " "
            elif t == "codespan":
                state[0] = (tok.get("raw") or state[0])[-1:] or state[0]
            kids = tok.get("children")
            if t in _VERBATIM or not isinstance(kids, list):
                out.append(tok)
                continue
            saved = state[0]
            if t == "image":  # the alt text is a text of its own
                state[0] = ""
            new_kids = copy(kids)
            if t == "image":
                state[0] = saved
            out.append(
                tok
                if all(a is b for a, b in zip(new_kids, kids, strict=False))
                else {**tok, "children": new_kids}
            )
        return out

    return copy(tree)


# -- pictures in print -------------------------------------------------------------------
def printed_picture(image: Token, lang: str, *, read: bool) -> tuple[str, str] | None:
    """What a page shows for a picture that is not in the output (no link to follow on
    paper): (label, text), the text being the alt text, else the title; None for a
    decorative picture (nothing said about it) that was found. Its address, if any, is
    for a note."""
    attrs = image.get("attrs") or {}
    alt = alt_text(image)
    title = (attrs.get("title") or "").strip()
    said = alt if alt and not only_says_picture(alt) else (title if not says_nothing(title) else "")
    if not said and read:
        return None
    return picture_text(said, lang, read=read)


_CAPTION_START = re.compile(
    r"^\s*(?:[图圖表][\s\d一二三四五六七八九十:：.．]|图片|圖片|图源|圖源|来源|來源|"
    r"(?:Figure|Photo|Image|Source|Credit)\b|Fig\.|[▲△↑⬆])",
    re.I,
)


def is_caption_after_picture(tok: Token) -> bool:
    """Is this paragraph, right after a picture, its caption? One short line (80
    characters at most, no note mark) that is either all emphasis (``*…*``, ``**…**``)
    or starts as captions do (图 1, 图片来源, Figure, Source, ▲ ...)."""
    if tok.get("type") != "paragraph":
        return False
    kids = [
        k
        for k in tok.get("children") or []
        if not (k.get("type") == "text" and not (k.get("raw") or "").strip())
    ]
    if not kids or any(
        k.get("type") in ("softbreak", "linebreak", "footnote_ref", "image") for k in walk(kids)
    ):
        return False
    text = inline_text(kids).strip()
    if not text or len(text) > 80:
        return False
    return all(k.get("type") in ("emphasis", "strong") for k in kids) or bool(_CAPTION_START.match(text))
