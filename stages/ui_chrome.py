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
short blocks only, never words inside a sentence: WeChat's button words (取消,
分享, 阅读) go only in a run of blocks that holds one of its dialog phrases
(看一看入口已关闭). A site's own notices (Substack's subscribe line, Qiita's age
warning) go as well. The end-of-article promotion block (QR codes, "follow us",
"read the original"), related-article lists and donation nags go only with
``promo = true``.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.document import Document
from pipeline.options import Option
from pipeline.stage import Stage, StageContext
from pipeline.tree import block_text, filter_blocks, inline_text, iter_inline_lists, trim_inline
from pipeline.urls import script_link as _script_target

Token = dict[str, Any]

RULES = (
    "swipe_hint",
    "wechat_ui",
    "separator_line",
    "javascript_link",
    "empty_link",
    "icon_remnant",
    "site_notice",
    "promo_tail",
    "promo_block",
)
#: rules that are a judgement: they run only with ``promo = true``
PROMO_RULES = ("promo_tail", "promo_block")

_SWIPE = re.compile(
    r"^(?:(?:向?[左右上下]|左右|上下)滑(?:动)?(?:查看|看)?(?:更多|全部|下一[个张篇页])?(?:\w{0,4})"
    r"|(?:继续)?滑动(?:查看|看)(?:更多|下一[个张篇页]|全部)?"
    r"|(?:swipe|scroll)\s+(?:left|right|up|down)(?:\s+(?:for|to\s+see)\s+more)?)$",
    re.I,
)
_WECHAT_UI = {
    "预览时标签不可点",
    "微信扫一扫关注该公众号",
    "微信扫一扫使用小程序",
    "微信扫一扫赞赏作者",
    "微信扫一扫可打开此内容使用完整服务",
    "继续滑动看下一个",
    "向上滑动看下一个",
    "轻点两下取消赞",
    "轻点两下取消在看",
    "AI目录",
    "分享留言收藏",
    "视频小程序赞",
    "已关注",
    "关注该公众号",
    "发表于",
    "微信扫一扫",
    "使用小程序",
}
_WECHAT_UI_PART = ("轻点两下取消赞", "轻点两下取消在看", "微信扫一扫关注该公众号")
# WeChat's dialogs and reader chrome as clipped: phrases the app shows and no author writes
_WECHAT_DIALOG = {
    "看一看入口已关闭",
    "在设置通用发现页管理打开看一看入口",
    "前往发现看一看浏览朋友在看",
    "前往看一看",
    "已同步到看一看写下你的想法",
    "已同步到看一看",
    "发送到看一看",
    "发布到看一看",
    "喜欢此内容的人还喜欢",
    "长按识别前往小程序",
    "可打开此内容使用完整服务",
    "微信扫一扫可打开此内容使用完整服务",
    "在小说阅读器中沉浸阅读",
    "×分析",
    "收录于话题#",
    "收录于合集#",
    "以上推荐为优质及原创文章",
    "微信版本过低",
    "当前内容可能存在未经审核的第三方商业营销信息请确认是否继续访问",
}
_WECHAT_COUNTER = re.compile(r"^最多\d+字当前共字$")
# the app's button words: debris when a block holds nothing else (two or more of them, or one
# next to a dialog phrase above), the author's words anywhere else
_WECHAT_WORDS = {
    "视频",
    "小程序",
    "赞",
    "在看",
    "分享",
    "留言",
    "收藏",
    "听过",
    "阅读",
    "写留言",
    "上一篇",
    "下一篇",
    "轻点两下取消赞",
    "轻点两下取消在看",
    "分析",
    "×",
    "个",
    "发送",
    "发送中",
    "已发送",
    "取消",
    "我知道了",
    "知道了",
    "写下你的想法",
    "写下你的留言",
    "确定",
    "允许",
    "不喜欢",
    "不看的原因",
    "更多文章",
    "查看更多相关内容",
    "正在加载",
    "相关阅读",
}
_WORD_SPLIT = re.compile(r"[\s：:，,。.、]+")
# an icon font's glyph that an exporter wrote as underscores: "取消 __", "__发消息"
_ICON_TAIL = re.compile(r"\s+_{2,}$")
_CJK_LABEL = re.compile(r"[\u3400-\u9fff\uff00-\uffef]\S*$")  # the label the icon sat by: 取消, 确认？
_ICON_HEAD = re.compile(r"^_{2,}(?=[\u3400-\u9fff\uff00-\uffef])")
# an exporter's row of icons, "__ _ _ _ _", that a reader shows as a rule
_ICON_ROW = re.compile(r"^ {0,3}_{2,}(?:[ \t]+_+){2,}[ \t]*$")
# the site's own notices, the same words on every page of the site
_SITE_NOTICE = (
    re.compile(
        r"^.{1,160}? is a reader-supported publication\. To receive new posts and support my work, "
        r"consider becoming a free or paid subscriber\.?$",
        re.S,
    ),
    re.compile(r"^この記事は最終更新日から\d+(?:年|か月|ヶ月|ヵ月)以上が?経過しています。?$"),
)
_SUBSCRIBE_BUTTON = {"Subscribe", "Subscribe now", "✓ Subscribed", "Subscribed"}
# judgement (``promo``): a list of other articles under a heading of the site's, and
# donation or subscription nags
_RELATED = re.compile(
    r"^(?:関連記事|新着記事|おすすめ記事|人気記事"
    r"|相关推荐|相关阅读|推荐阅读|相关文章|往期推荐"
    r"|Related (?:posts|articles|stories|reading)|You (?:may|might) also like|Read next"
    r"|More from .{1,60})[:：]?$",
    re.I,
)
_MORE_LINK = re.compile(
    r"^(?:記事をもっと見る|もっと見る|次のページ|前のページ"
    r"|查看更多|加载更多|展开阅读全文"
    r"|Load more|See more|Next page|Show more)$",
    re.I,
)
_NAG = (
    re.compile(r"^You['’]ve read \d+ (?:free )?articles?\b.{0,200}$", re.I | re.S),
    re.compile(r"^Yes, I['’]ll give \$\d[\d,.]*(?:/| per | a )(?:year|month)\b.{0,80}$", re.I | re.S),
    re.compile(
        r"^(?:Subscribe|Sign up) (?:now |today )?(?:to|for) (?:get|receive|our|my|the) .{0,100}"
        r"(?:newsletter|inbox|posts|updates)\b.{0,40}$",
        re.I | re.S,
    ),
)
_BUTTONS = {"知道了", "取消", "允许", "确定", "关闭", "取消允许"}
_SEPARATORS = set("·•●○◆◇■□▪▫◦‧∙・—―*_~>|/\\ ")
_PROMO_WORDS = (
    "扫码",
    "二维码",
    "关注我们",
    "关注公众号",
    "点击上方",
    "点击蓝字",
    "阅读原文",
    "设为星标",
    "星标",
    "点赞",
    "在看",
    "分享",
    "转发",
    "推荐阅读",
    "往期回顾",
    "往期推荐",
    "长按识别",
    "长按二维码",
    "公众号",
    "投稿",
    "商务合作",
    "联系我们",
    "加入我们",
    "知识星球",
)


