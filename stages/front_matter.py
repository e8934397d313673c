"""Read YAML front matter or a leading JSON metadata block into normalized metadata.

Before::

    ---
    page-title: "雷军年度演讲"
    url: https://mp.weixin.qq.com/s/dWAc
    date: "2024-07-20 22:21:39"
    ---

After (``doc.meta``; the Markdown writer prints it back)::

    title: 雷军年度演讲
    date: '2024-07-20T22:21:39'
    source: https://mp.weixin.qq.com/s/dWAc

Keys are mapped to ``title``, ``author``, ``date`` (ISO 8601), ``source`` and
``lang`` (the ``language`` stage detects it when missing); other keys are kept.
Malformed YAML gives a warning and stays in the body as a ``yaml`` code block.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from pipeline.document import Document, Metadata
from pipeline.stage import Stage, StageContext
from pipeline.textkeep import meta_text

_YAML_BLOCK = re.compile(r"\A(?:\ufeff)?---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_JSON_BLOCK = re.compile(r"\A\s*```json[ \t]*\n(\{.*?\})\s*\n```[ \t]*(?:\n|\Z)", re.S)

ALIASES = {
    "title": ("title", "page-title", "page_title", "pagetitle", "name", "headline"),
    "author": ("author", "authors", "creator", "byline", "by"),
    "date": ("date", "published", "publish_date", "published_at", "pubdate", "pub_date",
             "datepublished", "date_published", "publish-time"),
    "source": ("source", "url", "link", "original_url", "source_url", "canonical", "origin"),
    "lang": ("lang", "language", "locale"),
}
_ALIAS_TO_KEY = {alias: key for key, names in ALIASES.items() for alias in names}
_WIKILINK = re.compile(r"^\[\[(?:[^\]|]*\|)?([^\]]*)\]\]$")
_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?(?:\s*(\d{1,2})[:：](\d{2})(?::(\d{2}))?)?")


def normalize_date(value: Any) -> str | None:
    """ISO 8601 from the date forms clippers write; None when it is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    s = str(value).strip()
    m = _CN_DATE.search(s)
    if m:
        y, mo, d, h, mi, sec = m.groups()
        out = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
        if h is not None:
            out += f"T{int(h):02d}:{mi}" + (f":{sec}" if sec else "")
        return out
    candidate = s.replace("Z", "+00:00").replace("/", "-")
    candidate = re.sub(r"^(\d{4}-\d{2}-\d{2})\s+(\d)", r"\1T\2", candidate)
    try:
        return dt.datetime.fromisoformat(candidate).isoformat()
    except ValueError:
        pass
    try:
        return dt.date.fromisoformat(candidate[:10]).isoformat() if len(candidate) == 10 else None
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime
    try:
        return parsedate_to_datetime(s).isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _plain(value: Any) -> Any:
    """Strip Obsidian wikilinks and join author lists."""
    if isinstance(value, str):
        m = _WIKILINK.match(value.strip())
        return m.group(1) if m else value.strip()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _yaml(data: dict[str, Any]) -> str:
    import yaml
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


class FrontMatter(Stage):
    """Read YAML front matter or a JSON metadata block; normalize title, author, date, source, lang."""

    name = "front_matter"
    priority = 110
    scope = "text"
    once = True
    # The block's text moves into the metadata, which writers print: not lost.
    removes = frozenset({"json_metadata", "meta_normalized"})

    def run(self, doc: Document, ctx: StageContext) -> None:
        text = doc.text
        raw_meta: dict[str, Any] = {}
        m = _YAML_BLOCK.match(text)
        if m:
            block = m.group(1) or ""
            data = self._load_yaml(block, ctx)
            if data is None:
                fence = "````" if "```" in block else "```"
                text = f"{fence}yaml\n{block}{fence}\n" + text[m.end():]
                doc.text = text
                ctx.record("malformed_front_matter", 1, m.group(0), f"{fence}yaml")
            else:
                raw_meta = data
                doc.body_line = m.group(0).count("\n") + 1
                text = text[m.end():]
        else:
            j = _JSON_BLOCK.match(text)
            if j:
                try:
                    data = json.loads(j.group(1))
                except ValueError:
                    data = None
                known = [k for k in data if k.lower() in _ALIAS_TO_KEY] if isinstance(data, dict) else []
                if len(known) >= 2:
                    raw_meta = data
                    ctx.record("json_metadata", 1, j.group(0), "")
                    doc.body_line = j.group(0).count("\n") + 1
                    text = text[j.end():]
        doc.text = text
        doc.meta = self._normalize(raw_meta, ctx)
        if m and raw_meta and raw_meta != doc.meta.as_dict():
            ctx.record("meta_normalized", 1, m.group(0), _yaml(doc.meta.as_dict()))
        doc.reference = text + "\n" + meta_text(raw_meta)

    @staticmethod
    def _load_yaml(block: str, ctx: StageContext) -> dict[str, Any] | None:
        import yaml
        try:
            data = yaml.safe_load(block) if block.strip() else {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 2}" if mark is not None else ""
            ctx.warn(f"malformed YAML front matter{where}; kept in the body")
            return None
        if data is None:
            return {}
        if not isinstance(data, dict):
            ctx.warn("front matter is not a mapping; kept in the body")
            return None
        return {str(k): v for k, v in data.items()}

    @staticmethod
    def _normalize(raw: dict[str, Any], ctx: StageContext) -> Metadata:
        meta = Metadata()
        for key, value in raw.items():
            target = _ALIAS_TO_KEY.get(key.lower().strip())
            value = _plain(value)
            if target is None or getattr(meta, target) is not None:
                if value not in (None, "", [], {}):
                    meta.extra[key] = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
                continue
            if value in (None, "", [], {}):
                continue
            if target == "date":
                iso = normalize_date(value)
                if iso is None:
                    ctx.warn(f"front matter {key}: {value!r} is not a date; kept as {key}")
                    meta.extra[key] = str(value)
                    continue
                value = iso
            elif target == "author" and isinstance(value, list):
                value = ", ".join(str(v) for v in value if v)
            elif isinstance(value, (list, dict)):
                meta.extra[key] = value
                continue
            setattr(meta, target, str(value))
        return meta
