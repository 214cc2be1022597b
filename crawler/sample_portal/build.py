"""Render the sample portal (``articles/*.toml`` + the templates below) into a static site.

    python -m crawler.sample_portal.build            # rewrites crawler/sample_portal/site/
    python -m crawler.sample_portal.build --out DIR --copies 3000   # a large copy (benchmark)

The output is deterministic (no clocks, sorted manifest), so the committed ``site/`` can be checked
against a fresh build. ``site/_headers.json`` holds each page's HTTP headers (the server sends them as
written), which is how a page gets a charset header that contradicts its meta tag, or none at all.

Page kinds: home ``/index.html``; column list pages ``/xwzx/zwyw/index.html`` (政务要闻, 下一页 links)
and ``/xwzx/gzdt/index.html`` (工作动态, pagination only through a ``createPageHTML(...)`` script call),
``index_1.html``...; e-paper node ``/szb/html/2020-02/18/node_7.htm``; Big5 mirror list
``/big5/index.html``; article pages in three templates (table, div, e-paper) and their Big5 variant.
Everything a portal wraps around an article is there: navigation, breadcrumbs, related links, share and
扫一扫 blocks, 【打印本页】【关闭窗口】, copyright, ICP and 公网安备 footers.
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from crawler.sample_portal.articles import Item, Page, load_articles

SITE_DIR = Path(__file__).resolve().parent / "site"
SITE_NAME = "示例市人民政府"
ROBOTS_TXT = "User-agent: *\nCrawl-delay: 0.5\nDisallow: /search/\n"


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    name: str
    path: str  # directory of the list pages
    page_size: int
    pager: str  # "links" (下一页 anchors) or "script" (createPageHTML only)


COLUMNS = (
    Column("zwyw", "政务要闻", "/xwzx/zwyw/", 3, "links"),
    Column("gzdt", "工作动态", "/xwzx/gzdt/", 2, "script"),
)
EPAPER_NODE = "/szb/html/2020-02/18/node_7.htm"
BIG5_INDEX = "/big5/index.html"

# Labels of the page furniture, simplified and (for the Big5 mirror) traditional.
LABELS = {
    "simplified": {"home": "首页", "here": "现在位置", "source": "来源", "author": "作者",
                   "editor": "责任编辑", "time": "发布时间", "related": "相关链接", "share": "分享到",
                   "scan": "扫一扫在手机打开当前页", "print": "【打印本页】", "close": "【关闭窗口】",
                   "site": SITE_NAME, "host": "主办：示例市人民政府办公室",
                   "icp": "示ICP备05001234号", "psb": "示公网安备 41170202000005号",
                   "friends": "友情链接", "govcn": "中国政府网", "about": "关于我们", "sitemap": "网站地图",
                   "sitesearch": "站内搜索", "rights": "版权所有", "sitecode": "网站标识码", "search": "搜索",
                   "qzone": "QQ空间", "epaper": "数字报", "zwyw": "政务要闻", "gzdt": "工作动态"},
    "traditional": {"home": "首頁", "here": "現在位置", "source": "來源", "author": "作者",
                    "editor": "責任編輯", "time": "發佈時間", "related": "相關鏈接", "share": "分享到",
                    "scan": "掃一掃在手機打開當前頁", "print": "【打印本頁】", "close": "【關閉窗口】",
                    "site": "示例市人民政府", "host": "主辦：示例市人民政府辦公室",
                    "icp": "示ICP備05001234號", "psb": "示公網安備 41170202000005號",
                    "friends": "友情鏈接", "govcn": "中國政府網", "about": "關於我們", "sitemap": "網站地圖",
                    "sitesearch": "站內搜索", "rights": "版權所有", "sitecode": "網站標識碼",
                    "search": "搜索", "qzone": "QQ空間", "epaper": "數字報", "zwyw": "政務要聞",
                    "gzdt": "工作動態"},
}


def http_date(day: date | str) -> str:
    """A Last-Modified value: midnight of ``day`` in China, as an HTTP date.

    >>> http_date("2020-02-20")
    'Wed, 19 Feb 2020 16:00:00 GMT'
    """
    day = date.fromisoformat(day[:10]) if isinstance(day, str) else day
    moment = datetime(day.year, day.month, day.day, tzinfo=timezone(timedelta(hours=8))).astimezone(UTC)
    return format_datetime(moment, usegmt=True)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def meta_charset(encoding: str) -> str:
    """The charset a page declares in its meta tag (GBK pages say gb2312, as many portals do)."""
    return {"gbk": "gb2312", "utf-8-sig": "utf-8"}.get(encoding, encoding)


def content_type(page: Page) -> str:
    charset = meta_charset(page.encoding) if page.http_charset is None else page.http_charset
    return f"text/html; charset={charset}" if charset else "text/html"


# ---------------------------------------------------------------- layout shared by all pages


def layout(title: str, body: str, charset: str, labels: dict[str, str]) -> str:
    return (f'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">\n<html>\n<head>\n'
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
            f"<title>{esc(title)}_{labels['site']}</title>\n"
            '<link rel="stylesheet" href="/css/style.css" type="text/css" />\n</head>\n<body>\n'
            f"{header(labels)}\n{body}\n{footer(labels)}\n</body>\n</html>\n")


def header(labels: dict[str, str]) -> str:
    nav = "".join(f'<li><a href="{c.path}index.html">{labels[c.key]}</a></li>' for c in COLUMNS)
    return (f'<div class="top"><div class="logo"><a href="/index.html">{labels["site"]}</a></div>'
            '<form class="search" action="/search/index.html" method="get"><input name="q" />'
            f'<button type="submit">{labels["search"]}</button></form></div>\n'
            f'<div class="nav"><ul><li><a href="/index.html">{labels["home"]}</a></li>{nav}'
            f'<li><a href="{EPAPER_NODE}">{labels["epaper"]}</a></li>'
            f'<li><a href="{BIG5_INDEX}">繁體</a></li></ul></div>')


def footer(labels: dict[str, str]) -> str:
    return (f'<div class="links">{labels["friends"]}：<a href="http://www.gov.cn/">{labels["govcn"]}</a></div>\n'
            f'<div class="footer"><p><a href="/about.html">{labels["about"]}</a> | '
            f'<a href="/sitemap.html">{labels["sitemap"]}</a> | <a href="/search/index.html">'
            f'{labels["sitesearch"]}</a></p><p>{labels["rights"]}：{labels["site"]}　{labels["host"]}</p>'
            f'<p><a href="https://beian.miit.gov.cn/">{labels["icp"]}</a>　{labels["psb"]}　'
            f'{labels["sitecode"]}：4117000001</p></div>')


def share_block(labels: dict[str, str]) -> str:
    return (f'<div class="share">{labels["share"]}：<a href="javascript:void(0)" class="wx">微信</a>'
            '<a href="javascript:void(0)" class="wb">微博</a>'
            f'<a href="javascript:void(0)" class="qq">{labels["qzone"]}</a>'
            f'</div>\n<div class="qrcode"><div id="qr"></div><p>{labels["scan"]}</p></div>')


def tools_block(labels: dict[str, str]) -> str:
    return (f'<div class="tools"><a href="javascript:window.print()">{labels["print"]}</a>'
            f'<a href="javascript:window.close()">{labels["close"]}</a></div>')


def paragraphs_html(item: Item) -> str:
    return "\n".join(f"<p>{esc(p)}</p>" for p in item.paragraphs)


def related_block(pages: list[Page], page: Page, labels: dict[str, str]) -> str:
    others = [p for p in pages
              if p.url != page.url and p.column == page.column and p.script == page.script][:3]
    links = "".join(f'<li><a href="{p.url}">{esc(page_title(p))}</a></li>' for p in others)
    return f'<div class="related"><h4>{labels["related"]}</h4><ul>{links}</ul></div>'


# ---------------------------------------------------------------- article templates


def byline_lines(page: Page, item: Item, labels: dict[str, str]) -> list[str]:
    lines = [f"{labels['source']}：{esc(page.source or '')}"]
    if item.authors:
        lines.append(f"{labels['author']}：{esc(' '.join(item.authors))}")
    lines.append(f"{labels['time']}：{page.published.replace('T', ' ')}")
    return lines


def render_table(page: Page, pages: list[Page], labels: dict[str, str]) -> str:
    """Template 1: table layout, 现在位置 breadcrumb, 摘要, 【打印本页】【关闭窗口】, 责任编辑 at the end."""
    item = page.items[0]
    column = column_of(page)
    info = "　".join(byline_lines(page, item, labels))
    summary = page.extra.get("summary")
    rows = [
        f'<tr><td class="position">{labels["here"]}：<a href="/index.html">{labels["home"]}</a> &gt; '
        f'<a href="{column.path}index.html">{labels.get(column.key, column.name)}</a> &gt; 正文</td></tr>',
        f'<tr><td class="title" align="center"><h1>{esc(item.title or "")}</h1></td></tr>',
    ]
    if item.subtitle:
        rows.append(f'<tr><td class="subtitle" align="center"><h2>{esc(item.subtitle)}</h2></td></tr>')
    rows.append(f'<tr><td class="info" align="center">{info}　浏览次数：<span id="hits">0</span></td></tr>')
    if summary:
        rows.append(f'<tr><td class="summary">摘要：{esc(summary)}</td></tr>')
    rows.append(f'<tr><td id="zoom" class="content">\n{paragraphs_html(item)}\n</td></tr>')
    if item.editor:
        rows.append(f'<tr><td class="editor" align="right">{labels["editor"]}：{esc(item.editor)}</td></tr>')
    rows.append(f"<tr><td>{tools_block(labels)}</td></tr>")
    body = ('<table width="1000" border="0" cellspacing="0" cellpadding="0" align="center" class="article">\n'
            + "\n".join(rows) + "\n</table>\n" + share_block(labels) + "\n"
            + mood_block() + furniture_blocks(page) + related_block(pages, page, labels))
    return body


def render_div(page: Page, pages: list[Page], labels: dict[str, str]) -> str:
    """Template 2: div layout with 来源/作者/责任编辑/发布时间 lines above the text."""
    item = page.items[0]
    column = column_of(page)
    info = byline_lines(page, item, labels)
    if item.editor:
        info.insert(2, f"{labels['editor']}：{esc(item.editor)}")
    heads = []
    if item.kicker:
        heads.append(f'<h3 class="yt">{esc(item.kicker)}</h3>')
    heads.append(f"<h1>{esc(item.title or '')}</h1>")
    if item.subtitle:
        heads.append(f'<h2 class="ft">{esc(item.subtitle)}</h2>')
    spans = "".join(f"<span>{line}</span>" for line in info)
    return (f'<div class="crumbs"><a href="/index.html">{labels["home"]}</a> &gt; '
            f'<a href="{column.path}index.html">{labels.get(column.key, column.name)}</a></div>\n'
            f'<div class="article">\n{"".join(heads)}\n<div class="info">{spans}</div>\n'
            f'<div class="TRS_Editor">\n{paragraphs_html(item)}\n</div>\n</div>\n'
            + share_block(labels) + "\n" + related_block(pages, page, labels))


def render_epaper(page: Page, pages: list[Page], labels: dict[str, str]) -> str:
    """Template 3: an e-paper page: masthead, several articles each ending with a byline, editorial footer."""
    masthead = "".join(f"<p>{esc(line)}</p>" for line in page.extra.get("masthead", []))
    blocks = [epaper_item(item, index) for index, item in enumerate(page.items, 1)]
    editorial = "".join(f"<p>{esc(line)}</p>" for line in page.extra.get("footer", []))
    return (f'<div class="masthead">{masthead}</div>\n'
            f'<div class="bmnav">{esc(page.title or "")}　<a href="{EPAPER_NODE}">版面导航</a>'
            '　<a href="javascript:void(0)">上一版</a>　<a href="javascript:void(0)">下一版</a></div>\n'
            f'<div class="epaper">\n{"".join(blocks)}</div>\n<div class="editorial">{editorial}</div>')


def epaper_item(item: Item, index: int) -> str:
    heads = ""
    if item.kicker:
        heads += f'<h3 class="yt">{esc(item.kicker)}</h3>'
    if item.title:
        heads += f"<h1>{esc(item.title)}</h1>"
    photo = ""
    if item.photographers:
        photo = f'<div class="photo"><img src="/szb/res/1227_{index}.jpg" alt="" /></div>'
    byline = " ".join(item.authors or item.photographers)
    return (f'<div class="article" id="a{index}">{heads}{photo}\n<div class="content">\n'
            f'{paragraphs_html(item)}\n<p class="byline">{esc(byline)}</p>\n</div></div>\n')


def mood_block() -> str:
    return ('<div class="mood">查看心情排行你看到此篇文章的感受是：<span>感动</span><span>高兴</span>'
            "<span>愤怒</span></div>\n")


def furniture_blocks(page: Page) -> str:
    """Copyright statement, related titles and teasers as the publisher's page carried them."""
    out = ""
    if page.extra.get("copyright"):
        lines = "".join(f"<p>{esc(line)}</p>" for line in page.extra["copyright"])
        out += f'<div class="copyright"><p>版权声明：</p>{lines}</div>\n'
    if page.extra.get("related"):
        links = "".join(f'<li>-<a href="http://www.zmdnews.cn/news/{i}.html">{esc(t)}</a></li>'
                        for i, t in enumerate(page.extra["related"], 1))
        out += f'<div class="xglj"><ul>{links}</ul></div>\n'
    for i, (title, teaser) in enumerate(page.extra.get("teasers", []), 1):
        out += (f'<div class="teaser"><a href="http://www.dtnews.cn/dtxw/{i}.html">{esc(title)}</a>'
                f"<p>{esc(teaser)}</p></div>\n")
    return out


