"""Helpers for the collect tests: short fictional Japanese articles, feeds and sitemaps, test options.

Nothing here touches the internet: every URL points at a server on a loopback address, and the collect
options allow only that (``allow_private``) unless a test checks the refusal.
"""

from __future__ import annotations

import json

from kansoku.collect import CollectOptions

CITIES = ["ハルキウ", "ヘルソン", "ザポリージャ", "オデーサ", "ドニプロ", "スムイ", "リヴィウ", "キーウ"]
AUTHORS = ["山田太郎", "佐藤花子", "鈴木一郎", "高橋美咲"]


def article_html(i: int, *, canonical: str | None = None, extra: str = "", author: str | None = None,
                 published: str | None = None) -> str:
    """A fictional news page: JSON-LD NewsArticle, a canonical link, a headline, a byline and a short body."""
    city = CITIES[i % len(CITIES)]
    author = author or AUTHORS[i % len(AUTHORS)]
    published = published or f"2025-08-{(i % 27) + 1:02d}T09:00:00+09:00"
    canonical = canonical or f"https://news.example.jp/articles/{i:04d}"
    title = f"{city}で無人機攻撃、住民{i + 10}人が避難 記事{i}"
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
        "author": {"@type": "Person", "name": author}, "datePublished": published,
        "publisher": {"@type": "Organization", "name": "東亜通信"}, "url": canonical,
    }  # fmt: skip
    return f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<title>{title} | 東亜通信</title>
<link rel="canonical" href="{canonical}">
<meta property="og:type" content="article">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head><body>
<nav><a href="/">トップ</a> <a href="/world">国際</a></nav>
<article>
<h1>{title}</h1>
<p class="byline">{author}記者</p>
<p>{city}の当局者によると、{i + 3}日未明に無人機{i + 10}機による攻撃があり、住民約{(i + 1) * 100}人が避難した。</p>
<p>ロシア国防省は「軍事施設のみを標的にした」と述べたが、ウクライナ側は民間の住宅が被害を受けたと反論している。</p>
<p>欧州連合の報道官は{i + 4}日、攻撃を非難する声明を出した。{extra}</p>
</article>
<footer>© 東亜通信</footer>
</body></html>
"""


def rss(base: str, paths: list[str], dates: list[str] | None = None, title: str = "東亜通信 国際") -> str:
    items = []
    for k, p in enumerate(paths):
        date = (dates or [])[k] if dates and k < len(dates) else "Sat, 16 Aug 2025 00:00:00 GMT"
        items.append(f"<item><title>記事{k}</title><link>{base}{p}</link><pubDate>{date}</pubDate>"
                     f"<description>概要{k}</description></item>")
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>{base}/</link><description>テスト</description>{''.join(items)}</channel></rss>")


def sitemap(base: str, paths: list[str], lastmods: list[str | None] | None = None) -> str:
    urls = []
    for k, p in enumerate(paths):
        lm = (lastmods or [None] * len(paths))[k]
        urls.append(f"<url><loc>{base}{p}</loc>" + (f"<lastmod>{lm}</lastmod>" if lm else "") + "</url>")
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(urls) + "</urlset>")


def sitemap_index(base: str, paths: list[str], lastmods: list[str | None]) -> str:
    entries = "".join(
        f"<sitemap><loc>{base}{p}</loc>" + (f"<lastmod>{lm}</lastmod>" if lm else "") + "</sitemap>"
        for p, lm in zip(paths, lastmods, strict=True)
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>')


def opts(**kw) -> CollectOptions:
    """Options for tests: loopback allowed, no politeness delay, one analysis process, fast retries."""
    base = {"allow_private": True, "delay": 0.0, "workers": 1, "backoff": 0.05, "timeout": 10.0}
    base.update(kw)
    return CollectOptions(**base)
