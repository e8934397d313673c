"""Unwrap emphasis that wraps a whole heading: the heading style is emphasis enough.

Before::

    ### **破釜沉舟**
    #### **1.1**  **造车的起点**

After::

    ### 破釜沉舟
    #### 1.1 造车的起点
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.numbering import is_number_prefix
from pipeline.repairs import TreeRepair
from pipeline.stage import StageContext
from pipeline.tree import inline_text, merge_text, trim_inline

Token = dict[str, Any]
_WRAPPERS = ("strong", "emphasis")


def unwrap(children: list[Token]) -> list[Token] | None:
    """Children without the emphasis around all of them; None when not wrapped.

    A section number before the emphasis (``1、**进程ID类型**``) does not count.
    """
    real = [k for k in children if not (k["type"] == "text" and not k["raw"].strip())]
    if real and real[0]["type"] == "text" and len(real) > 1 and is_number_prefix(real[0]["raw"]):
        prefix = real[0]["raw"].strip()
        sep = "" if prefix.endswith(("、", "）", ")", "：", ":")) else " "
        rest = unwrap(children[children.index(real[0]) + 1 :])
        if rest is None:
            return None
        return merge_text([{"type": "text", "raw": prefix + sep}, *rest])
    if not real or not all(k["type"] in _WRAPPERS for k in real):
        return None
    out: list[Token] = []
    for k in children:
        if k["type"] in _WRAPPERS:
            inner = unwrap(k.get("children") or []) or k.get("children") or []
            out.extend(inner)
        else:
            out.append({"type": "text", "raw": " "})
    out = [
        {"type": "text", "raw": re.sub(r"\s{2,}", " ", k["raw"])} if k["type"] == "text" else k
        for k in merge_text(out)
    ]
    return trim_inline(out)


class HeadingEmphasis(TreeRepair):
    """Remove bold or italic that wraps a whole heading."""

    name = "heading_emphasis"
    priority = 310
    scope = "tree"

    def match(self, block: Token) -> list[Token] | None:
        """The heading's children unwrapped, when emphasis wraps them all."""
        if block.get("type") != "heading":
            return None
        return unwrap(block.get("children") or [])

    def handle(self, block: Token, found: list[Token], ctx: StageContext, line: int | None) -> None:
        ctx.record(
            "emphasis_wrapped_heading", line, inline_text(block.get("children") or []), inline_text(found)
        )
        block["children"] = found
