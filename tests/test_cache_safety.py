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
