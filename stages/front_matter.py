"""Read YAML or TOML front matter or a leading JSON metadata block into normalized metadata.

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

Hugo's TOML front matter (between ``+++`` lines) is read the same way. Keys are
mapped to ``title``, ``author``, ``date`` (ISO 8601), ``source`` and
``lang`` (the ``language`` stage detects it when missing); other keys are kept.
Malformed YAML (or TOML) gives a warning and stays in the body as a ``yaml`` (``toml``) code block, and
so does a block too large, or whose aliases would expand past a small bound (an
"alias bomb"). A leading ``---`` pair around what is not a mapping with plausible
keys (a heading, a paragraph: two thematic breaks, or a rule and a setext
heading) is Markdown, and stays as it is.
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
_TOML_BLOCK = re.compile(r"\A(?:\ufeff)?\+\+\+[ \t]*\n(.*?\n)?\+\+\+[ \t]*(?:\n|\Z)", re.S)
_JSON_BLOCK = re.compile(r"\A\s*```json[ \t]*\n(\{.*?\})\s*\n```[ \t]*(?:\n|\Z)", re.S)

ALIASES = {
    "title": ("title", "page-title", "page_title", "pagetitle", "name", "headline"),
    "author": ("author", "authors", "creator", "byline", "by"),
    "date": (
        "date",
        "published",
        "publish_date",
        "published_at",
        "pubdate",
        "pub_date",
        "datepublished",
        "date_published",
        "publish-time",
    ),
    "source": ("source", "url", "link", "original_url", "source_url", "canonical", "origin"),
    "lang": ("lang", "language", "locale"),
}
_ALIAS_TO_KEY = {alias: key for key, names in ALIASES.items() for alias in names}
#: keys front matter commonly holds besides the normalized ones (Obsidian, Hugo, Jekyll)
_COMMON_KEYS = {
    "tags",
    "tag",
    "aliases",
    "alias",
    "cssclasses",
    "cssclass",
    "created",
    "updated",
    "modified",
    "description",
    "summary",
    "categories",
    "category",
    "keywords",
    "draft",
    "slug",
    "layout",
    "permalink",
    "site",
    "type",
    "status",
    "weight",
    "excerpt",
    "image",
    "cover",
    "subtitle",
    "id",
    "uid",
    "publish",
    "share",
}
_KEY = re.compile(r"^[^\W\d][\w.-]*(?: [\w.-]+){0,3}$")
# a line that starts a YAML mapping entry: "key:" then a space or the end
_KEY_LINE = re.compile(r"^[\"']?[^\s#:\-\[\]{}>|*&!%@`][^:\n]*:(?:[ \t]|$)")
MAX_FRONT_MATTER = 64 * 1024
MAX_YAML_NODES = 5_000
MAX_YAML_DEPTH = 64
_WIKILINK = re.compile(r"^\[\[(?:[^\]|]*\|)?([^\]]*)\]\]$")
_CN_DATE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})[:：](\d{2})(?::(\d{2}))?)?"
)


def normalize_date(value: Any) -> str | None:
    """ISO 8601 from the date forms clippers write; None when it is not a date.

    Its result reads back as itself (``normalize_date(normalize_date(x)) ==
    normalize_date(x)``): a date stays a date (``2023-05-26``, never
    ``2023-05-26T00:00:00``), a time keeps its seconds and its zone."""
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
        try:
            day = dt.date(int(y), int(mo), int(d))
            if h is None:
                return day.isoformat()
            return dt.datetime(day.year, day.month, day.day, int(h), int(mi), int(sec or 0)).isoformat()
        except ValueError:
            return None
    candidate = s.replace("Z", "+00:00").replace("/", "-")
    candidate = re.sub(r"^(\d{4}-\d{2}-\d{2})\s+(\d)", r"\1T\2", candidate)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", candidate):
        try:
            return dt.date.fromisoformat(candidate).isoformat()
        except ValueError:
            return None
    try:
        return dt.datetime.fromisoformat(candidate).isoformat()
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(s).isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def read_block(block: str) -> tuple[str, Any]:
    """What the block between two leading ``---`` lines is:

    - ``("metadata", mapping)``: YAML whose keys are plausible (a known key, or
      several word-like keys);
    - ``("refused", reason)``: meant as YAML (its first line starts a ``key:``
      entry) but malformed, too large, or with aliases that expand too far;
    - ``("markdown", None)``: anything else (a heading, a paragraph, a list): the
      text between two thematic breaks, or a rule and a setext heading.
    """
    first = next((ln for ln in block.split("\n") if ln.strip() and not ln.lstrip().startswith("#")), "")
    if not _KEY_LINE.match(first):
        return "markdown", None
    if len(block) > MAX_FRONT_MATTER:
        return "refused", f"front matter larger than {MAX_FRONT_MATTER // 1024} KB"
    if _bracket_depth(block) > MAX_YAML_DEPTH:  # PyYAML slows down past that, then recurses out
        return "refused", "front matter nested too deep"
    import yaml

    # composed once: the checked node is the one made into data (what yaml.safe_load
    # does, without reading the block a second time)
    try:
        loader = yaml.SafeLoader(block)
        try:
            node = loader.get_single_node()
            if _expanded_size(node, MAX_YAML_NODES) > MAX_YAML_NODES:
                return "refused", f"front matter aliases expand past {MAX_YAML_NODES} values"
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        return "refused", f"malformed YAML front matter{where}"
    except RecursionError:
        return "refused", "front matter nested too deep"
    if not isinstance(data, dict) or not data:
        return "markdown", None
    keys = [str(k) for k in data]
    if not all(_KEY.match(k) and len(k) <= 64 for k in keys):
        return "markdown", None
    known = any(k.lower().strip() in _ALIAS_TO_KEY or k.lower() in _COMMON_KEYS for k in keys)
    if not known and (len(keys) < 2 or any(" " in k for k in keys)):
        return "markdown", None
    return "metadata", {str(k): v for k, v in data.items()}


def read_toml(block: str) -> tuple[str, Any]:
    """Hugo's front matter between ``+++`` lines: ``("metadata", mapping)`` or
    ``("refused", reason)`` (not TOML, or too large)."""
    import tomllib

    if len(block) > MAX_FRONT_MATTER:
        return "refused", f"front matter larger than {MAX_FRONT_MATTER // 1024} KB"
    try:
        data = tomllib.loads(block)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        return "refused", f"malformed TOML front matter ({str(exc).split(' (')[0]})"
    if not data:
        return "refused", "empty TOML front matter"
    return "metadata", _plain_values(data)


def _plain_values(value: Any) -> Any:
    """TOML times as ISO strings inside tables and arrays (dates at the top stay dates)."""
    if isinstance(value, dict):
        return {
            str(k): v if isinstance(v, (dt.date, dt.datetime)) else _plain_values(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_plain_values(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value


def _bracket_depth(block: str) -> int:
    """The deepest nesting of flow brackets (``[[[...`` or ``{{{...``)."""
    depth = deepest = 0
    for ch in re.findall(r"[\[\]{}]", block):
        depth = depth + 1 if ch in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


def _expanded_size(node: Any, limit: int) -> int:
    """How many values the YAML node graph holds once its aliases are expanded
    (counted without expanding them; stops past ``limit``; a cycle counts as past)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(node, False)]
    busy: set[int] = set()
    while stack:
        current, done = stack.pop()
        if current is None:
            continue
        key = id(current)
        if done:
            total = 1
            for child in _children(current):
                total += sizes[id(child)]
                if total > limit:
                    return limit + 1
            sizes[key] = total
            busy.discard(key)
            continue
        if key in sizes:
            continue
        if key in busy:
            return limit + 1  # a recursive alias
        busy.add(key)
        stack.append((current, True))
        stack.extend((child, False) for child in _children(current) if id(child) not in sizes)
    return sizes.get(id(node), 0)


def _children(node: Any) -> list[Any]:
    value = getattr(node, "value", None)
    if not isinstance(value, list):
        return []
    out: list[Any] = []
    for item in value:
        out.extend(item if isinstance(item, tuple) else (item,))
    return out


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
    removes = frozenset({"json_metadata", "toml_front_matter", "meta_normalized"})

    def run(self, doc: Document, ctx: StageContext) -> None:
        text = doc.text
        raw_meta: dict[str, Any] = {}
        m = _YAML_BLOCK.match(text)
        what, data = read_block(m.group(1) or "") if m else ("markdown", None)
        language = "yaml"
        toml = None if m else _TOML_BLOCK.match(text)
        if toml:
            m, language = toml, "toml"
            what, data = read_toml(m.group(1) or "")
        if what == "refused":
            block = m.group(1) or ""
            ctx.warn(f"{data}; kept in the body")
            fence = "`" * max(3, 1 + max((len(r) for r in re.findall(r"`+", block)), default=0))
            kept = f"{fence}{language}\n{block}{fence}\n"
            text = kept + text[m.end() :]
            doc.text = text
            ctx.record("malformed_front_matter", 1, m.group(0), kept)
        elif what == "metadata":
            raw_meta = data
            doc.body_line = m.group(0).count("\n") + 1
            text = text[m.end() :]
            if toml:
                ctx.record("toml_front_matter", 1, m.group(0), "")
        elif not m:
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
                    text = text[j.end() :]
        doc.text = text
        doc.meta = self._normalize(raw_meta, ctx)
        if what == "metadata" and not toml and raw_meta != doc.meta.as_dict():
            ctx.record("meta_normalized", 1, m.group(0), _yaml(doc.meta.as_dict()))
        doc.reference = text + "\n" + meta_text(raw_meta)

    @staticmethod
    def _normalize(raw: dict[str, Any], ctx: StageContext) -> Metadata:
        meta = Metadata()
        for key, value in raw.items():
            target = _ALIAS_TO_KEY.get(key.lower().strip())
            value = _plain(value)
            if target is None or getattr(meta, target) is not None:
                if value not in (None, "", [], {}):
                    meta.extra[key] = (
                        value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
                    )
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
