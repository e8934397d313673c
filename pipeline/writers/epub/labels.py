"""The few words the EPUB writer adds itself (navigation titles, image labels), by language."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Labels:
    contents: str
    landmarks: str
    title_page: str
    start: str
    image: str          # shown for a picture that is not in the book
    image_missing: str  # a local picture that could not be read
    colon: str          # between a label and the text it introduces
    online: str         # after a picture's label: where to see it
    summary: str        # accessibility summary
    summary_headings: str  # added when there are headings
    summary_remote: str  # added when pictures stayed online


_EN = Labels(
    contents="Contents", landmarks="Landmarks", title_page="Title page", start="Start",
    image="Image", image_missing="Image not available", colon=": ", online=" (view online)",
    summary="Text converted from a web article.",
    summary_headings=" Headings give it structure and a table of contents lists every heading.",
    summary_remote=" Pictures that were online in the original are not included; each is "
                   "shown as a labelled link to its address.")
_ZH_HANS = Labels(
    contents="目录", landmarks="导航", title_page="标题页", start="正文",
    image="图片", image_missing="图片缺失", colon="：", online="（在线查看）",
    summary="由网页文章转换而成的文字内容。",
    summary_headings="以标题划分结构并提供导航，目录列出全部标题。",
    summary_remote="原文中的在线图片未收入本书，每张图片以带标签的链接指向其网址。")
_ZH_HANT = Labels(
    contents="目錄", landmarks="導覽", title_page="標題頁", start="正文",
    image="圖片", image_missing="圖片缺失", colon="：", online="（線上查看）",
    summary="由網頁文章轉換而成的文字內容。",
    summary_headings="以標題劃分結構並提供導覽，目錄列出全部標題。",
    summary_remote="原文中的線上圖片未收入本書，每張圖片以帶標籤的連結指向其網址。")
_JA = Labels(
    contents="目次", landmarks="ランドマーク", title_page="タイトルページ", start="本文",
    image="画像", image_missing="画像なし", colon="：", online="（オンラインで表示）",
    summary="ウェブ記事から変換したテキストです。",
    summary_headings="見出しで構成され、目次からすべての見出しに移動できます。",
    summary_remote="元の記事のオンライン画像は含まれず、それぞれのアドレスへのリンクとして表示されます。")
_KO = Labels(
    contents="목차", landmarks="랜드마크", title_page="제목 페이지", start="본문",
    image="이미지", image_missing="이미지 없음", colon=": ", online=" (온라인에서 보기)",
    summary="웹 기사에서 변환한 텍스트입니다.",
    summary_headings=" 제목으로 구조화되어 있으며 목차에서 모든 제목으로 이동할 수 있습니다.",
    summary_remote=" 원문의 온라인 이미지는 포함되지 않았으며 각각 해당 주소로 연결되는 링크로 표시됩니다.")

#: alt texts that only say "a picture": no need to prefix them with the label
GENERIC_ALT = frozenset({"图片", "圖片", "图像", "圖像", "图", "圖", "照片", "img", "image",
                         "picture", "photo", "画像", "写真", "이미지", "사진"})


def labels(lang: str) -> Labels:
    parts = lang.lower().split("-")
    if parts[0] == "zh":
        return _ZH_HANT if any(p in ("tw", "hk", "mo", "hant") for p in parts[1:]) else _ZH_HANS
    if parts[0] == "ja":
        return _JA
    if parts[0] == "ko":
        return _KO
    return _EN
