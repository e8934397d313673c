"""Code pasted without its fences becomes a fenced block.

Before (``​`` is a zero-width space, ``→`` a tab)::

    回调函数的设置如下：
    ​→callback->cb_fn = cb;
    ​→callback->cb_arg = arg;
    ​→\\# dependencies
    然后注册回调。

After::

    回调函数的设置如下：

    ```
    callback->cb_fn = cb;
    callback->cb_arg = arg;
    # dependencies
    ```

    然后注册回调。

Copied from a page that lost its ``<pre>``, code keeps the tab (often behind a
zero-width space) that indented it; right under a paragraph line, a reader joins
it to the paragraph. Two or more such lines, most of which read as code and none
as prose (``pipeline.codelike``), become a fenced block, their Markdown escapes
undone (an exporter wrote ``\\#`` so that ``#`` would not make a heading). This runs
before the whitespace repair, which takes the zero-width spaces and with them the
tab's meaning. Never inside a list item or a quote, nor in code.
"""

from __future__ import annotations

import re

from pipeline.codelike import code_likeness
from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.textscan import code_line_mask

_TAB_CODE = re.compile(r"^[\u200b\u2060\ufeff]*\t|^[\u200b\u2060\ufeff]+ {2,}")
_INVISIBLE = re.compile(r"^[\u200b\u2060\ufeff]+")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_LIST_OR_QUOTE = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])[ \t]|^ {0,3}>")


class PastedCode(Stage):
    """Fence code pasted without fences: tab-led lines right under a paragraph that read as code."""

    name = "pasted_code"
    priority = 195
    scope = "text"
    # a code block where the parser read the end of a paragraph: the repair itself
    restructures = frozenset({"unfenced_code"})

    def run(self, doc: Document, ctx: StageContext) -> None:
        if "\t" not in doc.text and "\u200b" not in doc.text:
            return
        lines = doc.text.split("\n")
        code = code_line_mask(lines)
        out: list[str] = []
        i, n = 0, len(lines)
        changed = False
        while i < n:
            j = i
            while j < n and not code[j] and _TAB_CODE.match(lines[j]):
                j += 1
            prev = out[-1] if out else ""
            run = lines[i:j]
            if (
                j - i >= 2
                and prev.strip()
                and not _LIST_OR_QUOTE.match(prev)
                and not prev.startswith((" ", "\t"))
                and _reads_as_code(run)
            ):
                block = ["", "```", *(_code_line(ln) for ln in run), "```", ""]
                ctx.record("unfenced_code", doc.body_line + i, "\n".join(run), "\n".join(block).strip("\n"))
                out.extend(block)
                i = j
                changed = True
                continue
            out.append(lines[i])
            i += 1
        if changed:
            doc.text = "\n".join(out)


def _code_line(line: str) -> str:
    """The line of code as it was before the page wrapped it: one tab less, no escapes."""
    line = _INVISIBLE.sub("", line)
    line = line[1:] if line.startswith("\t") else line.strip()
    return _ESCAPE.sub(r"\1", line)


def _reads_as_code(run: list[str]) -> bool:
    scores = [code_likeness(_INVISIBLE.sub("", ln).lstrip()) for ln in run]
    return sum(1 for s in scores if s > 0.3) * 3 >= len(scores) * 2 and not any(s < -0.3 for s in scores)
