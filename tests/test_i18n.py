"""Languages: URLs, <html lang>, translated titles, interface strings, fallback, the switcher."""

import re

from django.test import TestCase
from django.utils import translation

from news.models import NewsPage
from tests.factories import build_site
from tests.helpers import LANGUAGES, h1, html_lang, url_in

UI_SEARCH = {"zh-hans": "搜索", "en": "Search", "de": "Suche", "ru": "Поиск"}


class LanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)

    def pages(self):
        s = self.site
        return [
            s["home"],
            s["news_index"],
            s["news"][0],
            s["zone_index"],
            s["zone"],
            s["branch"],
            s["delegation_index"],
            s["delegation"],
        ]

    def test_every_page_type_renders_in_every_language_with_its_title(self):
        for page in self.pages():
            for lang in LANGUAGES:
                with self.subTest(page=type(page).__name__, lang=lang):
                    url = url_in(page, lang)
                    self.assertTrue(url.startswith(f"/{lang}/"), url)
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    html = response.content.decode()
                    self.assertEqual(html_lang(html), lang)
                    with translation.override(lang):
                        expected = (
                            NewsPage.objects.get(pk=page.pk).title
                            if isinstance(page, NewsPage)
                            else type(page).objects.get(pk=page.pk).title
                        )
                    self.assertEqual(expected, getattr(page, "title_" + lang.replace("-", "_")))
                    self.assertEqual(h1(html), expected)

    def test_interface_text_is_in_the_page_language(self):
        for lang in LANGUAGES:
            html = self.client.get(f"/{lang}/").content.decode()
            self.assertIn(f">{UI_SEARCH[lang]}</a>", html, lang)

    def test_root_redirects_by_accept_language(self):
        cases = {
            "de-DE,de;q=0.9": "/de/",
            "ru": "/ru/",
            "en-GB,en;q=0.8": "/en/",
            "zh-CN,zh;q=0.9": "/zh-hans/",
            "fr-FR": "/zh-hans/",
            "": "/zh-hans/",
        }
        for header, target in cases.items():
            with self.subTest(header=header):
                response = self.client.get("/", headers={"accept-language": header} if header else {})
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response["Location"], target)

    def test_switcher_links_to_each_languages_own_url(self):
        news = self.site["news"][0]
        html = self.client.get(url_in(news, "de")).content.decode()
        switcher = re.search(r'<nav class="lang-switcher".*?</nav>', html, re.S).group(0)
        for lang in LANGUAGES:
            self.assertIn(f'href="{url_in(news, lang)}" hreflang="{lang}"', switcher)
        self.assertIn('hreflang="de" lang="de" aria-current="true"', switcher)
        # the slugs really are translated
        self.assertIn("/de/nachrichten/", url_in(news, "de"))
        self.assertIn("/ru/novosti/", url_in(news, "ru"))

    def test_chinese_and_russian_slugs_are_ascii(self):
        for page in self.pages():
            for lang in LANGUAGES:
                url = url_in(page, lang)
                self.assertTrue(url.isascii(), url)
                self.assertNotIn("%", url)


class FallbackTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)

    def fetch(self, page, lang):
        page = type(page).objects.get(pk=page.pk)
        return self.client.get(url_in(page, lang)).content.decode()

    def test_german_and_russian_fall_back_to_english_then_chinese(self):
        news = self.site["news"][0]
        news.title_de = ""
        news.summary_de = ""
        news.summary_ru = ""
        news.summary_en = ""
        news.save_revision().publish()
        de = self.fetch(news, "de")
        self.assertEqual(h1(de), news.title_en, "empty German title shows the English one")
        self.assertIn(news.summary_zh_hans, de, "empty de and en summary show the Chinese one")
        self.assertIn(f'lang="zh-hans">{news.summary_zh_hans}', de, "fallback text carries its own lang")
        ru = self.fetch(news, "ru")
        self.assertIn(news.summary_zh_hans, ru)
        en = self.fetch(news, "en")
        self.assertIn(news.summary_zh_hans, en, "English falls back to Chinese")

    def test_empty_rich_text_from_the_editor_falls_back(self):
        news = self.site["news"][0]
        news.body_de = "<p></p>"
        news.body_ru = "<p><br/></p>"
        news.save_revision().publish()
        news.refresh_from_db()
        self.assertEqual(news.body_de, "", "an empty editor paragraph is stored as ''")
        self.assertEqual(news.body_ru, "")
        de = self.fetch(news, "de")
        self.assertIn(news.body_en, de)
        self.assertIn('lang="en"', de)

    def test_language_a_field_is_shown_in(self):
        from portal import i18n

        zone = self.site["zone"]
        zone.summary_ru = ""
        zone.summary_en = ""
        self.assertEqual(i18n.field_language(zone, "summary", "ru"), "zh-hans")
        self.assertEqual(i18n.field_language(zone, "summary", "de"), "de")
        self.assertEqual(i18n.fallback_chain("ru"), ["ru", "en", "zh-hans"])
        self.assertEqual(i18n.fallback_chain("en"), ["en", "zh-hans"])


class UntranslatedColumnsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)

    def test_title_slug_url_path_keep_default_language_whatever_language_is_active(self):
        from wagtail.models import Page

        news = self.site["news"][0]
        for lang in ["en", "ru", "de"]:
            with translation.override(lang):
                page = NewsPage.objects.get(pk=news.pk)
                page.title_en = f"Changed in {lang}"
                page.save_revision().publish()
            raw = (
                Page.objects.rewrite(False).filter(pk=news.pk).values("title", "slug", "url_path", "draft_title").get()
            )
            self.assertEqual(raw["title"], news.title_zh_hans)
            self.assertEqual(raw["draft_title"], news.title_zh_hans)
            self.assertEqual(raw["slug"], news.slug_zh_hans)
            self.assertEqual(raw["url_path"], news.url_path_zh_hans)

    def test_slugs_are_made_from_titles(self):
        from portal.i18n import ascii_slug

        self.assertEqual(ascii_slug("上合示范区"), "shang-he-shi-fan-qu")
        self.assertEqual(ascii_slug("Новый район Лянцзян"), "novyi-raion-liantszian")
        self.assertEqual(ascii_slug("Neues Gebiet Größe"), "neues-gebiet-groesse")
        self.assertEqual(ascii_slug("Liangjiang New Area"), "liangjiang-new-area")


def test_interface_translations_are_complete_and_compiled():
    """Every .po entry is translated, none fuzzy, and the committed .mo matches its .po."""
    import shutil
    import subprocess
    from pathlib import Path

    from django.conf import settings

    assert shutil.which("msgfmt"), "gettext is needed: apt-get install gettext"
    for lang in ["zh_Hans", "de", "ru"]:
        po = Path(settings.LOCALE_PATHS[0]) / lang / "LC_MESSAGES" / "django.po"
        untranslated = subprocess.run(
            ["msgattrib", "--untranslated", str(po)], capture_output=True, text=True, check=True
        )
        assert "msgid" not in untranslated.stdout, f"{po} has untranslated entries:\n{untranslated.stdout[:500]}"
        assert "#, fuzzy" not in po.read_text(encoding="utf-8"), f"{po} has fuzzy entries"
        compiled = subprocess.run(["msgfmt", "--check-format", "-o", "-", str(po)], capture_output=True, check=True)
        assert compiled.stdout == po.with_suffix(".mo").read_bytes(), (
            f"run `make messages`: {po.with_suffix('.mo')} is stale"
        )


def test_every_interface_string_is_in_the_catalogues(tmp_path):
    """makemessages on a copy of the code finds nothing new to translate."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for name in ("portal", "news", "zones", "templates"):
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "-l", "de", "-l", "ru", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"},
    )
    for lang in ("zh_Hans", "de", "ru"):
        po = tmp_path / "portal" / "locale" / lang / "LC_MESSAGES" / "django.po"
        untranslated = subprocess.run(
            ["msgattrib", "--untranslated", str(po)], capture_output=True, text=True, check=True
        )
        fuzzy = subprocess.run(["msgattrib", "--only-fuzzy", str(po)], capture_output=True, text=True, check=True)
        assert "msgid" not in untranslated.stdout + fuzzy.stdout, (
            f"{lang}: strings without translation (run `make messages` and translate them):\n"
            + (untranslated.stdout + fuzzy.stdout)[:800]
        )
