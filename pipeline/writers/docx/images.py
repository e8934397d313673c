"""Pictures and image placeholders.

Local and embedded images (``attrs["asset"]``, PNG/JPEG/GIF) become inline
pictures, fitted to the text width (and to 85% of the text height) with their
aspect ratio kept; smaller images keep their own size. Their alt text is the
picture's description (``wp:docPr/@descr``). Remote images, images not read and
formats Word cannot show (WebP, SVG until the image step converts them) become a
placeholder worded as the EPUB writer words it: ``图片：alt（在线查看）`` linked to
the image's URL (just ``图片（在线查看）`` when the alt text is empty or only says
"picture"), ``图片缺失：alt`` for a picture that could not be read, ``图片：alt`` for
one read in a format Word cannot show; a thin box sets it off from the text.

A picture standing alone in its paragraph is a figure (style ``Figure``, centred);
its caption (style ``Caption``) is the image title, else (for a picture) its
alt text, unless that is a generic word ("图片", "image") or a file name.
"""
from __future__ import annotations

import io
import re
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.shape import CT_Inline
from docx.shared import Emu

from ..common import alt_text
from .fields import hyperlink, relate
from .styles import script_of
from .xml import E, Element, run, val

WORD_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif"})
# (label, label when unreadable, colon, "view online"), as the EPUB writer has them
LABELS = {
    "en": ("Image", "Image not available", ": ", " (view online)"),
    "hans": ("图片", "图片缺失", "：", "（在线查看）"),
    "hant": ("圖片", "圖片缺失", "：", "（線上查看）"),
    "ja": ("画像", "画像なし", "：", "（オンラインで表示）"),
    "ko": ("이미지", "이미지 없음", ": ", " (온라인에서 보기)"),
}
#: alt texts that only say "a picture": the label is not put in front of them
PICTURE_WORDS = frozenset({"图片", "圖片", "图像", "圖像", "图", "圖", "照片", "img", "image",
                           "picture", "photo", "画像", "写真", "이미지", "사진"})
GENERIC_ALT = {
    "图片", "图", "图像", "圖片", "插图", "截图", "配图", "封面", "图片描述", "在这里插入图片描述",
    "img", "image", "images", "picture", "pic", "photo", "screenshot", "figure", "icon", "logo",
    "banner", "cover", "untitled", "null", "undefined", "alt", "placeholder",
}
_FILENAME_ALT = re.compile(
    r"^(?:[\w .()-]*\.(?:png|jpe?g|gif|webp|svg|bmp|tiff?)|(?:image|img|pic|screenshot|截图|微信图片|屏幕截图)?"
    r"[\s_-]*\d[\d_\s-]{5,}|[0-9a-f]{16,})$", re.I)
_BREAKS = ("softbreak", "linebreak")


def labels(lang: str) -> tuple[str, str, str, str]:
    code = lang.split("-")[0].lower()
    if code == "zh":
        return LABELS["hant" if script_of(lang) == "hant" else "hans"]
    return LABELS.get(code, LABELS["en"])


def placeholder_text(image: dict, lang: str, linked: bool = True) -> str:
    """What stands for a picture that is not in the document."""
    label, missing, colon, online = labels(lang)
    attrs = image.get("attrs") or {}
    alt = alt_text(image)
    if not attrs.get("remote") and not attrs.get("asset"):  # not read
        return missing + colon + alt if alt else missing
    if not alt:
        text = label
    elif alt.casefold() in PICTURE_WORDS:
        text = alt
    else:
        text = label + colon + alt
    return text + online if linked else text


def is_generic_alt(alt: str) -> bool:
    s = alt.strip().lower()
    return not s or s in GENERIC_ALT or bool(_FILENAME_ALT.match(s))


def caption_text(image: dict, placeholder: bool = False) -> str | None:
    """The caption of a figure: its title, else (for a picture) its alt text, unless
    generic or a file name. A placeholder already shows its alt text."""
    attrs = image.get("attrs") or {}
    title = (attrs.get("title") or "").strip()
    if title and not is_generic_alt(title):
        return title
    if placeholder:
        return None
    alt = alt_text(image)
    return None if is_generic_alt(alt) else alt


def figure_images(children: list[dict] | None) -> list[tuple[dict, dict | None]] | None:
    """The images of a paragraph made of images only (each maybe inside a link)."""
    found: list[tuple[dict, dict | None]] = []
    for tok in children or []:
        t = tok.get("type")
        if t == "image":
            found.append((tok, None))
        elif t == "link" and _only_image(tok.get("children")):
            found.append((next(c for c in tok["children"] if c.get("type") == "image"), tok))
        elif t in _BREAKS or (t == "text" and not (tok.get("raw") or "").strip()):
            continue
        else:
            return None
    return found or None


def _only_image(children: list[dict] | None) -> bool:
    images = [c for c in children or [] if c.get("type") == "image"]
    rest = [c for c in children or [] if c.get("type") != "image"
            and not (c.get("type") == "text" and not (c.get("raw") or "").strip())]
    return len(images) == 1 and not rest


class Images:
    def __init__(self, build: Any):
        self.build = build

    def embeddable(self, image: dict) -> bool:
        name = (image.get("attrs") or {}).get("asset")
        asset = self.build.doc.assets.get(name) if name else None
        return asset is not None and asset.media_type in WORD_IMAGE_TYPES

    def picture(self, part: Any, image: dict, max_width: int) -> Element | None:
        """A run holding the picture, or None when it cannot be embedded."""
        if not self.embeddable(image):
            return None
        asset = self.build.doc.assets[image["attrs"]["asset"]]
        package = part.package
        try:
            image_part = package.get_or_add_image_part(io.BytesIO(asset.data))
        except Exception:  # python-docx cannot parse it: the placeholder stands in
            return None
        rid = relate(part, image_part, RT.IMAGE)
        img = image_part.image
        cx, cy = fit(int(img.width), int(img.height), max_width, int(self.build.text_height * 0.85))
        ident = self.build.next_id("drawing")
        inline = CT_Inline.new_pic_inline(ident, rid, asset.name, Emu(cx), Emu(cy))
        doc_pr = inline.docPr
        doc_pr.set("name", f"Picture {ident}")
        alt = alt_text(image)
        if alt:
            doc_pr.set("descr", alt)
        title = (image.get("attrs") or {}).get("title")
        if title:
            doc_pr.set("title", title)
        return E("w:r", None, E("w:drawing", None, inline))

    def placeholder(self, part: Any, image: dict, in_link: bool) -> list[Element]:
        """``[alt]``, linked to the image URL unless already inside a link."""
        attrs = image.get("attrs") or {}
        url = attrs.get("url") or ""
        link = None if in_link or not attrs.get("remote") else hyperlink(part, url, url)
        text = placeholder_text(image, self.build.t.lang, linked=link is not None)
        box = E("w:bdr", {"w:val": "single", "w:sz": 4, "w:space": 0, "w:color": "A6A6A6"})
        if link is None:
            return [run(text, E("w:rPr", None, val("w:color", "595959"), box))]
        sid = self.build.sid("Hyperlink")
        link.append(run(text, E("w:rPr", None, val("w:rStyle", sid) if sid else None, box)))
        return [link]


def fit(cx: int, cy: int, max_cx: int, max_cy: int) -> tuple[int, int]:
    """Scale (cx, cy) down to fit in (max_cx, max_cy), keeping the aspect ratio."""
    if cx <= 0 or cy <= 0:
        return max(cx, 1), max(cy, 1)
    scale = min(1.0, max_cx / cx, max_cy / cy)
    return max(1, int(cx * scale)), max(1, int(cy * scale))

