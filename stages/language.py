"""Detect the article's language when the metadata does not say (zh-CN, en, ja…).

Before (no ``lang`` in the front matter)::

    2024年7月19日晚上19:00，我的第五次年度演讲在北京首钢冰球馆举行。

After::

    lang: zh-CN

The detection reads the prose only: paragraphs, headings, table cells and the
text of raw HTML blocks (a Tistory export is all ``<p>`` and ``<td>``), never code
(spans, blocks, ``<pre>``, ``<code>``, ``<script>``, ``<style>``), addresses, link
targets, tags or image descriptions. It goes by script, and weighs each CJK
character against a Latin *word*, not a letter (a Chinese write-up full of
English names and commands is still Chinese): kana make Japanese, Hangul Korean,
Han Chinese; Cyrillic words Russian; Latin words English.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.tree import INLINE_CONTAINERS, decode_entities, iter_blocks, iter_inline_lists

_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_URL = re.compile(r"(?:https?|ftp|mailto|file):\S+|www\.\S+")
_HIDDEN = re.compile(r"<(script|style|pre|code|textarea|svg)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_SKIP_INLINE = {"codespan", "inline_html", "image", "footnote_ref"}


def detect_language(text: str) -> str | None:
    """A BCP 47 tag from the scripts of the text, or None without letters.

    A CJK character weighs as much as a Latin word: Chinese writes a word in one
    or two characters, and its technical prose is full of English terms."""
    text = _URL.sub(" ", text)
    han, kana, hangul = len(_HAN.findall(text)), len(_KANA.findall(text)), len(_HANGUL.findall(text))
    cyr, latin = len(_CYRILLIC_WORD.findall(text)), len(_LATIN_WORD.findall(text))
    cjk = han + kana + hangul
    if not (cjk or cyr or latin):
        return None
    if cjk >= max(2, (latin + cyr) / 2):
        if hangul >= max(han, kana):
            return "ko"
        if kana > 0.1 * (han + kana):
            return "ja"
        return "zh-CN"
    if cyr > latin:
        return "ru"
    return "en"


def _inline(children: list[dict[str, Any]] | None, parts: list[str]) -> None:
    for tok in children or ():
        t = tok["type"]
        if t in _SKIP_INLINE:
            continue
        if t == "text":
            parts.append(tok.get("raw", ""))
        elif t in ("softbreak", "linebreak"):
            parts.append("\n")
        elif tok.get("children"):
            _inline(tok["children"], parts)


def html_text(raw: str) -> str:
    """The words a browser shows of a raw HTML block, code and tags aside."""
    return decode_entities(_TAG.sub(" ", _HIDDEN.sub(" ", raw)))


def prose(tree: list[dict[str, Any]], limit: int = 50000) -> str:
    parts: list[str] = []
    size = 0
    for block, _line in iter_blocks(tree):
        t = block.get("type")
        if t == "block_html":
            text = html_text(block.get("raw", ""))
        elif t in INLINE_CONTAINERS or t == "table":
            piece: list[str] = []
            for holder, _at in iter_inline_lists([block]):
                _inline(holder.get("children"), piece)
                piece.append("\n")
            text = "".join(piece)
        else:
            continue
        parts.append(text)
        size += len(text)
        if size > limit:
            break
    return "\n".join(parts)


class Language(Stage):
    """Detect the language (zh-CN, en, ja, ko, ru) from the prose when the metadata has none."""

    name = "language"
    priority = 360
    scope = "tree"

    def run(self, doc: Document, ctx: StageContext) -> None:
        if doc.meta.lang:
            return
        lang = detect_language(prose(doc.tree or []) + "\n" + (doc.meta.title or ""))
        if lang:
            doc.meta.lang = lang
            ctx.record("lang_detected", None, "", f"lang: {lang}")
