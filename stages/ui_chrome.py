"""Remove the interface text of the page the article was scraped from.

Before::

    **左滑查看更多 ←**

    - 左滑更多豪礼 -

    ·

    和风 [潇湘信安](javascript:void\\(0\\);)

    预览时标签不可点

    阅读量也开始下滑，我们只好扫码登记。

After::

    和风 潇湘信安

    阅读量也开始下滑，我们只好扫码登记。

Each rule has a name and can be turned off (``rules_off``). Rules match whole
short blocks only, never words inside a sentence. The end-of-article promotion
block (QR codes, "follow us", "read the original") goes only with ``promo = true``.
"""
from __future__ import annotations

import re
from typing import Any

from pipeline.document import Document
from pipeline.options import Option
from pipeline.stage import Stage, StageContext
from pipeline.tree import filter_blocks, inline_text, iter_inline_lists, trim_inline
from pipeline.urls import script_link as _script_target

Token = dict[str, Any]

RULES = ("swipe_hint", "wechat_ui", "separator_line", "javascript_link", "empty_link", "promo_tail")

_SWIPE = re.compile(
    r"^(?:(?:向?[左右上下]|左右|上下)滑(?:动)?(?:查看|看)?(?:更多|全部|下一[个张篇页])?(?:\w{0,4})"
    r"|(?:继续)?滑动(?:查看|看)(?:更多|下一[个张篇页]|全部)?"
    r"|(?:swipe|scroll)\s+(?:left|right|up|down)(?:\s+(?:for|to\s+see)\s+more)?)$", re.I)
_WECHAT_UI = {
    "预览时标签不可点", "微信扫一扫关注该公众号", "微信扫一扫使用小程序", "微信扫一扫赞赏作者",
    "微信扫一扫可打开此内容使用完整服务", "继续滑动看下一个", "向上滑动看下一个", "轻点两下取消赞",
    "轻点两下取消在看", "AI目录", "分享留言收藏", "视频小程序赞", "已关注", "关注该公众号", "发表于",
    "微信扫一扫", "使用小程序",
}
_WECHAT_UI_PART = ("轻点两下取消赞", "轻点两下取消在看", "微信扫一扫关注该公众号")
_BUTTONS = {"知道了", "取消", "允许", "确定", "关闭", "取消允许"}
_SEPARATORS = set("·•●○◆◇■□▪▫◦‧∙・—―*_~>|/\\ ")
_PROMO_WORDS = ("扫码", "二维码", "关注我们", "关注公众号", "点击上方", "点击蓝字", "阅读原文", "设为星标",
                "星标", "点赞", "在看", "分享", "转发", "推荐阅读", "往期回顾", "往期推荐", "长按识别",
                "长按二维码", "公众号", "投稿", "商务合作", "联系我们", "加入我们", "知识星球")


def _key(text: str) -> str:
    """Text without whitespace and the arrows and marks that decorate UI hints."""
    return re.sub(r"[\s←→↑↓⬅➡<>（）()\[\]【】\-—–·•:：,，。.!！~_*]+", "", text)


