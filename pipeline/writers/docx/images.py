"""Pictures and image placeholders.

Local and embedded images (``attrs["asset"]``, PNG/JPEG/GIF) become inline
pictures, fitted to the text width (and to 85% of the text height) with their
aspect ratio kept; smaller images keep their own size. Their alt text is the
picture's description (``wp:docPr/@descr``). Remote images, images not read,
formats Word cannot show (WebP, SVG until the image step converts them) and the
pictures of raw HTML become a placeholder worded as every format words it
(``present.picture_text``): ``图片：alt（在线查看）`` linked to the image's URL (just
``图片（在线查看）`` when the alt text is empty or only says "picture"), ``图片缺失：alt``
for a picture that could not be read, ``图片：alt`` for one read in a format Word
cannot show; a thin box sets it off from the text.

Which paragraph is a figure and what its caption says is ``present`` too: a figure
is a ``Figure`` paragraph, centred, followed by its ``Caption`` paragraph.
"""
from __future__ import annotations

import io
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.shape import CT_Inline
from docx.shared import Emu

from ..present import alt_text, picture_text, remote_address, words
from .fields import hyperlink, relate
from .html import link_address
from .xml import E, Element, run, val

WORD_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif"})


class Images:
    def __init__(self, build: Any):
        self.build = build

    def embeddable(self, image: dict[str, Any]) -> bool:
        name = (image.get("attrs") or {}).get("asset")
        asset = self.build.doc.assets.get(name) if name else None
        return asset is not None and asset.media_type in WORD_IMAGE_TYPES

    def picture(self, part: Any, image: dict[str, Any], max_width: int) -> Element | None:
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

    def placeholder(self, part: Any, image: dict[str, Any], in_link: bool) -> list[Element]:
        """``[alt]``, linked to the image URL unless already inside a link."""
        attrs = image.get("attrs") or {}
        url = (attrs.get("url") or "") if attrs.get("remote") else None
        read = bool(attrs.get("remote") or attrs.get("asset"))
        return self._box(part, url, alt_text(image), read, in_link)

    def html_placeholder(self, part: Any, src: str, alt: str, in_link: bool) -> list[Element]:
        """A picture of raw HTML (``<img src alt>``): never in the document."""
        remote = remote_address(src)
        return self._box(part, link_address(src) if remote else None, alt.strip(), remote, in_link)

    def _box(self, part: Any, url: str | None, alt: str, read: bool, in_link: bool) -> list[Element]:
        lang = self.build.t.lang
        link = None if in_link or url is None else hyperlink(part, url, url)
        label, shown = picture_text(alt, lang, read=read)
        text = label + shown + (words(lang).online if link is not None else "")
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

