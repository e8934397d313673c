"""Pictures, and what print shows for pictures that are not in the document.

Local and embedded images (``attrs["asset"]``, PNG/JPEG/GIF) become inline
pictures, fitted to the text width (and to 85% of the text height) with their
aspect ratio kept; smaller images keep their own size. Their alt text is the
picture's description (``wp:docPr/@descr``).

Remote images, images not read, formats Word cannot show (WebP, SVG until the image
step converts them) and the pictures of raw HTML are not in the document. A link
means nothing on paper, so a figure's picture becomes a ``Picture Frame`` paragraph
(a thin box, a style) with its label and description (``present.printed_picture``:
``图片：alt``, ``图片缺失：alt`` for one that could not be read) and its address in a
footnote (``Picture Source``); a decorative picture (nothing said about it) is a
frame with the label only, or left out with ``decorative_pictures="omit"``. A picture
in a line of text is a ``Picture Label`` box with the same note.

Which paragraph is a figure and what its caption says is ``present`` too: a figure
is a ``Figure`` paragraph, centred, followed by its ``Caption`` paragraph.
"""

from __future__ import annotations

import io
from typing import Any

from ..present import alt_text, break_opportunities, picture_text, printed_picture, remote_address
from .fields import link_target, relate
from .html import link_address
from .ooxml import NS, RT, parse_xml, qn
from .xml import E, Element, run, val

WORD_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif"})


class Images:
    def __init__(self, build: Any, omit_decorative: bool = False):
        self.build = build
        self.omit_decorative = omit_decorative

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
            image_part = package.get_or_add_image_part(
                io.BytesIO(asset.data) if hasattr(package, "image_parts") else asset.data
            )
        except Exception:  # python-docx cannot parse it: the placeholder stands in
            return None
        rid = relate(part, image_part, RT.IMAGE)
        img = image_part.image
        cx, cy = fit(int(img.width), int(img.height), max_width, int(self.build.text_height * 0.85))
        ident = self.build.next_id("drawing")
        inline = pic_inline(ident, rid, asset.name, cx, cy)
        doc_pr = inline.find(qn("wp:docPr"))
        doc_pr.set("name", f"Picture {ident}")
        alt = alt_text(image)
        if alt:
            doc_pr.set("descr", alt)
        title = (image.get("attrs") or {}).get("title")
        if title:
            doc_pr.set("title", title)
        return E("w:r", None, E("w:drawing", None, inline))

    def address(self, image: dict[str, Any]) -> str | None:
        """Where a picture that is not in the document can be seen: its http(s) address."""
        attrs = image.get("attrs") or {}
        return (attrs.get("url") or None) if attrs.get("remote") else None

    def decorative(self, image: dict[str, Any]) -> bool:
        """A picture not in the document, nothing said about it, to leave out
        (``decorative_pictures="omit"``)."""
        read = bool((image.get("attrs") or {}).get("remote") or (image.get("attrs") or {}).get("asset"))
        return self.omit_decorative and printed_picture(image, self.build.t.lang, read=read) is None

    def frame(self, part: Any, image: dict[str, Any]) -> tuple[str, list[Element]]:
        """A figure's picture that is not in the document, for print: the text of its
        ``Picture Frame`` paragraph (label and description) and the mark of a note
        giving its address."""
        attrs = image.get("attrs") or {}
        read = bool(attrs.get("remote") or attrs.get("asset"))
        shown = printed_picture(image, self.build.t.lang, read=read)
        label, text = shown if shown is not None else picture_text("", self.build.t.lang, read=read)
        return label + text, self._note(part, self.address(image))

    def placeholder(self, part: Any, image: dict[str, Any], in_link: bool) -> list[Element]:
        """A picture in a line of text that is not in the document: its label (a
        ``Picture Label`` box) and the mark of a note giving its address, unless a link
        around it leads somewhere already."""
        attrs = image.get("attrs") or {}
        read = bool(attrs.get("remote") or attrs.get("asset"))
        return self._box(part, None if in_link else self.address(image), alt_text(image), read, in_link)

    def html_placeholder(self, part: Any, src: str, alt: str, in_link: bool) -> list[Element]:
        """A picture of raw HTML (``<img src alt>``): never in the document."""
        remote = remote_address(src)
        url = link_address(src) if remote and not in_link else None
        return self._box(part, url, alt.strip(), remote, in_link)

    def _box(self, part: Any, url: str | None, alt: str, read: bool, in_link: bool) -> list[Element]:
        label, shown = picture_text(alt, self.build.t.lang, read=read)
        sid = self.build.sid("Picture Label")
        if in_link or not sid:  # inside a link the run takes the link's look: a box of its own
            box = E("w:bdr", {"w:val": "single", "w:sz": 4, "w:space": 0, "w:color": "A6A6A6"})
            return [run(label + shown, E("w:rPr", None, val("w:color", "595959"), box))]
        return [run(label + shown, E("w:rPr", None, val("w:rStyle", sid))), *self._note(part, url)]

    def _note(self, part: Any, url: str | None) -> list[Element]:
        if not url or self.build.notes is None or link_target(url) is None:
            return []
        marks: list[Element] = self.build.notes.address(url, break_opportunities(url))
        return marks


def _decls(*prefixes: str) -> str:
    return " ".join(f'xmlns:{p}="{NS[p]}"' for p in prefixes)


_INLINE = (
    f"<wp:inline {_decls('wp', 'a', 'pic', 'r')}>"
    '<wp:extent/><wp:docPr/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/>'
    "</wp:cNvGraphicFramePr><a:graphic>"
    '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    f"<pic:pic {_decls('pic', 'a', 'r')}>"
    '<pic:nvPicPr><pic:cNvPr id="0"/><pic:cNvPicPr/></pic:nvPicPr>'
    "<pic:blipFill><a:blip/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>"
    '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr>'
    "</pic:pic></a:graphicData></a:graphic></wp:inline>"
)


def pic_inline(ident: int, rid: str, filename: str, cx: int, cy: int) -> Element:
    """A ``wp:inline`` holding a ``pic:pic``: python-docx's ``CT_Inline.new_pic_inline``."""
    inline = parse_xml(_INLINE)
    extent = inline[0]
    extent.set("cx", str(cx))
    extent.set("cy", str(cy))
    doc_pr = inline[1]
    doc_pr.set("id", str(ident))
    doc_pr.set("name", "unnamed")
    pic = inline[3][0][0]
    pic[0][0].set("name", filename)
    pic[1][0].set(qn("r:embed"), rid)
    ext = pic[2][0][1]
    ext.set("cx", str(cx))
    ext.set("cy", str(cy))
    return inline


def fit(cx: int, cy: int, max_cx: int, max_cy: int) -> tuple[int, int]:
    """Scale (cx, cy) down to fit in (max_cx, max_cy), keeping the aspect ratio."""
    if cx <= 0 or cy <= 0:
        return max(cx, 1), max(cy, 1)
    scale = min(1.0, max_cx / cx, max_cy / cy)
    return max(1, int(cx * scale)), max(1, int(cy * scale))
