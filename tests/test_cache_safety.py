"""What the caches must never do, whatever the timing: serve content older than the last
publish (a generation that comes back), grow without bound for made-up URLs, or differ
from what the page itself answers."""

import datetime
import io
import tempfile
import time

from django.core.cache import caches
from django.core.management import call_command
from django.test import TestCase, override_settings

from news.models import NewsPage
from portal import pagecache
from tests.factories import NewsPageFactory, build_site
from tests.helpers import url_in


def short_lived_shared_cache(directory: str) -> dict:
    """The caches of a machine without Redis, with every default timeout cut to one second: the
    idle time that expires whatever was stored without an explicit timeout."""
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "safety"},
        "shared": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": directory,
            "TIMEOUT": 1,
        },
    }


class GenerationNeverRepeatsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)

    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="portal-shared-")
        override = override_settings(CACHES=short_lived_shared_cache(self.directory), PAGE_CACHE_SECONDS=300)
        override.enable()
        self.addCleanup(override.disable)

    def publish_news(self, title: str) -> NewsPage:
        news = NewsPageFactory.build(title_zh_hans=title, title_en=title, date=datetime.date(2026, 11, 30), live=False)
        self.site["news_index"].add_child(instance=news)
        news.save_revision().publish()
        news.refresh_from_db()
        return news

    def test_after_idle_time_an_unpublished_page_is_gone_and_a_new_one_shows(self):
        article = self.site["news"][0]
        article_url, index_url = url_in(article, "en"), url_in(self.site["news_index"], "en")
        for url in (article_url, index_url):
            self.assertEqual(self.client.get(url).status_code, 200)
        self.publish_news("Freshly published")
        for url in (article_url, index_url):
            self.assertEqual(self.client.get(url).status_code, 200)
        time.sleep(1.2)  # idle beyond every default timeout
        self.assertIn("Freshly published", self.client.get(index_url).content.decode())
        article.unpublish()
        self.assertEqual(self.client.get(article_url).status_code, 404)
        call_command("clear_page_cache", stdout=io.StringIO())
        self.assertEqual(self.client.get(article_url).status_code, 404)
        listing = self.client.get(index_url).content.decode()
        self.assertIn("Freshly published", listing)
        self.assertNotIn(article.title_en, listing)

    def test_a_lost_generation_never_resurrects_an_old_one(self):
        seen = [pagecache.generation()]
        for _ in range(3):
            pagecache.invalidate()
            seen.append(pagecache.generation())
            caches["shared"].delete(pagecache.GENERATION_KEY)  # evicted, expired, or Redis restarted
            seen.append(pagecache.generation())
        self.assertEqual(len(set(seen)), len(seen), seen)


def page_keys() -> list[str]:
    return [key for key in caches["default"]._cache if ":portal:page:" in key]


