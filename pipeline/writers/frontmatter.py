"""YAML front matter for the Markdown writer."""

from __future__ import annotations

from typing import Any


def dump_front_matter(meta: dict[str, Any]) -> str:
    if not meta:
        return ""
    import yaml

    body = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000)
    return f"---\n{body}---\n\n"