RENDERERS: dict[str, Callable[[Page, list[Page], dict[str, str]], str]] = {
    "table": render_table, "div": render_div, "epaper": render_epaper,
}


def column_of(page: Page) -> Column:
    for column in COLUMNS:
        if column.key == page.column:
            return column
    if page.column == "big5":
        return Column("big5", "工作動態", "/big5/", 1, "links")
    return Column(page.column, "数字报", EPAPER_NODE.rsplit("/", 1)[0] + "/", 1, "links")


def render_article(page: Page, pages: list[Page]) -> bytes:
    labels = LABELS[page.script]
    body = RENDERERS[page.template](page, pages, labels)
    title = page.items[0].title or page.title or ""
    return layout(title, body, meta_charset(page.encoding), labels).encode(page.encoding)


# ---------------------------------------------------------------- list pages


def list_items(pages: list[Page]) -> str:
    return "\n".join(f'<li><a href="{p.url}" title="{esc(page_title(p))}">{esc(page_title(p))}</a>'
                     f'<span class="date">{p.date}</span></li>' for p in pages)


def page_title(page: Page) -> str:
    return page.items[0].title or page.title or ""


def list_page_name(index: int) -> str:
    return "index.html" if index == 0 else f"index_{index}.html"


def pager(column: Column, index: int, count: int) -> str:
    if column.pager == "script":
        return ('<div class="page"><script type="text/javascript">\n'
                f'createPageHTML({count}, {index}, "index", "html");\n</script></div>')
    links = [f"共{count}页", f'<a href="{list_page_name(0)}">首页</a>']
    if index > 0:
        links.append(f'<a href="{list_page_name(index - 1)}">上一页</a>')
    if index < count - 1:
        links.append(f'<a href="{list_page_name(index + 1)}">下一页</a>')
    links.append(f'<a href="{list_page_name(count - 1)}">尾页</a>')
    return f'<div class="page">{" ".join(links)}</div>'


