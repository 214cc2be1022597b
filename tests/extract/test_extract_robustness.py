"""Robustness on real pages without ground truth (../shared/eval/extraction; skipped when absent).

news-unlabeled (59 rendered pages from people, xinhuanet, thepaper, sina, ifeng, 163, gov.cn ...) and
gbk-unlabeled (74 raw GB2312/GBK news.163.com pages): every page extracts without error, the text has
no U+FFFD that the page itself did not contain, no Latin-1/cp1252 mojibake, and none of the portal
furniture strings in the body.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from extract_testdata import ROOT, SHARED_EXTRACTION, shared_or_skip

from normalize.decoding import decode
from normalize.extract.page import extract_html

pytestmark = pytest.mark.shared
FLOORS = json.loads((ROOT / "bench" / "extraction_baseline.json").read_text("utf-8"))["robustness"]

# Two or more letters of U+00C0–U+00FF in a row: GB bytes read as Latin-1/cp1252 ("ÖÐ¹ú").
MOJIBAKE = re.compile(r"[\u00c0-\u00ff]{2,}")
FURNITURE = (
    "现在位置", "当前位置", "打印本页", "关闭窗口", "分享到", "相关链接", "相关新闻", "上一篇", "下一篇",
    "责任编辑", "点击数", "版权所有", "ICP备", "公网安备", "扫一扫",
)


def _pages(folder: str, pattern: str) -> list[Path]:
    root = SHARED_EXTRACTION / folder
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob(pattern) if p.is_file() and p.name != "MANIFEST.txt")


PAGES = [
    pytest.param(p, id=f"news-unlabeled/{p.parent.name}/{p.name}") for p in _pages("news-unlabeled", "*/*")
]
PAGES += [pytest.param(p, id=f"gbk-unlabeled/{p.name}") for p in _pages("gbk-unlabeled", "RawHtml/*.html")]


def test_datasets_are_complete() -> None:
    shared_or_skip("news-unlabeled")
    shared_or_skip("gbk-unlabeled")
    assert len(PAGES) == FLOORS["pages"], f"expected {FLOORS['pages']} pages, found {len(PAGES)}"


@pytest.mark.parametrize("path", PAGES)
def test_page_extracts_clean(path: Path) -> None:
    # every floor in the baseline is 0 per page: any error, U+FFFD, mojibake or furniture fails
    assert not any(FLOORS[k] for k in FLOORS if k.endswith("_max")), "robustness floors must stay 0"
    decoded = decode(path.read_bytes()).text
    ex = extract_html(decoded)
    assert ex.text.strip(), "empty body"
    assert ex.text.count("\ufffd") <= decoded.count("\ufffd"), "extraction introduced U+FFFD"
    assert "\ufffd" not in ex.text or "\ufffd" in decoded
    assert not MOJIBAKE.search(ex.text), f"Latin-1 mojibake in body: {MOJIBAKE.findall(ex.text)[:3]}"
    found = [s for s in FURNITURE if s in ex.text]
    assert not found, f"portal furniture left in the body: {found}"
