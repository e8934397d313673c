"""Repair links that scraping broke: link text cut by blank lines, redirect wrappers.

Before::

    [ ![](https://example.com/card.png)

    一个终身免费的 _安全武器库_

    ](http://mp.weixin.qq.com/s?__biz=Mzk0)

    [epoll](https://link.zhihu.com/?target=https%3A//man7.org/linux/epoll.7.html)

After::

    [![](https://example.com/card.png)
    一个终身免费的 _安全武器库_
    ](http://mp.weixin.qq.com/s?__biz=Mzk0)

    [epoll](https://man7.org/linux/epoll.7.html)

A link's text cannot hold a blank line, so a "card" link exported across
paragraphs shows its brackets and address as text; the blank lines go so that it
is one link again. Redirect wrappers (link.zhihu.com/?target=…, and the like)
give way to the address they wrap. An Obsidian embed ``![[_resources/a.webp]]``
becomes the image ``![](<_resources/a.webp>)`` that every reader understands.
"""

from __future__ import annotations

import re
import urllib.parse

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.textscan import code_line_mask

_CLOSE = re.compile(r"^\]\((?:https?://|/)[^\s)]*\)")
# the end of a card whose target is a script: "](javascript:void(0);)", escaped or not
_SCRIPT_CLOSE = re.compile(
    r"^ {0,3}\\?\]\(\s*(?:javascript|vbscript):(?:\\.|\([^()\s]*\)|[^()\s\\])*\)[ \t]*$", re.I
)
_ESCAPED_OPEN = re.compile(r"^( {0,3})\\\[[ \t]*")
_REDIRECT = re.compile(
    r"https?://(?:link\.zhihu\.com/\?target=|link\.juejin\.cn/?\?target=|www\.google\.com/url\?q="
    r"|l\.facebook\.com/l\.php\?u=|weibo\.cn/sinaurl\?u=)([^)\s\"'&]+)[^)\s\"']*"
)


# (an embed never runs over the next "![[": each one is read in the span up to it)
_EMBED = re.compile(r"!\[\[((?:(?!!\[\[)[^\]|\n])+?)(?:\|((?:(?!!\[\[)[^\]\n])*))?\]\]")


def _embed_as_image(m: re.Match[str]) -> str:
    """Obsidian's ``![[file.webp|alt]]`` is an image for every other reader too."""
    target = m.group(1).strip().replace("<", "%3C").replace(">", "%3E")
    alt = (m.group(2) or "").strip()
    alt = "" if alt.isdigit() else alt  # "|300" is a width, not a description
    return f"![{alt}](<{target}>)"


class BrokenLinks(Stage):
    """Rejoin link text cut by blank lines; unwrap redirect links; Obsidian ![[embeds]] as images."""

    name = "broken_links"
    priority = 215
    scope = "text"
    removes = frozenset({"redirect_link", "wikilink_embed", "script_card_link"})
    restructures = frozenset({"link_across_paragraphs"})  # a link again, where there was none

    def run(self, doc: Document, ctx: StageContext) -> None:
        lines = doc.text.split("\n")
        code = code_line_mask(lines)
        base = doc.body_line
        changed = False
        for i, line in enumerate(lines):
            if code[i] or not _CLOSE.match(line):
                continue
            opener = self._opener(lines, code, i)
            if opener is None:
                continue
            span = lines[opener : i + 1]
            kept = [ln.strip() if k else ln.rstrip() for k, ln in enumerate(span) if ln.strip()]
            kept[0] = re.sub(r"^\[\s+", "[", kept[0])
            ctx.record("link_across_paragraphs", base + opener, "\n".join(span), "\n".join(kept))
            lines[opener : i + 1] = kept + [""] * (len(span) - len(kept))
            # the blank lines now sit after the link; move them there explicitly
            changed = True
        for i, line in enumerate(lines):
            if code[i] or not _SCRIPT_CLOSE.match(line):
                continue
            found = self._script_opener(lines, code, i)
            if found is None:
                continue
            opener, start, end = found
            before = "\n".join(lines[opener : i + 1])
            lines[opener] = lines[opener][:start] + lines[opener][end:]
            lines[i] = ""  # blank, not deleted: later line numbers stay those of the source
            after = "\n".join(ln for ln in lines[opener:i] if ln.strip())
            ctx.record("script_card_link", base + opener, before, after)
            changed = True
        for i, line in enumerate(lines):
            if code[i] or "![[" not in line:
                continue
            new = _EMBED.sub(_embed_as_image, line)
            if new != line:
                ctx.record("wikilink_embed", base + i, line, new)
                lines[i] = new
                changed = True
        for i, line in enumerate(lines):
            if code[i] or ("target=" not in line and "url?q=" not in line and "?u=" not in line):
                continue
            new = _REDIRECT.sub(lambda m: urllib.parse.unquote(m.group(1)), line)
            if new != line:
                ctx.record("redirect_link", base + i, line, new)
                lines[i] = new
                changed = True
        if changed:
            doc.text = "\n".join(lines)

    @staticmethod
    def _script_opener(lines: list[str], code: list[bool], close: int) -> tuple[int, int, int] | None:
        """Where a card link to a script opened, cut from its end by blank lines: the
        line, and the span of its ``[`` (or ``\\[`` at the line's start) with the
        spaces after it. None when no blank line cuts it (a link the parser reads)."""
        for k in range(close - 1, max(-1, close - 12), -1):
            if code[k]:
                return None
            m = _ESCAPED_OPEN.match(lines[k])
            pos = _unclosed_bracket(lines[k])
            if m:
                span = (m.start() + len(m.group(1)), m.end())
            elif pos is not None and (pos == 0 or not lines[k][:pos].strip()):
                end = pos + 1
                while end < len(lines[k]) and lines[k][end] in " \t":
                    end += 1
                span = (pos, end)
            else:
                continue
            if not any(not lines[j].strip() for j in range(k, close)):
                return None
            return k, span[0], span[1]
        return None

    @staticmethod
    def _opener(lines: list[str], code: list[bool], close: int) -> int | None:
        """The line that opened the link: a ``[`` with no ``]`` after it, a few blocks up."""
        for k in range(close - 1, max(-1, close - 12), -1):
            if code[k]:
                return None
            pos = _unclosed_bracket(lines[k])
            if pos is not None and (
                pos == 0 or lines[k][:pos].rstrip().endswith(")") or not lines[k][:pos].strip()
            ):
                return k if any(not lines[j].strip() for j in range(k, close)) else None
        return None


def _unclosed_bracket(line: str) -> int | None:
    """Where the first ``[`` that the line does not close is."""
    stack: list[int] = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            stack.append(i)
        elif ch == "]" and stack:
            stack.pop()
        i += 1
    return stack[0] if stack else None