def render_column(column: Column, pages: list[Page]) -> dict[str, bytes]:
    ordered = sorted(pages, key=lambda p: (p.published, p.url), reverse=True)
    chunks = [ordered[i:i + column.page_size] for i in range(0, len(ordered), column.page_size)] or [[]]
    labels = LABELS["simplified"]
    out = {}
    for index, chunk in enumerate(chunks):
        body = (f'<div class="crumbs"><a href="/index.html">首页</a> &gt; {column.name}</div>\n'
                f'<div class="column"><h2>{column.name}</h2>\n<ul class="list">\n{list_items(chunk)}\n</ul>\n'
                f"{pager(column, index, len(chunks))}</div>")
        out[column.path + list_page_name(index)] = layout(column.name, body, "utf-8", labels).encode()
    return out


def render_home(pages: list[Page]) -> bytes:
    latest = sorted((p for p in pages if p.column in {c.key for c in COLUMNS}),
                    key=lambda p: (p.published, p.url), reverse=True)[:6]
    blocks = "".join(f'<div class="block"><h2><a href="{c.path}index.html">{c.name}</a></h2></div>'
                     for c in COLUMNS)
    body = (f'<div class="home">{blocks}<div class="latest"><h2>最新动态</h2><ul class="list">\n'
            f"{list_items(latest)}\n</ul></div></div>")
    return layout("首页", body, "utf-8", LABELS["simplified"]).encode()