def _key(text: str) -> str:
    """Text without whitespace and the arrows and marks that decorate UI hints."""
    return re.sub(r"[\s←→↑↓⬅➡<>（）()\[\]【】\-—–·•:：,，。.!！~_*“”\"]+", "", text)


def _wechat_words(text: str) -> list[str] | None:
    """The block's words when every one is a button word of WeChat's, else None."""
    words = [w for w in _WORD_SPLIT.split(text.replace("_", " ")) if w]
    return words if words and all(w in _WECHAT_WORDS for w in words) else None


class UiChrome(Stage):
    """Remove page UI text: swipe hints, WeChat UI and dialogs, icon remnants, site notices, separators."""

    name = "ui_chrome"
    priority = 300
    scope = "tree"
    removes = frozenset(
        {
            "swipe_hint",
            "wechat_ui",
            "separator_line",
            "empty_link",
            "promo_tail",
            "javascript_link",
            "icon_remnant",
            "site_notice",
            "promo_block",
        }
    )
    defaults = {"rules_off": Option([], "strings", choices=RULES), "promo": False, "max_chars": 30}

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.rules = set(RULES) - set(self.options["rules_off"])
        if not self.options["promo"]:
            self.rules -= set(PROMO_RULES)

    def run(self, doc: Document, ctx: StageContext) -> None:
        tree = doc.tree or []
        if "icon_remnant" in self.rules:
            # (a token's line is the source file's: the body starts at doc.body_line)
            self._strip_icons(tree, [""] * (doc.body_line - 1) + doc.text.split("\n"), ctx)
            tree = [t for t in tree if not t.get("icon_row")]
        if "wechat_ui" in self.rules:
            tree = self._drop_dialogs(tree, ctx, _key(doc.meta.title or ""))
        if "site_notice" in self.rules or "promo_block" in self.rules:
            tree = self._drop_notices(tree, ctx)
        # Blocks first: a paragraph of javascript: buttons ("[知道了](javascript:;)") is
        # recognized while its links are still links.
        tree = filter_blocks(tree, lambda tok, line, parents: self._keep(tok, line, parents, ctx))
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
                tree = filter_blocks(
                    tree,
                    lambda tok, line, _parents: (
                        tok.get("type") not in ("paragraph", "block_text") or bool(tok.get("children"))
                    ),
                )
            if fixed_any:  # what is left ("—" beside an empty link) is read as a block again
                tree = filter_blocks(tree, lambda tok, line, parents: self._keep(tok, line, parents, ctx))
                if "icon_remnant" in self.rules:
                    # and an icon's underscores now next to the text ("__[安](javascript:)")
                    self._strip_icons(tree, [""] * (doc.body_line - 1) + doc.text.split("\n"), ctx)
                    tree = [t for t in tree if not t.get("icon_row")]
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

    # -- icons, dialogs, notices --------------------------------------------------------
    def _strip_icons(self, tree: list[Token], lines: list[str], ctx: StageContext) -> None:
        """Underscores an exporter wrote for an icon: around a short UI block, or a row of
        them that reads as a rule (marked ``icon_row`` for the caller to drop)."""
        for tok in tree:
            line = tok.get("line")
            if tok.get("type") == "thematic_break":
                src = lines[line - 1] if line and 0 < line <= len(lines) else ""
                if _ICON_ROW.match(src):
                    ctx.record("icon_remnant", line, src.strip(), "")
                    tok["icon_row"] = True
                continue
            if tok.get("type") not in ("paragraph", "heading"):
                continue
            kids = tok.get("children") or []
            if not kids or len(_key(inline_text(kids))) > self.options["max_chars"]:
                continue
            first, last = _edge(kids, 0), _edge(kids, -1)
            if (
                last.get("type") == "text"
                and _ICON_TAIL.search(last["raw"])
                and _CJK_LABEL.search(_ICON_TAIL.sub("", last["raw"]))
            ):
                before = last["raw"]
                last["raw"] = _ICON_TAIL.sub("", before)
                ctx.record("icon_remnant", line, before, last["raw"])
            if first.get("type") == "text" and _ICON_HEAD.match(first["raw"]):
                before = first["raw"]
                first["raw"] = _ICON_HEAD.sub("", before)
                ctx.record("icon_remnant", line, before, first["raw"])

    def _dialog_kind(self, tok: Token, title: str) -> str | None:
        """ "anchor" for a phrase of WeChat's dialogs, "word" for a block of its button
        words (debris next to an anchor), None for anything else."""
        t = tok.get("type")
        kids = tok.get("children") or []
        if (
            t == "paragraph"
            and kids
            and all(k["type"] == "image" or (k["type"] == "text" and not k["raw"].strip()) for k in kids)
        ):
            imgs = [k for k in kids if k["type"] == "image"]
            urls = [(k.get("attrs") or {}).get("url", "") for k in imgs]
            alts = [inline_text(k.get("children")) for k in imgs]
            if all("res.wx.qq.com/mmbizwap/" in u for u in urls) or alts == ["作者头像"]:
                return "anchor"  # the app's own icons, the author's avatar in its footer
            return None
        if t not in ("paragraph", "heading"):
            return None
        text = inline_text(kids, alt=True).strip()
        if not text or len(text) > self.options["max_chars"] * 4:
            return None
        key = _key(text)
        if key in _WECHAT_DIALOG or _WECHAT_COUNTER.match(key):
            return "anchor"
        if title and key == title and t == "paragraph":
            return "word"  # the "send to" dialog names the article
        if t == "paragraph":
            words = _wechat_words(text)
            if words and (len(words) >= 2 or any(len(w) >= 4 for w in words)):
                return "anchor"
            if words or not text.strip("_ "):
                return "word"
        return None

    def _drop_dialogs(self, tree: list[Token], ctx: StageContext, title: str) -> list[Token]:
        """WeChat's closing dialogs: runs of blocks made of its phrases and button words.
        A lone "取消" or "分享" is the author's; one in a run with a dialog phrase is not."""
        kinds = [self._dialog_kind(tok, title) for tok in tree]
        drop = [False] * len(tree)
        i = 0
        while i < len(tree):
            if kinds[i] is None:
                i += 1
                continue
            j = i
            while j < len(tree) and kinds[j] is not None:
                j += 1
            if any(kinds[k] == "anchor" for k in range(i, j)):
                for k in range(i, j):
                    drop[k] = True
            i = j
        if not any(drop):
            return tree
        out = []
        for tok, gone in zip(tree, drop, strict=False):
            if gone:
                ctx.record("wechat_ui", tok.get("line"), inline_text(tok.get("children"), alt=True), "")
            else:
                out.append(tok)
        return out

    def _drop_notices(self, tree: list[Token], ctx: StageContext) -> list[Token]:
        """The site's notices (Substack's subscribe line, Qiita's age warning); with
        ``promo``, related-article blocks and donation nags."""
        out: list[Token] = []
        i = 0
        while i < len(tree):
            tok = tree[i]
            t = tok.get("type")
            text = inline_text(tok.get("children"), alt=True).strip() if t in ("paragraph", "heading") else ""
            rule = None
            if text and "site_notice" in self.rules and any(p.match(text) for p in _SITE_NOTICE):
                rule = "site_notice"
            elif (
                text
                and "promo_block" in self.rules
                and t == "paragraph"
                and (any(p.match(text) for p in _NAG) or _MORE_LINK.match(text))
            ):
                rule = "promo_block"
            if rule:
                ctx.record(rule, tok.get("line"), text, "")
                i += 1
                nxt = tree[i] if i < len(tree) else None
                if (
                    rule == "site_notice"
                    and nxt
                    and nxt.get("type") == "paragraph"
                    and inline_text(nxt.get("children"), alt=True).strip(" []") in _SUBSCRIBE_BUTTON
                ):
                    ctx.record(rule, nxt.get("line"), inline_text(nxt.get("children"), alt=True), "")
                    i += 1
                continue
            if (
                text
                and "promo_block" in self.rules
                and len(text) <= 80
                and _RELATED.match(text)
                and i + 1 < len(tree)
                and _link_list(tree[i + 1])
            ):
                ctx.record("promo_block", tok.get("line"), text, "")
                ctx.record("promo_block", tree[i + 1].get("line"), block_text([tree[i + 1]]), "")
                i += 2
                continue
            out.append(tok)
            i += 1
        return out

    # -- blocks ---------------------------------------------------------------------
    def _keep(self, tok: Token, line: int | None, parents: tuple[str, ...], ctx: StageContext) -> bool:
        t = tok.get("type")
        if (
            t == "list"
            and not (tok.get("attrs") or {}).get("ordered")
            and len(tok.get("children") or []) == 1
        ):
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
        if t == "heading":
            # the app's words as a heading are its words still (and heading_subtitles
            # may make the heading a paragraph, which the next cleaning would drop)
            rule = self.match(tok)
            if rule in ("wechat_ui", "swipe_hint"):
                ctx.record(rule, line, inline_text(tok.get("children"), alt=True), "")
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
        if (
            "separator_line" in self.rules
            and len(text) <= 12
            and set(text) <= _SEPARATORS
            and _plain_marks(kids)
        ):
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
            text = (
                inline_text(tok.get("children"), alt=True)
                if tok.get("type") in ("paragraph", "heading")
                else ""
            )
            if tok.get("type") in ("paragraph", "heading", "thematic_break") and (
                len(text) <= 60 or any(w in text for w in _PROMO_WORDS)
            ):
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
_STYLING_TAG = re.compile(
    r"</?(?:font|center)\b[^<>]*>$"
    r"|</?span(?:\s+(?:style|class)=(?:\"[^\"]*\"|'[^']*'))*\s*>$",
    re.I,
)


