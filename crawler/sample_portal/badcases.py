"""Bad cases for crawler tests, served by ``serve_badcases()`` (the ``badcase_url`` test fixture).

Every case is one row of ``BADCASES``: a readable id named after the defect, the URL path the bad-case
index page links to, what the crawler must end with (``expect``), and the reply. ``/index.html`` is a
dated link list of all cases (an ordinary column list page); ``/robots.txt`` disallows ``/private/``.

Test settings the cases assume (the crawler's tests set them):
    DOWNLOAD_TIMEOUT <= 2 (the slow case sleeps ``SLOW_SECONDS``), DOWNLOAD_MAXSIZE <= 2 MiB (the big
    case is ``BIG_BODY_BYTES``), a max-pages/depth limit (the endless list never ends), retries >= 1
    (500 then 200, 503 with Retry-After then 200), URLLENGTH_LIMIT < ``LONG_LINK_CHARS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crawler.sample_portal.server import Reply, Request, Route

SLOW_SECONDS = 5.0
BIG_BODY_BYTES = 3 * 1024 * 1024
ENDLESS_PATH = "/list/endless.html"
LONG_LINK_CHARS = 2500
RETRY_AFTER_SECONDS = 1
HTML_UTF8 = "text/html; charset=utf-8"

RARE_CHARS_TEXT = (
    "近日，市科技局副局长王堃带领调研组到高新区企业走访，了解企业复工复产和技术攻关情况。",
    "在一家精密铸造企业，工程师陈喆介绍了新上的镕铸生产线，王堃详细询问了原料供应、用工保障等情况。",
    "调研组要求各有关部门主动服务、靠前服务，帮助企业解决实际困难，推动企业尽快达产达效。",
)


@dataclass(frozen=True)
class BadCase:
    id: str  # named after the defect
    path: str  # linked from /index.html
    title: str
    date: str
    expect: str  # what the crawl must end with: "record" or "drop:<what>"
    reply: Route
    link: str = ""  # the href on the index page, when it is not ``path``

    @property
    def href(self) -> str:
        return self.link or self.path


def article_html(title: str, paragraphs: tuple[str, ...], charset: str, *, meta: bool = True) -> str:
    """A plain div-layout article page, as small county portals serve them."""
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if meta else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head>{head}<title>{title}_示例县人民政府</title></head><body>"
            f'<div class="nav"><a href="/index.html">首页</a> &gt; <a href="/index.html">工作动态</a></div>'
            f'<div class="article"><h1>{title}</h1><div class="info">来源：示例县融媒体中心　'
            f"发布时间：2020-02-20</div><div class=\"content\">{body}</div></div>"
            f'<div class="footer">版权所有：示例县人民政府办公室　ICP备案号：示ICP备00000000号</div>'
            "</body></html>")


UTF8_PARAGRAPHS = (
    "2月19日，县委书记到开发区检查企业复工复产工作，要求在抓好疫情防控的同时有序推进复工复产。",
    "他强调，要压实企业主体责任，做好员工健康监测、厂区消毒等工作，确保生产安全有序。",
    "各有关部门要主动对接，帮助企业解决用工、物流、原料等方面的困难，全力保障企业稳定运行。",
)


def header_gbk_body_utf8() -> Reply:
    html = article_html("县委书记到开发区检查企业复工复产", UTF8_PARAGRAPHS, "utf-8")
    return Reply(headers={"Content-Type": "text/html; charset=gbk"}, body=html.encode("utf-8"))


def no_charset_gbk_body() -> Reply:
    html = article_html("县政府召开常务会议研究春耕备耕工作", (
        "2月18日，县政府召开常务会议，研究部署春耕备耕和农业生产工作。",
        "会议指出，要在做好疫情防控的前提下，抓紧抓实春耕备耕各项工作，确保农时不误、粮食稳产。",
        "会议要求，要加强农资供应保障，组织农技人员深入田间地头开展技术指导服务。",
    ), "gbk", meta=False)
    return Reply(headers={"Content-Type": "text/html"}, body=html.encode("gbk"))


def gb2312_declared_gbk_rare_chars() -> Reply:
    html = article_html("市科技局调研企业技术攻关工作", RARE_CHARS_TEXT, "gb2312")
    return Reply(headers={"Content-Type": "text/html; charset=gb2312"}, body=html.encode("gbk"))


def error_500_then_200(request: Request) -> Reply:
    """Odd hits fail with 500, even hits succeed: each crawl with one retry ends with a record."""
    if request.hit % 2 == 1:
        return Reply(status=500, headers={"Content-Type": HTML_UTF8},
                     body=b"<html><body><h1>500 Internal Server Error</h1></body></html>")
    html = article_html("县人社局开通线上招聘服务", (
        "为减少人员聚集，县人社局近日开通线上招聘服务平台，组织企业发布用工信息。",
        "求职者可通过平台查询岗位、投递简历，实现企业与求职者“不见面”对接。",
    ), "utf-8")
    return Reply(headers={"Content-Type": HTML_UTF8}, body=html.encode("utf-8"))


def slow_timeout() -> Reply:
    html = article_html("这一页永远来不及送达", ("超时。",), "utf-8")
    return Reply(headers={"Content-Type": HTML_UTF8}, body=html.encode("utf-8"), delay=SLOW_SECONDS)


def redirect_to(location: str) -> Reply:
    return Reply(status=302, headers={"Location": location, "Content-Type": HTML_UTF8}, body=b"")


def body_over_maxsize() -> Reply:
    paragraph = "<p>" + "超大页面填充内容。" * 100 + "</p>\n"
    chunk = paragraph.encode("utf-8")
    body = '<html><head><meta charset="utf-8"><title>超大页面</title></head><body>'.encode()
    body += chunk * (BIG_BODY_BYTES // len(chunk) + 1) + b"</body></html>"
    return Reply(headers={"Content-Type": HTML_UTF8}, body=body)


def pdf_as_text_html() -> Reply:
    body = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
            b"stream\n\x00\x01\x02\x03\xff\xfe\xfd\x89PNG\x00\x00\nendstream\n"
            b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    return Reply(headers={"Content-Type": "text/html"}, body=body)


def robots_disallowed() -> Reply:
    html = article_html("内部资料（robots.txt 禁止抓取）", ("本页不应被抓取。",), "utf-8")
    return Reply(headers={"Content-Type": HTML_UTF8}, body=html.encode("utf-8"))


def endless_list(request: Request) -> Reply:
    """A column page whose 下一页 always points one page further (?page=N+1), forever."""
    page = page_number(request)
    items = "".join(
        f'<li><a href="/content/post_1003.html">市科技局调研企业技术攻关工作（第{page}页）</a>'
        f"<span>2020-02-{20 - i:02d}</span></li>" for i in range(3))
    html = (f'<html><head><meta charset="utf-8"><title>无尽列表 第{page}页</title></head><body>'
            f'<ul class="list">{items}</ul>'
            f'<div class="page"><a href="{ENDLESS_PATH}?page={page + 1}">下一页</a></div></body></html>')
    return Reply(headers={"Content-Type": HTML_UTF8}, body=html.encode("utf-8"))


def page_number(request: Request) -> int:
    try:
        return max(0, int(request.query.get("page", ["0"])[0]))
    except ValueError:
        return 0


def negotiated_encoding(request: Request) -> Reply:
    """Sends the codings the client asks for, best first (br > gzip): a crawler asking for br gets a body
    `warcio check` cannot read, so the crawler must ask only for gzip and deflate."""
    import gzip

    html = article_html("县政务服务中心恢复窗口办理业务", (
        "县政务服务中心自2月17日起恢复窗口办理业务，群众可通过网上预约分时段到场办理。",
        "中心实行进门测温、间隔就座等防控措施，倡导企业和群众优先选择网上办理、邮寄办理。",
    ), "utf-8").encode("utf-8")
    asked = request.headers.get("Accept-Encoding", "").lower()
    if "br" in asked:
        import brotli  # type: ignore[import-untyped]

        body, coding = brotli.compress(html), "br"
    elif "gzip" in asked:
        body, coding = gzip.compress(html), "gzip"
    else:
        return Reply(headers={"Content-Type": HTML_UTF8}, body=html)
    return Reply(headers={"Content-Type": HTML_UTF8, "Content-Encoding": coding}, body=body)


def redirect_to_another_port(request: Request) -> Reply:
    """A redirect to the same host on another port: another site (scheme + host + port)."""
    host, _, port = request.headers.get("Host", "127.0.0.1:80").partition(":")
    return redirect_to(f"http://{host}:{int(port or 80) + 1}/content/post_1012.html")


def retry_after_then_ok(request: Request) -> Reply:
    """503 with ``Retry-After: 1`` on odd hits, the article on even hits."""
    if request.hit % 2 == 1:
        return Reply(status=503, headers={"Content-Type": HTML_UTF8, "Retry-After": str(RETRY_AFTER_SECONDS)},
                     body=b"<html><body><h1>503 Service Unavailable</h1></body></html>")
    html = article_html("县应急管理局开展安全生产检查", (
        "近日，县应急管理局组织执法人员深入企业开展复工复产安全生产检查。",
        "检查组要求企业落实安全生产主体责任，严格执行复工复产安全条件确认制度。",
    ), "utf-8")
    return Reply(headers={"Content-Type": HTML_UTF8}, body=html.encode("utf-8"))


def once(build: Callable[[], Reply]) -> Callable[[Request], Reply]:
    """Build a static reply lazily on first use (the big body is 3 MiB) and reuse it."""
    cache: list[Reply] = []

    def route(request: Request) -> Reply:
        if not cache:
            cache.append(build())
        return cache[0]

    return route


BADCASES: tuple[BadCase, ...] = (
    BadCase("header-gbk-body-utf8", "/content/post_1001.html", "县委书记到开发区检查企业复工复产",
            "2020-02-20", "record", once(header_gbk_body_utf8)),
    BadCase("no-charset-gbk-body", "/content/post_1002.html", "县政府召开常务会议研究春耕备耕工作",
            "2020-02-20", "record", once(no_charset_gbk_body)),
    BadCase("gb2312-declared-gbk-rare-chars", "/content/post_1003.html", "市科技局调研企业技术攻关工作",
            "2020-02-20", "record", once(gb2312_declared_gbk_rare_chars)),
    BadCase("not-found-404", "/content/post_1004.html", "已删除的稿件", "2020-02-19", "drop:http-404",
            once(lambda: Reply(status=404, headers={"Content-Type": HTML_UTF8},
                               body=b"<html><body><h1>404 Not Found</h1></body></html>"))),
    BadCase("error-500-then-200", "/content/post_1005.html", "县人社局开通线上招聘服务", "2020-02-19",
            "record", error_500_then_200),
    BadCase("slow-timeout", "/content/post_1006.html", "这一页永远来不及送达", "2020-02-18",
            "drop:timeout", once(slow_timeout)),
    BadCase("redirect-loop", "/content/post_1007.html", "循环跳转的稿件", "2020-02-18", "drop:redirect-loop",
            redirect_to("/redirect/loop-b.html")),
    BadCase("body-over-maxsize", "/content/post_1008.html", "超大页面", "2020-02-17", "drop:maxsize",
            once(body_over_maxsize)),
    BadCase("pdf-as-text-html", "/content/post_1009.html", "通知附件（PDF）", "2020-02-17", "drop:not-html",
            once(pdf_as_text_html)),
    BadCase("robots-disallowed", "/private/t20200216_1010.html", "内部资料", "2020-02-16", "drop:robots",
            once(robots_disallowed)),
    BadCase("accept-encoding-br-if-asked", "/content/post_1011.html", "县政务服务中心恢复窗口办理业务",
            "2020-02-16", "record", negotiated_encoding),
    BadCase("redirect-to-another-port", "/content/post_1012.html", "跳转到另一端口的稿件", "2020-02-15",
            "drop:offsite", redirect_to_another_port),
    BadCase("retry-after-503-then-200", "/content/post_1013.html", "县应急管理局开展安全生产检查",
            "2020-02-15", "record", retry_after_then_ok),
    BadCase("url-too-long", "/content/post_1014.html", "超长链接的稿件", "2020-02-14", "drop:url-too-long",
            once(robots_disallowed), link="/content/post_1014.html?from=" + "x" * LONG_LINK_CHARS),
)

EXPECTED_RECORD_TITLES = {case.path: case.title for case in BADCASES if case.expect == "record"}


def index_page() -> Reply:
    items = "".join(f'<li><a href="{case.href}" title="{case.id}">{case.title}</a>'
                    f"<span>{case.date}</span></li>" for case in BADCASES)
    html = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>工作动态_示例县人民政府</title></head>'
            f'<body><h2>工作动态</h2><ul class="list">{items}'
            f'<li><a href="{ENDLESS_PATH}?page=1">更多动态</a><span>2020-02-15</span></li></ul>'
            "</body></html>")
    return Reply(headers={"Content-Type": HTML_UTF8}, body=html.encode("utf-8"))


def badcase_routes() -> dict[str, Route]:
    """Path -> route for the bad-case server (index, every case, the redirect loop's far end); robots.txt
    is the static file ``badcase_site/robots.txt``."""
    routes: dict[str, Route] = {case.path: case.reply for case in BADCASES}
    routes["/"] = routes["/index.html"] = index_page()
    routes["/redirect/loop-b.html"] = redirect_to("/content/post_1007.html")
    routes[ENDLESS_PATH] = endless_list
    return routes