@override_settings(PAGE_CACHE_SECONDS=300)
class BoundedPageCacheTests(TestCase):
    """Entries only for what changes the response: known query parameters, a site's host name,
    the scheme; and no client adds more than PAGE_CACHE_NEW_PAGES_PER_CLIENT a minute."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=3)

    def setUp(self):
        caches["default"].clear()

    def test_unknown_query_parameters_add_no_entries(self):
        self.assertEqual(self.client.get("/en/")["X-Page-Cache"], "miss")
        for n in range(200):
            response = self.client.get(f"/en/?utm={n}")
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response["X-Page-Cache"], "hit")
        self.assertEqual(len(page_keys()), 1)

    def test_unknown_parameters_are_never_stored_for_others(self):
        first = self.client.get("/en/?utm=campaign-1")
        self.assertNotIn("X-Page-Cache", first)  # the switcher's links repeat the query: not for others
        self.assertNotIn("utm=campaign-1", self.client.get("/en/").content.decode())
        self.assertEqual(self.client.get("/en/?utm=campaign-2")["X-Page-Cache"], "hit")

    def test_every_parameter_a_page_reads_makes_its_own_entry(self):
        news_index = url_in(self.site["news_index"], "en")
        delegations = url_in(self.site["delegation_index"], "en")
        zone, topic = self.site["zone"], self.site["topic"]
        year = self.site["news"][0].date.year
        urls = [
            news_index,
            f"{news_index}?zone={zone.pk}",
            f"{news_index}?topic={topic.slug}",
            f"{news_index}?year={year}",
            f"{news_index}?year=1901",
            f"{news_index}?zone=&topic=&year={year}",  # the filter form sends every field
            f"{news_index}?page=2",
            delegations,
            f"{delegations}?host={zone.pk}",
            f"{delegations}?host=999999",
        ]
        pages = {}
        for url in urls:
            miss = self.client.get(url)
            self.assertEqual(miss["X-Page-Cache"], "miss", url)
            pages[url] = miss.content
        for url in urls:
            hit = self.client.get(url)
            self.assertEqual(hit["X-Page-Cache"], "hit", url)
            self.assertEqual(hit.content, pages[url], url)
        self.assertEqual(len(page_keys()), len(urls))

    def test_ports_in_the_host_add_no_entries_and_never_show_to_others(self):
        url = url_in(self.site["news"][0], "en")
        self.client.get(url, HTTP_HOST="localhost")
        pages = len(page_keys())
        for port in range(8000, 8050):
            html = self.client.get(url, HTTP_HOST=f"localhost:{port}").content.decode()
            self.assertIn(f'<link rel="canonical" href="http://localhost:{port}{url}">', html)
        self.assertEqual(len(page_keys()), pages)
        hit = self.client.get(url, HTTP_HOST="localhost")
        self.assertEqual(hit["X-Page-Cache"], "hit")
        self.assertIn(f'<link rel="canonical" href="http://localhost{url}">', hit.content.decode())

    def test_made_up_host_names_share_one_entry_and_each_sees_its_own_address(self):
        url = url_in(self.site["news"][0], "en")
        for n in range(20):
            html = self.client.get(url, HTTP_HOST=f"made-up-{n}.example").content.decode()
            self.assertIn(f'<link rel="canonical" href="http://made-up-{n}.example{url}">', html)
        self.assertEqual(len(page_keys()), 1)

    def test_the_scheme_is_part_of_the_key(self):
        url = url_in(self.site["news"][0], "en")
        self.client.get(url)
        secure = self.client.get(url, secure=True)
        self.assertEqual(secure["X-Page-Cache"], "miss")
        self.assertIn(f'<link rel="canonical" href="https://testserver{url}">', secure.content.decode())
        self.assertEqual(self.client.get(url, secure=True)["X-Page-Cache"], "hit")

    @override_settings(PAGE_CACHE_NEW_PAGES_PER_CLIENT=5)
    def test_one_client_adds_only_so_many_entries_a_minute(self):
        urls = [url_in(page, lang) for page in self.site["news"] for lang in ("zh-hans", "en", "de", "ru")]
        for url in urls:
            self.assertEqual(self.client.get(url, REMOTE_ADDR="198.51.100.7").status_code, 200)
        self.assertEqual(len(page_keys()), 5)
        for url in urls[5:]:
            self.assertEqual(self.client.get(url, REMOTE_ADDR="198.51.100.7").status_code, 200)
        self.assertEqual(len(page_keys()), 5)
        self.assertEqual(self.client.get(urls[0], REMOTE_ADDR="198.51.100.7")["X-Page-Cache"], "hit")
        self.assertEqual(self.client.get(urls[6], REMOTE_ADDR="203.0.113.9")["X-Page-Cache"], "miss")
        self.assertEqual(len(page_keys()), 6)

    # Browsers send the host name in lower case without the default port; a client may spell it
    # any way Django accepts, and each spelling used to add a page entry and a remembered head.
    HOST_SPELLINGS = [
        "LOCALHOST",
        "Localhost",
        "localHost",
        "localhost.",
        "LOCALHOST.",
        "localhost:80",
        "LOCALHOST:80",
        "localhost.:80",
        "localhost:080",
        "localhost:0080",
    ]

    def test_spellings_of_a_sites_host_add_one_page_entry(self):
        url = url_in(self.site["news"][0], "en")
        for host in [*self.HOST_SPELLINGS, "localhost", *self.HOST_SPELLINGS]:
            response = self.client.get(url, HTTP_HOST=host)
            self.assertEqual(response.status_code, 200, host)
            # each is answered with its own address, as without the cache
            self.assertIn(f'<link rel="canonical" href="http://{host}{url}">', response.content.decode(), host)
        self.assertEqual(len(page_keys()), 1, page_keys())
        hit = self.client.get(url, HTTP_HOST="localhost")
        self.assertEqual(hit["X-Page-Cache"], "hit")
        self.assertIn(f'<link rel="canonical" href="http://localhost{url}">', hit.content.decode())

    def test_a_spelling_never_takes_the_entry_of_the_sites_own_address(self):
        url = url_in(self.site["news"][0], "en")
        for host in self.HOST_SPELLINGS:
            self.client.get(url, HTTP_HOST=host)
        self.assertEqual(self.client.get(url, HTTP_HOST="localhost")["X-Page-Cache"], "miss")
        self.assertEqual(self.client.get(url, HTTP_HOST="localhost")["X-Page-Cache"], "hit")

    def test_sites_and_schemes_keep_their_own_entries(self):
        from wagtail.models import Site

        url = url_in(self.site["news"][0], "en")
        Site.objects.create(hostname="second.example", port=8080, root_page=self.site["home"], site_name="Second")
        addresses = [("localhost", False), ("localhost", True), ("second.example:8080", False)]
        addresses.append(("second.example:8080", True))
        for host, secure in addresses:
            self.client.get(url, HTTP_HOST=host, secure=secure)  # remembers the sites' addresses
        caches["default"].clear()
        for host, secure in addresses:
            response = self.client.get(url, HTTP_HOST=host, secure=secure)
            self.assertEqual(response["X-Page-Cache"], "miss", (host, secure))
            scheme = "https" if secure else "http"
            self.assertIn(f'<link rel="canonical" href="{scheme}://{host}{url}">', response.content.decode())
        for host, secure in addresses:
            self.assertEqual(self.client.get(url, HTTP_HOST=host, secure=secure)["X-Page-Cache"], "hit")
        self.assertEqual(len(page_keys()), 4, page_keys())

    def test_spellings_of_the_known_parameters_share_one_entry(self):
        news_index = url_in(self.site["news_index"], "en")
        first = self.client.get(f"{news_index}?page=2")
        self.assertEqual(first["X-Page-Cache"], "miss")
        for query in ("%70age=2", "p%61ge=2", "page=1&page=2", "page=2&page=2", "utm=x&page=2", "page=2&"):
            response = self.client.get(f"{news_index}?{query}")
            self.assertEqual(response["X-Page-Cache"], "hit", query)
            self.assertEqual(response.content, first.content, query)
        self.assertEqual(len(page_keys()), 1, page_keys())

    def test_parameters_in_any_order_share_one_entry(self):
        news_index = url_in(self.site["news_index"], "en")
        year = self.site["news"][0].date.year
        self.assertEqual(self.client.get(f"{news_index}?zone=&topic=&year={year}")["X-Page-Cache"], "miss")
        for query in (f"year={year}&topic=&zone=", f"topic=&zone=&year={year}", f"year=1900&zone=&topic=&year={year}"):
            self.assertEqual(self.client.get(f"{news_index}?{query}")["X-Page-Cache"], "hit", query)
        self.assertEqual(len(page_keys()), 1, page_keys())

    def test_a_spelling_with_more_than_the_page_reads_is_never_stored(self):
        news_index = url_in(self.site["news_index"], "en")
        # the page's links repeat the query: what the page does not read must not reach others
        for query in ("page=evil&page=2", "page=2&page=2", "%70age=2"):
            self.assertNotIn("X-Page-Cache", self.client.get(f"{news_index}?{query}"), query)
        self.assertEqual(page_keys(), [])
        self.assertEqual(self.client.get(f"{news_index}?page=2")["X-Page-Cache"], "miss")

    @override_settings(PAGE_CACHE_NEW_PAGES_PER_CLIENT=5)
    def test_the_addresses_of_one_ipv6_network_are_one_client(self):
        urls = [url_in(page, lang) for page in self.site["news"] for lang in ("zh-hans", "en", "de", "ru")][:7]
        self.client.get("/en/", REMOTE_ADDR="203.0.113.50")  # remembers the sites' addresses
        self.assertEqual(len(page_keys()), 1)
        for n, url in enumerate(urls):
            response = self.client.get(url, REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.get("X-Page-Cache"), "miss" if n < 5 else None, (n, url))
        self.assertEqual(len(page_keys()), 1 + 5)
        # another /64 is another client
        self.assertEqual(self.client.get(urls[5], REMOTE_ADDR="2001:db8:1:3::1")["X-Page-Cache"], "miss")