def render_epaper_node(pages: list[Page]) -> bytes:
    papers = [p for p in pages if p.template == "epaper"]
    links = "".join(f'<li><a href="{epaper_href(p.url)}">{esc(p.title or "")}</a>'
                    + "".join(f"<p>{esc(i.title or '图片新闻')}</p>" for i in p.items) + "</li>"
                    for p in papers)
    body = f'<div class="bmnav"><h2>港闻新闻 2020年2月18日 第7期</h2><ul>{links}</ul></div>'
    return layout("数字报", body, "utf-8", LABELS["simplified"]).encode()


def epaper_href(url: str) -> str:
    """Relative link for pages in the node's own folder (as e-paper systems write them), else absolute."""
    folder = EPAPER_NODE.rsplit("/", 1)[0] + "/"
    return url[len(folder):] if url.startswith(folder) else url


def render_big5_index(pages: list[Page]) -> bytes:
    mirrors = [p for p in pages if p.encoding == "big5"]
    body = f'<div class="column"><h2>工作動態</h2><ul class="list">\n{list_items(mirrors)}\n</ul></div>'
    return layout("繁體版", body, "big5", LABELS["traditional"]).encode("big5")


# ---------------------------------------------------------------- the whole site


def render_site(pages: list[Page], page_size: int | None = None
                ) -> tuple[dict[str, bytes], dict[str, dict[str, object]]]:
    """Path -> bytes for every file, and the header manifest (``page_size`` overrides the columns')."""
    files: dict[str, bytes] = {"/robots.txt": ROBOTS_TXT.encode(), "/index.html": render_home(pages),
                               EPAPER_NODE: render_epaper_node(pages), BIG5_INDEX: render_big5_index(pages)}
    headers: dict[str, dict[str, object]] = {
        "/robots.txt": {"headers": {"Content-Type": "text/plain"}},
        BIG5_INDEX: {"headers": {"Content-Type": "text/html; charset=big5"}},
    }
    for column in COLUMNS:
        if page_size:
            column = dataclasses.replace(column, page_size=page_size)
        files.update(render_column(column, [p for p in pages if p.column == column.key]))
    for page in pages:
        files[page.url] = render_article(page, pages)
        headers[page.url] = {"headers": {"Content-Type": content_type(page),
                                         "Last-Modified": http_date(page.date)}}
    for path in files:
        headers.setdefault(path, {"headers": {"Content-Type": "text/html; charset=utf-8"}})
    return files, headers


