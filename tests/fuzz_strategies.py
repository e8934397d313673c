"""Fuzz inputs: lines of real articles mixed with scraping debris, and mutated.

A document is a list of pieces joined by line breaks (LF, blank lines, CRLF, hard
breaks). A piece is a line of a real article (the shared corpus when it is there,
else the selection in ``fixtures/fuzz/corpus_lines.txt``; always ``samples/``), a
debris snippet, or a line with a snippet put into it, a container prefix put before
it, or wrapped in bold. ``documents`` is the hypothesis strategy; ``random_document``
builds the same kind of input from a ``random.Random`` for long runs outside pytest.
"""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import strategies as st

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "real"
SELECTION = HERE / "fixtures" / "fuzz" / "corpus_lines.txt"
MAX_LINE = 240


def _article_lines(paths) -> list[str]:
    out: list[str] = []
    for p in paths:
        out += [ln for ln in p.read_text(encoding="utf-8").split("\n") if 0 < len(ln) <= MAX_LINE]
    return out


def corpus_lines() -> list[str]:
    """Lines of the samples and of the real corpus (or of the noted selection from it)."""
    lines = _article_lines(sorted((ROOT / "samples").glob("*.md")))
    if SHARED_CORPUS.is_dir():
        lines += _article_lines(sorted(SHARED_CORPUS.glob("*.md")))
    else:
        for row in SELECTION.read_text(encoding="utf-8").split("\n"):
            if row and not row.startswith("#"):
                lines.append(row.split("\t", 1)[1])
    return sorted(set(lines))


LINES = corpus_lines()

_SVG_1PX = (
    "![图片](data:image/svg+xml,%3C%3Fxml version='1.0' encoding='UTF-8'%3F%3E%3Csvg "
    "width='1px' height='1px' viewBox='0 0 1 1' xmlns='http://www.w3.org/2000/svg'%3E%3C/svg%3E)"
)
_GIF_1PX = "![](data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7)"
_PNG_3PX = (
    "![dot](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAMAAAADCAIAAADZSiLoAAAAEklEQVR4nGP4"
    "z8AARBQwMQQMAJBLBPzzR0NkAAAAAElFTkSuQmCC)"
)

#: debris scraped pages leave, as the stages know it, and markup that interacts with it
DEBRIS = [
    # broken bold
    "**",
    "****",
    "***",
    "*",
    "**1**0****",
    "**0****2**",
    "**米家空调 新风Pro **双出风",
    "**“**",
    "**”**",
    "我的演讲**「勇气」**在北京",
    "**Q：为什么不做自动切vip sect ?",
    "**>**",
    "__",
    "__#__",
    "**，**",
    # placeholders and images
    _SVG_1PX,
    _GIF_1PX,
    _PNG_3PX,
    "![]()",
    "![img](data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg'"
    " width='1321' height='931'></svg>)",
    "![](https://example.com/a.png)",
    "![[_resources/a.webp|300]]",
    # links
    "[a](javascript:void(0);)",
    "[](https://example.com)",
    "[潇湘信安](javascript:void\\(0\\);)",
    "[epoll](https://link.zhihu.com/?target=https%3A//man7.org/linux/epoll.7.html)",
    "[x](<a b>)",
    "<https://example.com/a_b>",
    "https://example.com/a_b_c",
    "[^1]",
    "[^1]: 注释",
    "^[inline note]",
    # interface text
    "左滑查看更多 ←",
    "（向右滑动，查看更多）",
    "- 左滑更多豪礼 -",
    "预览时标签不可点",
    "轻点两下取消赞",
    "微信扫一扫关注该公众号",
    "知道了",
    "·",
    "●",
    "—",
    "“",
    "”",
    "「",
    "」",
    # invisible characters and line ends
    "\u00a0",
    "&nbsp;",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u00ad",
    "\u3000\u3000",
    "\u3000",
    "\r\n",
    "\r",
    "\t",
    # section numbers and headings
    "01",
    "**01**",
    "**06**",
    "1.1",
    "1.",
    "一、",
    "第3章",
    "## 01",
    "### 1.2 特种兵调研",
    "#",
    "## ",
    "#### ",
    "# 前言",
    "## 0. 引言",
    "### **破釜沉舟**",
    "## 4、**标题**",
    # blocks
    "```",
    "```json",
    "```python",
    "~~~",
    "    code();",
    "> ",
    "> [!tip]",
    ">",
    "- ",
    "1. ",
    "* ",
    "+ ",
    "- [ ] ",
    "- [x] ",
    "| a | b |",
    "|---|---|",
    "| 1 | 2 |",
    "---",
    "***",
    "___",
    "===",
    "- - -",
    "<br>",
    "<span>",
    "</span>",
    "<div>",
    "</div>",
    "<!-- c -->",
    "<script>alert(1)</script>",
    "<b>",
    # escapes and entities
    "\\",
    "\\*",
    "\\[",
    "&amp;",
    "&#106;",
    "&lt;",
    "D:\\ ",
    "a\\",
    "`=>`",
    "`",
    "``",
    "~~x~~",
    "~x~",
]

#: what may stand before a line (containers, indents)
PREFIXES = [
    "> ",
    "- ",
    "1. ",
    "  ",
    "    ",
    "> - ",
    "- > ",
    "\u3000\u3000",
    "\u00a0",
    "> > ",
    "  - ",
    "## ",
    "**",
    "\t",
    "- [ ] ",
    "| ",
]
#: what joins two pieces
JOINS = ["\n", "\n", "\n\n", "\n\n", "  \n", "\r\n", "\n\n\n", "\\\n", "\n>\n"]


def insert(line: str, snippet: str, at: int) -> str:
    at = at % (len(line) + 1)
    return line[:at] + snippet + line[at:]


def prefix(line: str, snippet: str, _at: int) -> str:
    return snippet + line


def wrap_bold(line: str, _snippet: str, at: int) -> str:
    cut = at % (len(line) + 1)
    return line[:cut] + "**" + line[cut:] + "**"


def replace_span(line: str, snippet: str, at: int) -> str:
    at = at % (len(line) + 1)
    return line[:at] + snippet + line[at + len(snippet) :]


MUTATIONS = [insert, prefix, wrap_bold, replace_span]


@st.composite
def piece(draw) -> str:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(st.sampled_from(DEBRIS))
    line = draw(st.sampled_from(LINES))
    if kind == 1:
        return line
    how = draw(st.sampled_from(MUTATIONS))
    snippet = draw(st.sampled_from(PREFIXES if how is prefix else DEBRIS))
    return how(line, snippet, draw(st.integers(0, MAX_LINE)))


@st.composite
def documents(draw, max_pieces: int = 24) -> str:
    pieces = draw(st.lists(piece(), min_size=1, max_size=max_pieces))
    out = [pieces[0]]
    for p in pieces[1:]:
        out.append(draw(st.sampled_from(JOINS)))
        out.append(p)
    return "".join(out)


def random_piece(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return rng.choice(DEBRIS)
    line = rng.choice(LINES)
    if kind == 1:
        return line
    how = rng.choice(MUTATIONS)
    return how(line, rng.choice(PREFIXES if how is prefix else DEBRIS), rng.randrange(MAX_LINE + 1))


def random_document(rng: random.Random, max_pieces: int = 24) -> str:
    pieces = [random_piece(rng) for _ in range(rng.randint(1, max_pieces))]
    out = [pieces[0]]
    for p in pieces[1:]:
        out += [rng.choice(JOINS), p]
    return "".join(out)
