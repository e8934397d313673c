"""The few words only the EPUB writer adds (navigation, accessibility summary), by language.

The words every format shares (picture labels, "Source:", the contents' title) are
``present.words``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..present import east_asian_script, words


@dataclass(frozen=True)
class Labels:
    contents: str
    cover: str
    landmarks: str
    title_page: str
    start: str
    summary: str  # accessibility summary
    summary_headings: str  # added when there are headings
    summary_remote: str  # added when pictures stayed online


_EN = dict(
    cover="Cover",
    landmarks="Landmarks",
    title_page="Title page",
    start="Start",
    summary="Text converted from a web article.",
    summary_headings=" Headings give it structure and a table of contents lists every heading.",
    summary_remote=" Pictures that were online in the original are not included; each is "
    "shown as a labelled link to its address.",
)
_BY_SCRIPT = {
    "hans": dict(
        cover="封面",
        landmarks="导航",
        title_page="标题页",
        start="正文",
        summary="由网页文章转换而成的文字内容。",
        summary_headings="以标题划分结构并提供导航，目录列出全部标题。",
        summary_remote="原文中的在线图片未收入本书，每张图片以带标签的链接指向其网址。",
    ),
    "hant": dict(
        cover="封面",
        landmarks="導覽",
        title_page="標題頁",
        start="正文",
        summary="由網頁文章轉換而成的文字內容。",
        summary_headings="以標題劃分結構並提供導覽，目錄列出全部標題。",
        summary_remote="原文中的線上圖片未收入本書，每張圖片以帶標籤的連結指向其網址。",
    ),
    "ja": dict(
        cover="表紙",
        landmarks="ランドマーク",
        title_page="タイトルページ",
        start="本文",
        summary="ウェブ記事から変換したテキストです。",
        summary_headings="見出しで構成され、目次からすべての見出しに移動できます。",
        summary_remote="元の記事のオンライン画像は含まれず、それぞれのアドレスへのリンクとして表示されます。",
    ),
    "ko": dict(
        cover="표지",
        landmarks="랜드마크",
        title_page="제목 페이지",
        start="본문",
        summary="웹 기사에서 변환한 텍스트입니다.",
        summary_headings=" 제목으로 구조화되어 있으며 목차에서 모든 제목으로 이동할 수 있습니다.",
        summary_remote=" 원문의 온라인 이미지는 포함되지 않았으며"
        " 각각 해당 주소로 연결되는 링크로 표시됩니다.",
    ),
}


def labels(lang: str) -> Labels:
    return Labels(contents=words(lang).contents, **_BY_SCRIPT.get(east_asian_script(lang) or "", _EN))
