"""A ``<pre>`` block of the page's HTML is code: it becomes a fenced code block.

Before::

    <div class="highlight"><pre><code class="language-python"># 1. 读取数据
    import pandas as pd

    # 2. 清洗数据
    </code></pre></div>

After::

    ```python
    # 1. 读取数据
    import pandas as pd

    # 2. 清洗数据
    ```

A browser shows a ``<pre>`` as written, blank lines and all; a CommonMark reader
ends an HTML block that opens with ``<div>`` at its first blank line, so what
follows (``# 2. 清洗数据``) became a heading, or the title. The block becomes a
fence with the text the browser shows (highlighting tags gone, ``&lt;`` read as
``<``) and the language its class names (``language-python``, ``lang-go``,
``brush: js``). It runs before every repair, so that none of them reads code as
prose. Only a ``<pre>`` that stands alone is taken: wrapper tags (``<div>``,
``<figure>``) around it go with it, text beside it leaves it as it is.
"""

from __future__ import annotations

import re

from pipeline.codelines import code_kinds
from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.tree import decode_entities

_OPEN = re.compile(
    r"^ {0,3}((?:<(?:div|figure|section|td|center)\b[^<>]*>\s*)*)<pre\b([^<>]*)>\s*"
    r"(?:<code\b([^<>]*)>)?",
    re.I,
)
_CLOSE = re.compile(r"(?:</code>\s*)?</pre\s*>((?:\s*</(?:div|figure|section|td|center)\s*>)*)[ \t]*$", re.I)
_LANGUAGE = re.compile(r"(?:language-|lang-|brush:\s*|highlight-source-)([\w+#.\-]+)", re.I)
_CLASS = re.compile(r"class=[\"']?([a-z][\w+#\-]*)[\"']?\s*$", re.I)
_KNOWN = frozenset(
    {
        "python",
        "py",
        "bash",
        "sh",
        "shell",
        "js",
        "javascript",
        "ts",
        "typescript",
        "java",
        "c",
        "cpp",
        "go",
        "rust",
        "ruby",
        "php",
        "sql",
        "json",
        "yaml",
        "xml",
        "html",
        "css",
        "kotlin",
        "swift",
        "csharp",
        "cs",
        "lua",
        "perl",
        "r",
        "scala",
        "text",
        "console",
    }
)
_BR = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _language(*attrs: str | None) -> str:
    for attr in attrs:
        m = _LANGUAGE.search(attr or "")
        if m:
            return m.group(1).lower()
    for attr in attrs:
        m = _CLASS.search(attr or "")
        if m and m.group(1).lower() in _KNOWN:
            return m.group(1).lower()
    return ""


def code_of(html: str) -> str:
    """The text a browser shows inside ``<pre>``: tags gone, entities read."""
    return decode_entities(_TAG.sub("", _BR.sub("\n", html)))


class HtmlCode(Stage):
    """A <pre> block of raw HTML becomes a fenced code block (its text as the browser shows it)."""

    name = "html_code"
    priority = 190
    scope = "text"
    removes = frozenset({"pre_block"})
    # an HTML block that a blank line cut in two is one code block now, on purpose
    restructures = frozenset({"pre_block"})

    def run(self, doc: Document, ctx: StageContext) -> None:
        if "<pre" not in doc.text and "<PRE" not in doc.text:
            return
        lines = doc.text.split("\n")
        kinds = code_kinds(lines)
        out: list[str] = []
        i = 0
        changed = False
        while i < len(lines):
            m = _OPEN.match(lines[i]) if kinds[i] is None else None
            end = self._closing(lines, kinds, i, m) if m else None
            if m is None or end is None:
                out.append(lines[i])
                i += 1
                continue
            close = _CLOSE.search(lines[end])
            first = lines[i][m.end() :]
            if end == i:
                body = first[: len(first) - len(close.group(0))] if close else first
                inner = [body]
            else:
                last = lines[end][: close.start()] if close else lines[end]
                inner = [first, *lines[i + 1 : end], last]
            code = code_of("\n".join(inner)).split("\n")
            if code and not code[0].strip():
                code = code[1:]  # "<pre>⏎code": the newline after the tag is not content
            if code and not code[-1].strip():
                code = code[:-1]
            ticks = max((len(r) for r in re.findall(r"`+", "\n".join(code))), default=0)
            fence = "`" * max(3, ticks + 1)
            block = [fence + _language(m.group(3), m.group(2)), *code, fence]
            before = "\n".join(lines[i : end + 1])
            ctx.record("pre_block", doc.body_line + i, before, "\n".join(block))
            if out and out[-1].strip():
                out.append("")
            out.extend(block)
            if end + 1 < len(lines) and lines[end + 1].strip():
                out.append("")
            changed = True
            i = end + 1
        if changed:
            doc.text = "\n".join(out)

    @staticmethod
    def _closing(lines: list[str], kinds: list[str | None], start: int, m: re.Match[str]) -> int | None:
        """The line that closes this ``<pre>`` with only wrapper tags after it, or None."""
        rest = lines[start][m.end() :]
        if _CLOSE.search(rest):
            return start
        if "</pre" in rest.lower():
            return None  # text after the closing tag: not a block of its own
        for k in range(start + 1, min(len(lines), start + 2000)):
            if kinds[k] is not None:
                return None
            low = lines[k].lower()
            if "<pre" in low:
                return None
            if "</pre" in low:
                return k if _CLOSE.search(lines[k]) else None
        return None
