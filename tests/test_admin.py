"""Staff work through the Wagtail admin's own forms and POSTs, not the ORM."""

import datetime

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.utils import timezone

from wagtail.models import Page
from wagtail.test.utils.form_data import querydict_from_html, rich_text
from wagtail.users.models import UserProfile

from news.models import NewsPage
from tests.factories import build_site
from tests.helpers import LANGUAGES, form_data, h1, url_in

SUFFIX = {"zh-hans": "zh_hans", "en": "en", "de": "de", "ru": "ru"}
TITLES = {
    "zh-hans": "两江新区推介会",
    "en": "Liangjiang promotion meeting",
    "de": "Promotionstreffen Liangjiang",
    "ru": "Презентация Лянцзяна",
}


class AdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)
        cls.editor = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
        # The editor works in an English admin: the default-language columns must not follow it.
        UserProfile.get_for_user(cls.editor).__class__.objects.filter(user=cls.editor).update(preferred_language="en")

    def setUp(self):
        self.client.force_login(self.editor)

    def add_url(self, model, parent):
        return f"/admin/pages/add/{model._meta.app_label}/{model._meta.model_name}/{parent.pk}/"

    def news_form(self, **overrides):
        response = self.client.get(self.add_url(NewsPage, self.site["news_index"]))
        self.assertEqual(response.status_code, 200)
        data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
        for lang, suffix in SUFFIX.items():
            data[f"title_{suffix}"] = TITLES[lang]
            data[f"summary_{suffix}"] = f"Summary in {lang}"
            data[f"source_{suffix}"] = f"Source {lang}"
            data[f"body_{suffix}"] = rich_text(f"<p>Body text in {lang}</p>")
            data[f"slug_{suffix}"] = ""
        data["date"] = "2021-04-12"
        data["press_contact_phone"] = "+86-10-63074558"
        for key, value in overrides.items():
            data[key] = value
        return data

    def test_every_page_type_form_has_every_language(self):
        s = self.site
        cases = [
            (type(s["news"][0]), s["news_index"], ["summary", "body", "source", "byline", "dateline", "press_contact"]),
            (type(s["zone"]), s["zone_index"], ["summary", "body", "city", "key_industries", "contact"]),
            (type(s["zone"]), s["zone"], ["summary"]),
            (type(s["delegation"]), s["delegation_index"], ["leader_name", "places_visited", "outcomes"]),
        ]
        for model, parent, fields in cases:
            html = self.client.get(self.add_url(model, parent)).content.decode()
            for field in ["title", "slug", *fields]:
                for suffix in SUFFIX.values():
                    self.assertIn(f'name="{field}_{suffix}"', html, f"{model.__name__}.{field}_{suffix}")

    def test_create_and_publish_news_through_the_admin(self):
        response = self.client.post(
            self.add_url(NewsPage, self.site["news_index"]), self.news_form(**{"action-publish": "publish"})
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        page = NewsPage.objects.get(title_zh_hans=TITLES["zh-hans"])
        self.assertTrue(page.live)
        self.assertEqual(page.slug_zh_hans, "liang-jiang-xin-qu-tui-jie-hui", "empty slug filled with pinyin")
        self.assertEqual(page.slug_de, "promotionstreffen-liangjiang")
        raw = Page.objects.rewrite(False).filter(pk=page.pk).values("title", "slug", "draft_title").get()
        self.assertEqual(raw, {"title": TITLES["zh-hans"], "slug": page.slug_zh_hans, "draft_title": TITLES["zh-hans"]})
        for lang in LANGUAGES:
            html = self.client.get(url_in(page, lang)).content.decode()
            self.assertEqual(h1(html), TITLES[lang])
            self.assertIn(f"Body text in {lang}", html)
            self.assertIn(f"Summary in {lang}", html)

    def test_default_language_title_is_required_others_optional(self):
        data = self.news_form(title_zh_hans="", title_de="", title_ru="", **{"action-publish": "publish"})
        response = self.client.post(self.add_url(NewsPage, self.site["news_index"]), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("title_zh_hans", response.context["form"].errors)
        self.assertNotIn("title_de", response.context["form"].errors)
        self.assertFalse(NewsPage.objects.filter(title_en=TITLES["en"]).exists(), "nothing half written")
        data = self.news_form(title_de="", title_ru="", **{"action-publish": "publish"})
        response = self.client.post(self.add_url(NewsPage, self.site["news_index"]), data)
        self.assertEqual(response.status_code, 302)
        page = NewsPage.objects.get(title_zh_hans=TITLES["zh-hans"])
        self.assertEqual(h1(self.client.get(url_in(page, "de")).content.decode()), TITLES["en"])

    def test_empty_rich_text_in_the_editor_falls_back(self):
        data = self.news_form(body_de=rich_text(""), **{"action-publish": "publish"})
        self.client.post(self.add_url(NewsPage, self.site["news_index"]), data)
        page = NewsPage.objects.get(title_zh_hans=TITLES["zh-hans"])
        self.assertEqual(page.body_de, "")
        self.assertIn("Body text in en", self.client.get(url_in(page, "de")).content.decode())

    def test_schedule_publication(self):
        go_live = (timezone.now() + datetime.timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
        data = self.news_form(go_live_at=go_live, **{"action-publish": "publish"})
        response = self.client.post(self.add_url(NewsPage, self.site["news_index"]), data)
        self.assertEqual(response.status_code, 302)
        page = NewsPage.objects.get(title_zh_hans=TITLES["zh-hans"])
        self.assertFalse(page.live)
        self.assertIsNotNone(page.go_live_at)
        self.assertTrue(page.revisions.filter(approved_go_live_at__isnull=False).exists())
        self.assertEqual(self.client.get(url_in(page, "en")).status_code, 404)

    def test_preview_before_saving(self):
        url = self.add_url(NewsPage, self.site["news_index"]) + "preview/"
        response = self.client.post(url, self.news_form())
        self.assertEqual(response.json()["is_valid"], True)
        preview = self.client.get(url)
        self.assertEqual(preview.status_code, 200)
        self.assertContains(preview, "Body text in")

    def test_edit_keeps_other_languages(self):
        news = self.site["news"][0]
        edit_url = f"/admin/pages/{news.pk}/edit/"
        data = querydict_from_html(self.client.get(edit_url).content.decode(), form_id="page-edit-form")
        data["title_ru"] = "Новый заголовок"
        data["action-publish"] = "publish"
        response = self.client.post(edit_url, form_data(data))
        self.assertEqual(response.status_code, 302)
        news.refresh_from_db()
        self.assertEqual(news.title_ru, "Новый заголовок")
        self.assertEqual(news.title_de.startswith("Nachricht"), True)
        self.assertEqual(
            Page.objects.rewrite(False).filter(pk=news.pk).values_list("title", flat=True).get(), news.title_zh_hans
        )
