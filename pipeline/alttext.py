"""What a picture's alt text says: only "a picture", nothing at all, or a description.

Scraped pages fill alt texts with words that describe nothing: WeChat's "图片", a
CMS's "image", an editor's "在这里插入图片描述", a file name ("IMG_2041.png",
"微信图片_20230101120000"). One list for the whole pipeline: the ``images`` stage
empties the alt texts that only say "picture" (the picture is then decorative),
and the writers neither caption a picture with an alt text that says nothing nor
put a label such as "Image:" in front of one that only says "picture".
"""

from __future__ import annotations

import re

#: alt texts that only say "a picture", in the languages of the articles
PICTURE_WORDS = frozenset(
    {
        "图片",
        "圖片",
        "图像",
        "圖像",
        "图",
        "圖",
        "照片",
        "配图",
        "插图",
        "img",
        "image",
        "picture",
        "photo",
        "画像",
        "写真",
        "이미지",
        "사진",
    }
)
#: alt texts that say nothing a caption could say: the picture words, and what
#: editors and page builders put where nobody wrote a description
GENERIC_ALT = PICTURE_WORDS | frozenset(
    {
        "截图",
        "封面",
        "图片描述",
        "在这里插入图片描述",
        "images",
        "pic",
        "screenshot",
        "figure",
        "icon",
        "logo",
        "banner",
        "cover",
        "untitled",
        "null",
        "undefined",
        "alt",
        "placeholder",
    }
)
#: a file name, a camera or screenshot number, or a hash
FILE_NAME_ALT = re.compile(
    r"^(?:[\w .()-]*\.(?:png|jpe?g|gif|webp|svg|bmp|tiff?)"
    r"|(?:image|img|pic|screenshot|截图|微信图片|屏幕截图)?"
    r"[\s_-]*\d[\d_\s-]{5,}|[0-9a-f]{16,})$",
    re.I,
)


def only_says_picture(alt: str) -> bool:
    """Does ``alt`` say nothing but "a picture" ("图片", "Image")?"""
    return alt.strip().casefold() in PICTURE_WORDS


def says_nothing(alt: str) -> bool:
    """Is ``alt`` empty, generic ("图片", "logo", "untitled") or a file name?"""
    s = alt.strip().lower()
    return not s or s in GENERIC_ALT or bool(FILE_NAME_ALT.match(s))
