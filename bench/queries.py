"""The benchmark's URLs for the current database, and the queries each makes.

    python -m bench.queries OUT.json

Each URL is fetched twice with Django's test client (the first warms the
per-process caches a gunicorn worker also keeps: site root paths, image
renditions); the second is counted with CaptureQueriesContext.
"""

import json
import re
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

# The generated text repeats a few hundred seed sentences, so any word of it is on most pages: a
# common word is the worst case for ranking, a word found nowhere the best; real queries fall between.
COMMON_WORDS = {"en": "logistics", "zh-hans": "物流"}
ABSENT_WORDS = {"en": "zeppelin", "zh-hans": "飞艇"}
# Host header per URL; the rest go to the default site.
STARTER_HOST = "starter.localhost"


def urls() -> dict[str, dict]:
    from django.utils import translation

    from news.models import NewsIndexPage, NewsPage
    from portal.models import HomePage
    from zones.models import DelegationPage, ZonePage

    def url(page, code="en"):
        # With more than one Site (the starter's), Wagtail gives absolute URLs; keep the path.
        with translation.override(code):
            return urlsplit(page.get_url()).path

    def middle(queryset):
        count = queryset.count()
        return queryset.order_by("path")[count // 2]

    news_index = url(NewsIndexPage.objects.get())
    news = middle(NewsPage.objects.all())

    def search(code: str, query: str) -> dict:
        return {"url": f"/{code}/search/?q={quote(query)}", "language": code, "query": query}

    zone = ZonePage.objects.filter(kind="branch_park").order_by("path").first() or middle(ZonePage.objects.all())
    return {
        "home": {"url": url(HomePage.objects.get())},
        "news index": {"url": news_index},
        "news index ?page=500": {"url": f"{news_index}?page=500"},
        "news page": {"url": url(news)},
        "zone page (branch park)": {"url": url(zone)},
        "delegation page": {"url": url(middle(DelegationPage.objects.all()))},
        "search (Latin, a common word)": search("en", COMMON_WORDS["en"]),
        "search (Chinese, a common word)": search("zh-hans", COMMON_WORDS["zh-hans"]),
        "search (Latin, no match)": search("en", ABSENT_WORDS["en"]),
        "search (Chinese, no match)": search("zh-hans", ABSENT_WORDS["zh-hans"]),
        "sitemap.xml (index)": {"url": "/sitemap.xml"},
        "sitemap page 1": {"url": "/sitemap-pages.xml"},
        "static file": {"url": None},
        "minimal view (/bench/ping)": {"url": "/bench/ping"},
        "Wagtail starter page": {"url": "/en/", "host": STARTER_HOST},
    }


def static_url(client) -> str:
    """The stylesheet the home page links (its hashed name, as whitenoise serves it)."""
    html = client.get("/en/", secure=False).content.decode()
    match = re.search(r'href="(/static/[^"]+\.css)"', html)
    if not match:
        raise SystemExit("No stylesheet link on the home page.")
    return match.group(1)


def measure(targets: dict[str, dict]) -> dict[str, dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.search.query import search_entries

    results = {}
    default = Client(HTTP_HOST="localhost")
    targets["static file"]["url"] = static_url(default)
    for name, target in targets.items():
        client = Client(HTTP_HOST=target.get("host", "localhost"))
        first = client.get(target["url"])
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(target["url"])
            elapsed = time.perf_counter() - started
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if first.status_code != 200 or response.status_code != 200:
            raise SystemExit(f"{name}: {target['url']} answered {response.status_code}")
        results[name] = {
            **target,
            "queries": len(queries),
            "bytes": len(body),
            "test_client_ms": round(elapsed * 1000, 1),
        }
        if "query" in target:
            results[name]["matches"] = search_entries(target["query"], target["language"]).count()
    return results


def main(out: Path) -> None:
    import django

    django.setup()
    out.write_text(json.dumps(measure(urls()), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
