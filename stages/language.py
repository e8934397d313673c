"""Detect the article's language when the metadata does not say (zh-CN, en, ja…).

Before (no ``lang`` in the front matter)::

    2024年7月19日晚上19:00，我的第五次年度演讲在北京首钢冰球馆举行。

After::

    lang: zh-CN

The detection reads the prose of the parsed tree (not code, addresses or image
descriptions) and goes by script: Han characters make Chinese even in an article
full of English names and code; kana make Japanese, Hangul Korean, Cyrillic
Russian; Latin letters English.
"""
from __future__ import annotations

import re

from pipeline.document import Document
from pipeline.stage import Stage, StageContext
from pipeline.tree import INLINE_CONTAINERS, inline_text, iter_inline_lists

_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_URL = re.compile(r"https?://\S+")


def detect_language(text: str) -> str | None:
    """A BCP 47 tag from the script of the text's letters, or None without letters."""
    text = _URL.sub(" ", text)
    han, kana = len(_HAN.findall(text)), len(_KANA.findall(text))
    hangul, cyr, latin = len(_HANGUL.findall(text)), len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))
    if not (han or kana or hangul or cyr or latin):
        return None
    if kana > 0.1 * (han + kana):
        return "ja"
    if hangul > max(han, latin) * 0.5:
        return "ko"
    if han >= max(2, latin / 6):
        return "zh-CN"
    if cyr > latin:
        return "ru"
    return "en"


def prose(tree: list, limit: int = 50000) -> str:
    parts: list[str] = []
    size = 0
    for block, _line in iter_inline_lists(tree):
        if block.get("type") not in INLINE_CONTAINERS:
            continue
        text = inline_text([k for k in block.get("children") or [] if k["type"] != "codespan"])
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