class UiChrome(Stage):
    """Remove page UI text: swipe hints, WeChat UI lines, separator-only lines, javascript: links."""

    name = "ui_chrome"
    priority = 300
    scope = "tree"
    removes = frozenset({"swipe_hint", "wechat_ui", "separator_line", "empty_link", "promo_tail",
                         "javascript_link"})
    defaults = {"rules_off": Option([], "strings", choices=RULES), "promo": False, "max_chars": 30}

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.rules = set(RULES) - set(self.options["rules_off"])
        if not self.options["promo"]:
            self.rules.discard("promo_tail")

    def run(self, doc: Document, ctx: StageContext) -> None:
        # Blocks first: a paragraph of javascript: buttons ("[知道了](javascript:;)") is
        # recognized while its links are still links.
        tree = filter_blocks(doc.tree or [], lambda tok, line, parents: self._keep(tok, line, parents, ctx))
        if "javascript_link" in self.rules or "empty_link" in self.rules:
            emptied = fixed_any = False
            for block, line in iter_inline_lists(tree):
                kids = block.get("children") or []
                fixed = self._fix_links(kids, ctx, line)
                if fixed is not kids:
                    block["children"] = trim_inline(fixed)
                    emptied |= bool(kids) and not block["children"]
                    fixed_any = True
            if emptied:  # a paragraph that was only an empty link is gone with it
                tree = filter_blocks(tree, lambda tok, line, _parents: tok.get("type") not in (
                    "paragraph", "block_text") or bool(tok.get("children")))
            if fixed_any:  # what is left ("—" beside an empty link) is read as a block again
                tree = filter_blocks(tree, lambda tok, line, parents: self._keep(tok, line, parents, ctx))
        if "promo_tail" in self.rules:
            tree = self._drop_promo_tail(tree, ctx)
        doc.tree = tree

    # -- links ---------------------------------------------------------------------
    def _fix_links(self, children: list[Token], ctx: StageContext, line: int | None) -> list[Token]:
        """The children with javascript: links unwrapped and empty links gone (the same
        list object when nothing changed)."""
        out: list[Token] = []
        touched = False
        for tok in children:
            if tok.get("children") and tok["type"] not in ("link", "image"):
                fixed = self._fix_links(tok["children"], ctx, line)
                touched |= fixed is not tok["children"]
                tok["children"] = fixed
                if not fixed:
                    continue  # bold or italics around an empty link alone go with it
            if tok["type"] == "link":
                url = (tok.get("attrs") or {}).get("url", "")
                kids = tok.get("children") or []
                if "javascript_link" in self.rules and _script_target(url):
                    text = inline_text(kids, alt=True)
                    ctx.record("javascript_link", line, f"[{text}]({url})", text)
                    out.extend(self._strip_outer_space(kids))
                    touched = True
                    continue
                if "empty_link" in self.rules and not kids:
                    ctx.record("empty_link", line, f"[]({url})", "")
                    touched = True
                    continue
            out.append(tok)
        return out if touched else children

    @staticmethod
    def _strip_outer_space(kids: list[Token]) -> list[Token]:
        """``[ 潇湘信安 ](javascript:...)`` keeps its text without the padding."""
        kids = [dict(k) for k in kids]
        if kids and kids[0]["type"] == "text":
            kids[0]["raw"] = kids[0]["raw"].lstrip()
        if kids and kids[-1]["type"] == "text":
            kids[-1]["raw"] = kids[-1]["raw"].rstrip()
        return [k for k in kids if not (k["type"] == "text" and not k["raw"])]

    # -- blocks ---------------------------------------------------------------------
    def _keep(self, tok: Token, line: int | None, parents: tuple[str, ...], ctx: StageContext) -> bool:
        t = tok.get("type")
        if (t == "list" and not (tok.get("attrs") or {}).get("ordered")
                and len(tok.get("children") or []) == 1):
            # "- 左滑更多豪礼 -" parses as a one-item list
            item = tok["children"][0]
            if item.get("type") == "task_list_item":
                return True  # a task's box is content
            kids = item.get("children") or []
            if len(kids) == 1 and kids[0].get("type") in ("paragraph", "block_text"):
                rule = self.match(kids[0])
                if rule:
                    ctx.record(rule, line, "- " + inline_text(kids[0].get("children"), alt=True), "")
                    return False
            return True
        if t not in ("paragraph", "block_text"):
            return True
        rule = self.match(tok)
        if rule == "separator_line" and ("list_item" in parents or "task_list_item" in parents):
            return True  # a mark inside a list item is the item's content
        if rule:
            ctx.record(rule, line, inline_text(tok.get("children"), alt=True), "")
            return False
        return True

    def match(self, block: Token) -> str | None:
        """The rule a standalone block matches, if any."""
        kids = block.get("children") or []
        if any(k["type"] == "image" for k in kids):
            return None
        text = inline_text(kids).strip()
        if not text or len(text) > self.options["max_chars"] * 2:
            return None
        key = _key(text)
        short = len(key) <= self.options["max_chars"]
        if "separator_line" in self.rules and len(text) <= 12 and set(text) <= _SEPARATORS \
                and _plain_marks(kids):
            return "separator_line"
        if not short:
            return None
        if "swipe_hint" in self.rules and _SWIPE.match(key):
            return "swipe_hint"
        if "wechat_ui" in self.rules:
            if key in _WECHAT_UI or any(p in key for p in _WECHAT_UI_PART):
                return "wechat_ui"
            if key in _BUTTONS and _only_links(kids):
                return "wechat_ui"
        return None

    def _drop_promo_tail(self, tree: list[Token], ctx: StageContext) -> list[Token]:
        """Blocks after the last real paragraph, when they advertise (QR codes, follow us...)."""
        cut = len(tree)
        promo_seen = False
        for i in range(len(tree) - 1, -1, -1):
            tok = tree[i]
            text = inline_text(tok.get("children"), alt=True) if tok.get("type") in (
                "paragraph", "heading") else ""
            if tok.get("type") in ("paragraph", "heading", "thematic_break") and (
                    len(text) <= 60 or any(w in text for w in _PROMO_WORDS)):
                promo_seen |= any(w in text for w in _PROMO_WORDS)
                cut = i
                continue
            break
        if not promo_seen or cut == len(tree):
            return tree
        for tok in tree[cut:]:
            ctx.record("promo_tail", tok.get("line"), inline_text(tok.get("children"), alt=True), "")
        return tree[:cut]


_MARK_TOKENS = {"text", "strong", "emphasis", "softbreak", "linebreak"}


def _plain_marks(kids: list[Token]) -> bool:
    """Only text and emphasis: a code span (`` `=>` ``), an HTML tag (``<img>``), a
    link or a picture is content, whatever characters it shows."""
    stack = list(kids)
    while stack:
        tok = stack.pop()
        if tok.get("type") not in _MARK_TOKENS:
            return False
        stack.extend(tok.get("children") or ())
    return True


def _only_links(kids: list[Token]) -> bool:
    """A block made of links (and spaces): buttons, once their javascript: target is gone."""
    return any(k["type"] == "link" for k in kids) and all(
        k["type"] == "link" or (k["type"] == "text" and not k["raw"].strip()) for k in kids)