def _plain_marks(kids: list[Token]) -> bool:
    """Only text and emphasis: a code span (`` `=>` ``), an HTML tag (``<img>``), a
    link or a picture is content, whatever characters it shows."""
    stack = list(kids)
    while stack:
        tok = stack.pop()
        if tok.get("type") == "inline_html" and _STYLING_TAG.match(tok.get("raw", "")):
            continue  # a bare styling wrapper (html_styling drops it): no content
        if tok.get("type") not in _MARK_TOKENS:
            return False
        stack.extend(tok.get("children") or ())
    return True


def _link_list(tok: Token) -> bool:
    """A list whose every item is a link (with a date or a note beside it at most)."""
    if tok.get("type") != "list" or not tok.get("children"):
        return False
    for item in tok["children"]:
        kids = item.get("children") or []
        if len(kids) != 1 or kids[0].get("type") not in ("paragraph", "block_text"):
            return False
        inline = kids[0].get("children") or []
        links = [k for k in inline if k["type"] == "link"]
        if not links or len(inline_text(inline)) > 2 * len(inline_text(links)) + 20:
            return False
    return True


def _only_links(kids: list[Token]) -> bool:
    """A block made of links (and spaces): buttons, once their javascript: target is gone."""
    return any(k["type"] == "link" for k in kids) and all(
        k["type"] == "link" or (k["type"] == "text" and not k["raw"].strip()) for k in kids
    )


def _edge(kids: list[Token], end: int) -> Token:
    """The inline token at the start (``end`` 0) or end (-1) of ``kids``, inside the
    emphasis around it: ``## **__示**`` is the icon's underscores once a later stage
    unwraps the bold."""
    tok = kids[end]
    while tok.get("type") in ("emphasis", "strong") and tok.get("children"):
        tok = tok["children"][end]
    return tok