def expand(pages: list[Page], copies: int) -> list[Page]:
    """A large portal for the benchmark: ``copies`` article pages cycling through the real ones, each at
    a new URL (/content/post_N.html) in one of the two columns, so list pages paginate deeply."""
    out = []
    for n in range(copies):
        page = pages[n % len(pages)]
        column = COLUMNS[n % len(COLUMNS)].key
        out.append(dataclasses.replace(page, url=f"/content/post_{100000 + n}.html", column=column,
                                       name=f"{page.name}-{n}"))
    return out


def write_site(out: Path, files: dict[str, bytes], headers: dict[str, dict[str, object]]) -> None:
    """Write into a temp dir beside ``out`` and swap it in, so a half-written site never exists."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    for path, data in files.items():
        target = tmp / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    manifest = json.dumps(headers, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    (tmp / "_headers.json").write_text(manifest, encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)


def build(out: Path = SITE_DIR, copies: int = 0, page_size: int | None = None, edition: int = 1
          ) -> dict[str, bytes]:
    """Render and write the site; ``copies`` > 0 builds the large benchmark copy instead (list pages of
    ``page_size`` links, default 20); ``edition=2`` the portal as it stood later
    (crawler.sample_portal.editions)."""
    if edition != 1:
        from crawler.sample_portal.editions import site_files

        files, headers = site_files(edition)
        write_site(out, files, headers)
        return files
    pages = load_articles()
    if copies:
        pages = expand(pages, copies)
        page_size = page_size or 20
    files, headers = render_site(pages, page_size)
    write_site(out, files, headers)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.sample_portal.build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=SITE_DIR, help="output directory (replaced)")
    parser.add_argument("--copies", type=int, default=0, help="build a large copy with N article pages")
    parser.add_argument("--page-size", type=int, default=None, help="links per list page (large copy: 20)")
    parser.add_argument("--edition", type=int, choices=(1, 2), default=1,
                        help="2: the portal as it stood later (crawler/sample_portal/edition2.toml)")
    args = parser.parse_args(argv)
    files = build(args.out, args.copies, args.page_size, args.edition)
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
