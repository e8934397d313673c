"""Markup of other tools left as text: pandoc attributes and divs, Hugo shortcodes.

Before::

    ## 一、背景 {#heading-1 style="color: red;"}

    ::: {style="font-size: 15px;"}
    [这是一个句子]{leaf=""}，[01]{style="color: #333;"} 后面还有。
    :::

    {{< figure src="/img/a.png" alt="架构图" >}}
    见 {{< external_link title="官方文档" url="https://gohugo.io/" >}}。

After::

    ## 一、背景

    这是一个句子，01 后面还有。

    ![架构图](/img/a.png)
    见 [官方文档](https://gohugo.io/)。

pandoc writes the HTML of a converted page (a WeChat article) as spans and
attributes that CommonMark readers show as text. Named rules (``rules_off`` turns
one off):

- ``pandoc_span``: ``[text]{attributes}`` keeps the text; attributes after a link
  or picture (``[a](u){target="_blank"}``) go, the link stays.
- ``heading_attributes``: ``{#id .class key=value}`` at the end of a heading.
- ``div_fence``: a ``:::`` fence line that opens with pandoc attributes or a class
  name pandoc made (``::: {style=…}``, ``::: rich_media_content``), and the ``:::``
  that closes it. A container an author wrote on purpose (``::: tip``, ``::: warning``,
  ``::: details`` of VuePress and Docusaurus) stays as written, with its closing.
- ``hugo_shortcode``: ``{{< figure src=… alt=… >}}`` is the picture,
  ``{{< external_link title=… url=… >}}`` and ``{{< link … >}}`` the link, and the
  ``{{< table >}}`` / ``{{< center >}}`` wrappers go with the Markdown inside kept.
  Any other shortcode stays as written (the writer never escapes it).

Only an attribute block whose every item is an id, a class or a ``key=value``
pair is pandoc's: ``[x]{y}`` in prose, or braces in code, stay.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.codelines import code_kinds
from pipeline.document import Document
from pipeline.options import Option
from pipeline.stage import Stage, StageContext
from pipeline.textscan import in_spans, protected_spans

_ATTR_ITEM = r"(?:[#.][\w:\-]+|[\w\-:]+=(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s\"'{}]+))"
_ATTRS = r"\{[ \t]*" + _ATTR_ITEM + r"(?:[ \t]+" + _ATTR_ITEM + r")*[ \t]*\}"
_SPAN = re.compile(r"(?<![\\!\]])\[([^\[\]\n]*)\]" + _ATTRS)
_AFTER_LINK = re.compile(r"(?<=\))" + _ATTRS)
_HEADING = re.compile(r"^( {0,3}#{1,6}[ \t].*?)[ \t]+" + _ATTRS + r"[ \t]*$")
_DIV_OPEN = re.compile(
    r"^ {0,3}(:{3,})[ \t]*(?:(" + _ATTRS + r")|([A-Za-z][\w\-]*)(?:[ \t]+(.*?))?)"
    r"[ \t]*:*[ \t]*$"
)
_DIV_CLOSE = re.compile(r"^ {0,3}(:{3,})[ \t]*$")
#: containers of VuePress, VitePress, Docusaurus, markdown-it-container: the author's syntax
ADMONITIONS = frozenset(
    {
        "tip",
        "note",
        "info",
        "warning",
        "danger",
        "caution",
        "important",
        "details",
        "success",
        "error",
        "example",
        "quote",
        "abstract",
        "todo",
        "question",
        "failure",
        "bug",
        "hint",
        "attention",
        "code-group",
        "v-pre",
        "raw",
        "spoiler",
        "aside",
        "callout",
        "column",
        "columns",
    }
)
_SHORTCODE = re.compile(r"\{\{([<%])[ \t]*(/?)[ \t]*([\w\-/]+)((?:[^\n}]|\}(?!\}))*?)[ \t]*[>%]\}\}")
_PARAM = re.compile(
    r"([\w\-]+)[ \t]*=[ \t]*"
    r"(?:\"((?:[^\"\\\n]|\\.)*)\"|'([^'\n]*)'|`([^`\n]*)`|([^\s\"'`]+))"
)
_POSITIONAL = re.compile(r"\"((?:[^\"\\\n]|\\.)*)\"")
_WRAPPERS = frozenset({"table", "center", "div", "section"})
_LINKS = frozenset({"external_link", "link", "extlink", "ext-link"})

RULES = ("pandoc_span", "heading_attributes", "div_fence", "hugo_shortcode")


def _params(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _PARAM.finditer(text):
        value = next(v for v in m.group(2, 3, 4, 5) if v is not None)
        out[m.group(1).lower()] = value
    return out


def _label(text: str) -> str:
    return re.sub(r"([\[\]\\])", r"\\\1", text)


def _shortcode(m: re.Match[str]) -> str | None:
    """The Markdown a shortcode stands for, or None where that is not clear."""
    closing, name, rest = m.group(2), m.group(3).lower(), m.group(4)
    if closing or (name not in ("figure", "img", "image") and name not in _LINKS):
        return None
    p = _params(rest)
    if name in _LINKS:
        url, title = p.get("url") or p.get("href"), p.get("title") or p.get("text")
        positional = _POSITIONAL.findall(rest) if not p else []
        if len(positional) == 2 and re.match(r"(?:https?:)?//", positional[0]):
            url, title = positional  # {{< external_link "https://gajim.org/" "Gajim" >}}
        if not url or not title:
            return None
        return f"[{_label(title)}](<{url}>)" if " " in url else f"[{_label(title)}]({url})"
    src = p.get("src")
    if not src or " " in src:
        return None
    caption = p.get("caption") or p.get("title") or ""
    alt = p.get("alt") or caption
    image = f"![{_label(alt)}]({src})"
    if caption and caption != alt:  # the caption is the author's text: it stays, under the picture
        return f"{image}\n*{_label(caption)}*"
    return image


class ForeignMarkup(Stage):
    """pandoc spans, attributes and ::: divs, and Hugo shortcodes become the Markdown they stand for."""

    name = "foreign_markup"
    priority = 207
    scope = "text"
    defaults = {"rules_off": Option([], "strings", choices=RULES)}
    removes = frozenset({"pandoc_span", "heading_attributes", "div_fence", "hugo_wrapper", "hugo_shortcode"})
    # a shortcode that stood for a picture or a link is one now: the guard sees it appear
    restructures = frozenset({"hugo_shortcode"})

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.rules = frozenset(RULES) - set(self.options["rules_off"])

    def run(self, doc: Document, ctx: StageContext) -> None:
        text = doc.text
        if not any(mark in text for mark in ("]{", "){", "} ", "}\n", ":::", "{{<", "{{%")):
            return
        off = set(RULES) - self.rules
        lines = text.split("\n")
        kinds = code_kinds(lines)
        base = doc.body_line
        if "div_fence" not in off and ":::" in text:
            self._divs(lines, kinds, base, ctx)
        for i, line in enumerate(lines):
            if kinds[i] is not None or not line:
                continue
            new = line
            if "heading_attributes" not in off:
                h = _HEADING.match(new)
                if h:
                    new = h.group(1)
                    ctx.record("heading_attributes", base + i, line, new)
            if "pandoc_span" not in off and "{" in new:
                new = self._spans(new, base + i, ctx)
            if "hugo_shortcode" not in off and ("{{<" in new or "{{%" in new):
                new = self._shortcodes(new, base + i, ctx)
            lines[i] = new
        new_text = "\n".join(lines)
        if new_text != text:
            doc.text = new_text

    @staticmethod
    def _spans(line: str, at: int, ctx: StageContext) -> str:
        while True:
            spans = protected_spans(line)
            m = next((m for m in _SPAN.finditer(line) if not in_spans(m.start(), spans)), None)
            if m is None:
                m = next((m for m in _AFTER_LINK.finditer(line) if not in_spans(m.start(), spans)), None)
                if m is None:
                    return line
                new = line[: m.start()] + line[m.end() :]
            else:
                new = line[: m.start()] + m.group(1) + line[m.end() :]
            ctx.record("pandoc_span", at, line, new)
            line = new

    @staticmethod
    def _shortcodes(line: str, at: int, ctx: StageContext) -> str:
        spans = protected_spans(line)
        out: list[str] = []
        pos = 0
        for m in _SHORTCODE.finditer(line):
            if in_spans(m.start(), spans):
                continue
            name = m.group(3).lower()
            if name in _WRAPPERS and not line[: m.start()].strip() and not line[m.end() :].strip():
                out.append(line[pos : m.start()])
                ctx.record("hugo_wrapper", at, line, "")
                pos = m.end()
                continue
            md = _shortcode(m)
            if md is None:
                continue
            out.append(line[pos : m.start()] + md)
            ctx.record("hugo_shortcode", at, m.group(0), md)
            pos = m.end()
        if not out:
            return line
        new = "".join(out) + line[pos:]
        return new if new.strip() else ""

    @staticmethod
    def _divs(lines: list[str], kinds: list[str | None], base: int, ctx: StageContext) -> None:
        """Drop pandoc's div fences (and their closings); keep an author's containers."""
        stack: list[bool] = []  # for each open fence: is it pandoc's (dropped)?
        for i, line in enumerate(lines):
            if kinds[i] is not None or ":::" not in line:
                continue
            close = _DIV_CLOSE.match(line)
            if close:
                if stack and stack.pop():
                    ctx.record("div_fence", base + i, line, "")
                    lines[i] = ""
                continue
            m = _DIV_OPEN.match(line)
            if not m:
                continue
            name = (m.group(3) or "").lower()
            pandoc = bool(m.group(2)) or (bool(name) and name not in ADMONITIONS and not m.group(4))
            stack.append(pandoc)
            if pandoc:
                ctx.record("div_fence", base + i, line, "")
                lines[i] = ""
