"""Remembered listings and routes (pagecache.remember): computed once per change of the published
content, and a change shows at once, page cache or not."""

import datetime
import io
import os
import subprocess
import sys
from unittest import mock

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings

from wagtail.models import Site

from news.models import NewsPage
from portal import pagecache
from portal.settings.base import cache_settings
from tests.factories import NewsPageFactory, build_site
from tests.helpers import url_in


class RememberedListingsTests(TestCase):
    """PAGE_CACHE_SECONDS is 0 here: only the remembered values could be stale."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=3)

    def publish_news(self, title: str, date: datetime.date) -> NewsPage:
        news = NewsPageFactory.build(title_zh_hans=title, title_en=title, date=date, live=False)
        self.site["news_index"].add_child(instance=news)
        news.topics.set([self.site["topic"]])
        news.save_revision().publish()
        news.refresh_from_db()
        return news

    def test_publishing_shows_at_once_in_every_remembered_list(self):
        newest = max(self.site["news"], key=lambda n: (n.date, n.pk))
        urls = {
            "home": "/en/",
            "index": url_in(self.site["news_index"], "en"),
            "previous newest": url_in(newest, "en"),
        }
        for url in urls.values():
            self.assertEqual(self.client.get(url).status_code, 200)
        fresh = self.publish_news("Fresh headline", newest.date + datetime.timedelta(days=1))
        for name, url in urls.items():
            with self.subTest(name):
                self.assertIn("Fresh headline", self.client.get(url).content.decode())
        index = self.client.get(urls["index"])
        self.assertEqual(index.context["news_page"].paginator.count, 4)
        in_year = NewsPage.objects.live().filter(date__year=fresh.date.year).count()
        year_field = index.context["filters"].fields[-1]
        self.assertIn((str(fresh.date.year), f"{fresh.date.year} ({in_year})"), year_field.options)

        fresh_url = url_in(fresh, "en")
        fresh.unpublish()
        self.assertEqual(self.client.get(fresh_url).status_code, 404)
        for name, url in urls.items():
            with self.subTest(name, after="unpublish"):
                self.assertNotIn("Fresh headline", self.client.get(url).content.decode())

    def test_a_changed_slug_routes_at_once(self):
        news = self.site["news"][0]
        old_url = url_in(news, "en")
        self.assertEqual(self.client.get(old_url).status_code, 200)
        news.slug_en = "renamed-article"
        news.save_revision().publish()
        news.refresh_from_db()
        self.assertTrue(url_in(news, "en").endswith("/renamed-article/"))
        self.assertEqual(self.client.get(url_in(news, "en")).status_code, 200)
        self.assertEqual(self.client.get(old_url).status_code, 404)

    def test_the_remembered_page_is_the_live_one_until_the_next_publish(self):
        news = self.site["news"][0]
        url = url_in(news, "en")
        live_title = news.title_en
        self.assertIn(live_title, self.client.get(url).content.decode())
        news.title_en = "Draft headline"
        revision = news.save_revision()  # a draft: the public page keeps the live text
        self.assertIn(live_title, self.client.get(url).content.decode())
        self.assertNotIn("Draft headline", self.client.get(url).content.decode())
        revision.publish()
        self.assertIn("Draft headline", self.client.get(url).content.decode())

    def test_the_remembered_head_belongs_to_the_address_asked(self):
        url = url_in(self.site["news"][0], "de")
        hostname = Site.objects.get(is_default_site=True).hostname
        for host in (f"{hostname}:8001", f"{hostname}:8002", f"{hostname}:8001", "elsewhere.example"):
            html = self.client.get(url, HTTP_HOST=host).content.decode()
            self.assertIn(f'<link rel="canonical" href="http://{host}{url}">', html)
        secure = self.client.get(url, HTTP_HOST=f"{hostname}:8001", secure=True).content.decode()
        self.assertIn(f'<link rel="canonical" href="https://{hostname}:8001{url}">', secure)

    def test_a_draft_keeps_the_generation_a_plain_save_starts_a_new_one(self):
        news = self.site["news"][0]
        before = pagecache.generation()
        news.title_en = "Only a draft"
        news.save_revision()
        self.assertEqual(pagecache.generation(), before)
        news.refresh_from_db()
        news.source_en = "Saved by a script"
        news.save()
        self.assertNotEqual(pagecache.generation(), before)
        self.assertIn("Saved by a script", self.client.get(url_in(news, "en")).content.decode())

    @override_settings(PAGE_CACHE_SECONDS=300)
    def test_clear_page_cache_forgets_a_change_made_behind_the_portal(self):
        news = self.site["news"][0]
        url = url_in(news, "en")
        self.client.get(url)
        NewsPage.objects.filter(pk=news.pk).update(source_en="Changed in SQL")
        self.assertNotIn("Changed in SQL", self.client.get(url).content.decode())
        out = io.StringIO()
        call_command("clear_page_cache", stdout=out)
        self.assertIn("Content generation", out.getvalue())
        self.assertIn("Changed in SQL", self.client.get(url).content.decode())

    def test_bad_urls_are_not_remembered(self):
        self.client.get("/en/news/no-such-article/")  # the 404 page's own menu and site root
        before = len(caches["default"]._cache)
        for n in range(20):
            self.assertEqual(self.client.get(f"/en/news/no-such-article-{n}/").status_code, 404)
        self.assertEqual(len(caches["default"]._cache), before)

    def test_year_filter_count_comes_from_the_archive_and_is_right(self):
        index_url = url_in(self.site["news_index"], "en")
        for news in self.site["news"]:
            response = self.client.get(index_url, {"year": news.date.year})
            expected = NewsPage.objects.live().filter(date__year=news.date.year).count()
            self.assertEqual(response.context["news_page"].paginator.count, expected)
            self.assertEqual(len(response.context["news_page"].object_list), expected)
        zone_filtered = self.client.get(index_url, {"zone": self.site["zone"].pk})
        self.assertEqual(zone_filtered.context["news_page"].paginator.count, 3)

    def test_the_generation_is_read_once_per_request(self):
        url = url_in(self.site["news"][0], "en")
        self.client.get(url)
        shared = caches["shared"]
        reads = []
        original = shared.get

        def counting_get(key, *args, **kwargs):
            reads.append(key)
            return original(key, *args, **kwargs)

        with mock.patch.object(shared, "get", counting_get):
            self.assertEqual(self.client.get(url).status_code, 200)
            self.assertEqual(reads.count(pagecache.GENERATION_KEY), 1)
            self.assertEqual(self.client.get("/healthz").status_code, 200)  # needs no cache at all
            self.assertEqual(reads.count(pagecache.GENERATION_KEY), 1)

    def test_a_preview_computes_afresh(self):
        news = self.site["news"][0]
        request = RequestFactory().get("/")
        calls = []
        news.remembered(request, "probe", lambda: calls.append(1) or "value")
        news.remembered(request, "probe", lambda: calls.append(1) or "value")
        self.assertEqual(len(calls), 1)
        request.is_preview = True
        news.remembered(request, "probe", lambda: calls.append(1) or "value")
        self.assertEqual(len(calls), 2)


class DeepPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=25)

    def test_every_page_of_the_listing_in_order(self):
        index_url = url_in(self.site["news_index"], "en")
        expected = list(NewsPage.objects.live().order_by("-date", "-pk").values_list("pk", flat=True))
        shown = []
        for number in (1, 2, 3):
            shown += [news.pk for news in self.client.get(index_url, {"page": number}).context["news_page"]]
        self.assertEqual(shown, expected)


class SharedGenerationTests(SimpleTestCase):
    """Without Redis, a publish handled by one worker process empties the caches of all of them."""

    def test_another_process_bumps_the_generation_this_one_reads(self):
        directory = os.path.join(settings.MEDIA_ROOT, "shared-cache-test")
        with override_settings(CACHES=cache_settings("", directory)):
            before = pagecache.generation()
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
                "CACHE_DIR": directory,
                # invalidate() asks the connection whether a transaction is open: any database will do
                "DATABASE_URL": f"sqlite:///{directory}/unused.sqlite3",
            }
            env.pop("REDIS_URL", None)
            subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    "-c",
                    "import django; django.setup(); from portal import pagecache; pagecache.invalidate()",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                check=True,
                timeout=120,
            )
            self.assertNotEqual(pagecache.generation(), before)
