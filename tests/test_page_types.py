"""A page type plugs in: tests/pagetype_app's EventPage (its own app, models, translation.py and
migration, added to INSTALLED_APPS by the test settings only) shows in the search, the sitemap,
its head's JSON-LD, the fixtures and the translations report, and nothing in portal/ names it."""

import datetime
import json
import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.test import TestCase

from bs4 import BeautifulSoup

from portal.fixtures import export_all, fixture_files
from portal.models import BasePage, page_models
from tests.factories import build_site
from tests.helpers import url_in
from tests.pagetype_app.models import EventPage

HOST = "http://testserver"
PORTAL = Path(__file__).resolve().parent.parent / "portal"


class PageTypePlugsInTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)
        cls.event = EventPage(
            title_zh_hans="上合博览会 Quokkafest",
            title_en="SCO Expo Quokkafest",
            summary_en="Trade fair of the Quokkafest partners.",
            summary_zh_hans="上合博览会。",
            venue_en="Qingdao International Expo Centre",
            start=datetime.date(2031, 4, 27),
            live=False,
        )
        cls.site["home"].add_child(instance=cls.event)
        cls.event.save_revision().publish()
        cls.event.refresh_from_db()
        cls.admin = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")

    def test_it_is_one_of_the_page_models(self):
        self.assertIn(EventPage, page_models())
        self.assertTrue(issubclass(EventPage, BasePage))

    def test_the_core_does_not_name_it(self):
        """Only the test settings register the app (INSTALLED_APPS), as a site's settings would."""
        for path in PORTAL.rglob("*.py"):
            if path.parent.name != "settings":
                self.assertNotIn("pagetype_app", path.read_text(encoding="utf-8"), path)
                self.assertNotIn("EventPage", path.read_text(encoding="utf-8"), path)

    def test_found_by_the_search_with_its_date(self):
        response = self.client.get("/en/search/", {"q": "Quokkafest"})
        self.assertEqual(response.status_code, 200)
        results = response.context["answer"].results
        self.assertEqual([result.page.pk for result in results], [self.event.pk])
        self.assertEqual(results[0].date, datetime.date(2031, 4, 27))
        self.assertIn("SCO Expo Quokkafest", response.content.decode())

    def test_in_the_sitemap_in_every_language(self):
        sitemap = self.client.get("/sitemap-pages.xml").content.decode()
        for code in ("zh-hans", "en", "de", "ru"):
            self.assertIn(f"<loc>{HOST}{url_in(self.event, code)}</loc>", sitemap)

    def test_its_json_ld_and_description_in_its_head(self):
        response = self.client.get(url_in(self.event, "en"))
        self.assertEqual(response.status_code, 200)
        soup = BeautifulSoup(response.content.decode(), "html.parser")
        blocks = [json.loads(tag.string) for tag in soup.head.find_all("script", type="application/ld+json")]
        event = next(block for block in blocks if block["@type"] == "Event")
        self.assertEqual(event["startDate"], "2031-04-27")
        self.assertEqual(event["name"], "SCO Expo Quokkafest")
        self.assertEqual(event["location"]["name"], "Qingdao International Expo Centre")
        self.assertIn("BreadcrumbList", [block["@type"] for block in blocks])
        description = soup.head.find("meta", attrs={"name": "description"})
        self.assertEqual(description["content"], "Trade fair of the Quokkafest partners.")

    def test_in_the_translations_report(self):
        self.client.force_login(self.admin)
        response = self.client.get("/admin/translations/", {"type": "event"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["errors"], [])
        self.assertIn(("event", "event"), response.context["page_types"])
        self.assertEqual([row.page.pk for row in response.context["table"]], [self.event.pk])
        # Its German and Russian are missing (the venue, summary and body are English and Chinese only).
        html = response.content.decode()
        self.assertTrue(re.search(r"l10n-state--missing", html))

    def test_exported_to_its_own_fixture_file(self):
        self.assertIn("events.json", fixture_files())
        documents = export_all()
        keys = [page["key"] for page in documents["events.json"]["pages"]]
        self.assertEqual(len(keys), 1)
        self.assertEqual(documents["events.json"]["pages"][0]["type"], "pagetype_app.EventPage")
