"""The site's identity: names in site settings, the brand, favicons, share images and share cards."""

import io
import re
import shutil
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.test import RequestFactory, TestCase, override_settings
from django.urls import reverse
from django.utils import translation

from wagtail.models import PageViewRestriction, Site

import wagtail_factories
from bs4 import BeautifulSoup
from PIL import Image, ImageChops, ImageStat

from portal import identity, pagecache, sharecards
from portal.fontmap import Coverage
from portal.models import SiteSettings
from tests.factories import build_site
from tests.helpers import LANGUAGES, url_in

HOST = "http://testserver"
# Titles in the three scripts, the German one with a long compound and an umlaut.
TITLES = {
    "zh-hans": "上合示范区举办2024年经贸洽谈会：“一带一路”合作再上新台阶",
    "ru": "Делегация Киргизии посетила Демонстрационную зону и обсудила железнодорожные перевозки",
    "de": "Güterzugverbindungen zwischen Qingdao und Zentralasien: Außenhandelsvolumen wächst kräftig",
}
LONG_TITLE = (
    "Die Verwaltungskommission der Demonstrationszone für lokale Wirtschafts- und Handelskooperation "
    "China–SOZ unterzeichnet mit Partnerzonen in Kasachstan, Usbekistan, Kirgisistan und Tadschikistan "
    "Rahmenvereinbarungen über Logistik, Landwirtschaft, Ausbildung, Zollabfertigung und grenzüberschreitenden "
    "elektronischen Handel für die kommenden fünf Jahre"
)
FONT = sharecards.font_path()
requires_font = unittest.skipIf(FONT is None, "no CJK font installed (fonts-noto-cjk)")


def head_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser").head


def meta(head, name: str, attribute: str = "property") -> list[str]:
    return [tag["content"] for tag in head.find_all("meta", attrs={attribute: name})]


class MediaMixin:
    """Cards are written into a media folder of the test's own, emptied afterwards."""

    @classmethod
    def setUpClass(cls):
        cls._media = tempfile.mkdtemp(prefix="identity-media-")
        cls._media_settings = override_settings(MEDIA_ROOT=cls._media)
        cls._media_settings.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._media_settings.disable()
        shutil.rmtree(cls._media, ignore_errors=True)

    def setUp(self):
        super().setUp()
        shutil.rmtree(Path(self._media, sharecards.DIRECTORY), ignore_errors=True)

    def card_files(self) -> list[Path]:
        return sorted(Path(self._media, sharecards.DIRECTORY).rglob("*.png"))


# --- Favicons and the static files ------------------------------------------------------------


class FaviconTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)

    def test_favicon_ico_is_served_at_the_root(self):
        response = self.client.get("/favicon.ico")
        self.assertEqual(response.status_code, 200)
        self.assertIn(response["Content-Type"], ("image/x-icon", "image/vnd.microsoft.icon"))
        cache_control = response["Cache-Control"]
        self.assertIn("public", cache_control)
        self.assertGreaterEqual(int(re.search(r"max-age=(\d+)", cache_control).group(1)), 7 * 24 * 3600)
        icon = Image.open(io.BytesIO(response.content))
        self.assertEqual(icon.format, "ICO")
        self.assertEqual(sorted(icon.info["sizes"]), [(16, 16), (32, 32), (48, 48)])

    def test_favicon_ico_refuses_a_post(self):
        self.assertEqual(self.client.post("/favicon.ico").status_code, 405)

    def test_every_page_links_the_icons_and_theme_colour(self):
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                head = head_of(self.client.get(url_in(self.site["home"], lang)))
                icons = {tuple(link["rel"]): link for link in head.find_all("link", rel=True)}
                self.assertEqual(head.find("link", rel="icon", href="/favicon.ico")["sizes"], "32x32")
                svg_icon = head.find("link", rel="icon", type="image/svg+xml")["href"]
                self.assertTrue(svg_icon.endswith("portal/img/favicon.svg"))
                self.assertTrue(icons[("apple-touch-icon",)]["href"].endswith("portal/img/apple-touch-icon.png"))
                self.assertEqual(meta(head, "theme-color", "name"), [identity.THEME_COLOR])

    def test_touch_icon_and_svg_files(self):
        touch = Image.open(identity.IMG_DIR / identity.TOUCH_ICON)
        self.assertEqual(touch.size, (180, 180))
        self.assertEqual(touch.mode, "RGB")  # opaque: iOS shows transparency as black
        self.assertEqual(touch.getpixel((2, 2)), Image.new("RGB", (1, 1), identity.NAVY).getpixel((0, 0)))
        for name in (identity.FAVICON_SVG, identity.EMBLEM_SVG):
            text = (identity.IMG_DIR / name).read_text()
            self.assertTrue(text.startswith("<svg ") and 'viewBox="0 0 64 64"' in text, name)
        default = Image.open(identity.IMG_DIR / identity.DEFAULT_SHARE_IMAGE)
        self.assertEqual(default.size, (1200, 630))

    def test_committed_files_are_what_the_code_draws(self):
        """make_identity_assets was run after the last change of the emblem or the card design."""
        if FONT is None:
            self.skipTest("no CJK font installed: the default share image cannot be drawn")
        for name, content in identity.static_files().items():
            with self.subTest(file=name):
                committed = (identity.IMG_DIR / name).read_bytes()
                if name.endswith(".svg"):
                    self.assertEqual(committed.decode(), content.decode())
                    continue
                # Pixels, not bytes: another FreeType or zlib may encode the same picture otherwise.
                drawn, kept = Image.open(io.BytesIO(content)), Image.open(io.BytesIO(committed))
                self.assertEqual(drawn.size, kept.size)
                difference = ImageChops.difference(drawn.convert("RGB"), kept.convert("RGB"))
                self.assertLess(max(ImageStat.Stat(difference).mean), 2.0, "run manage.py make_identity_assets")

    def test_make_identity_assets_writes_every_file(self):
        if FONT is None:
            self.skipTest("no CJK font installed")
        from django.core.management import call_command

        with tempfile.TemporaryDirectory() as directory:
            out = io.StringIO()
            call_command("make_identity_assets", output_dir=Path(directory), stdout=out)
            written = sorted(path.name for path in Path(directory).iterdir())
        self.assertEqual(written, sorted(identity.static_files()))


# --- Site names and the brand -------------------------------------------------------------------


class BrandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=0)

    def brand(self, lang: str) -> str:
        request = RequestFactory().get("/", HTTP_HOST="localhost")
        with translation.override(lang):
            return Template("{% load identity_tags %}{% site_brand %}").render(Context({"request": request}))

    def defaults(self, lang: str) -> tuple[str, str]:
        with translation.override(lang):
            return str(SiteSettings.DEFAULT_SITE_NAME), str(SiteSettings.DEFAULT_SHORT_NAME)

    def parts(self, html: str) -> dict:
        match = re.fullmatch(
            r'<a class="brand" href="([^"]+)">(<svg class="brand-mark" aria-hidden="true" [^>]*>.*</svg>)'
            r'<span class="brand-name">([^<]+)</span><span class="brand-short">([^<]+)</span></a>',
            html.strip(),
            re.S,
        )
        self.assertIsNotNone(match, html)
        return {"href": match[1], "svg": match[2], "name": match[3], "short": match[4]}

    def test_defaults_in_every_language(self):
        seen = set()
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                parts = self.parts(self.brand(lang))
                self.assertEqual(parts["href"], url_in(self.site["home"], lang))
                name, short = self.defaults(lang)
                self.assertEqual((parts["name"], parts["short"]), (name, short))
                seen.add(name)
        self.assertEqual(len(seen), 4, "the default name is translated into every language")
        self.assertEqual(self.defaults("zh-hans")[0], "中国—上海合作组织地方经贸合作示范区")

    def test_settings_names_and_fallback_to_the_translated_default(self):
        settings_ = SiteSettings.for_site(Site.objects.get(is_default_site=True))
        settings_.site_name_en = "SCO Demonstration Area"
        settings_.short_name_en = "SCODA"
        settings_.site_name_de = "SOZ-Demonstrationszone"
        settings_.save()
        en, de, ru = (self.parts(self.brand(lang)) for lang in ("en", "de", "ru"))
        self.assertEqual((en["name"], en["short"]), ("SCO Demonstration Area", "SCODA"))
        self.assertEqual(de["name"], "SOZ-Demonstrationszone")
        self.assertEqual(de["short"], self.defaults("de")[1], "German short name empty: the German default")
        self.assertEqual((ru["name"], ru["short"]), self.defaults("ru"), "Russian empty: not the English setting")

    def test_names_are_escaped(self):
        settings_ = SiteSettings.for_site(Site.objects.get(is_default_site=True))
        settings_.site_name_en = "<b>A & B</b>"
        settings_.save()
        html = self.brand("en")
        self.assertIn('<span class="brand-name">&lt;b&gt;A &amp; B&lt;/b&gt;</span>', html)

    def test_the_admin_shows_each_languages_default_in_its_empty_fields(self):
        self.client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.org", "x"))
        site = Site.objects.get(is_default_site=True)
        response = self.client.get(reverse("wagtailsettings:edit", args=["portal", "sitesettings", site.pk]))
        self.assertEqual(response.status_code, 200)
        page = BeautifulSoup(response.content.decode(), "html.parser")
        for lang in LANGUAGES:
            name, short = self.defaults(lang)
            suffix = lang.replace("-", "_")
            self.assertEqual(page.find("input", attrs={"name": f"site_name_{suffix}"})["placeholder"], name)
            self.assertEqual(page.find("input", attrs={"name": f"short_name_{suffix}"})["placeholder"], short)

    def test_the_mark_is_the_emblem_and_decorative(self):
        svg = self.parts(self.brand("en"))["svg"]
        self.assertEqual(svg, str(identity.brand_mark()))
        self.assertNotIn("<script", svg)

    def test_og_site_name_follows_the_settings(self):
        settings_ = SiteSettings.for_site(Site.objects.get(is_default_site=True))
        settings_.short_name_ru = "Портал ШОС"
        settings_.save()
        head = head_of(self.client.get(url_in(self.site["home"], "ru")))
        self.assertEqual(meta(head, "og:site_name"), ["Портал ШОС"])
        head = head_of(self.client.get(url_in(self.site["home"], "de")))
        self.assertEqual(meta(head, "og:site_name"), [self.defaults("de")[1]])


# --- og:image on every page ---------------------------------------------------------------------


class OgImageTests(MediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)

    def pages(self):
        s = self.site
        return {
            "home": s["home"],
            "news_index": s["news_index"],
            "news": s["news"][0],
            "zone_index": s["zone_index"],
            "zone": s["zone"],
            "branch": s["branch"],
            "delegation_index": s["delegation_index"],
            "delegation": s["delegation"],
        }

    def assert_image(self, head, where, card_size=True):
        (url,) = meta(head, "og:image")
        self.assertTrue(url.startswith(HOST + "/"), where)
        (width,), (height,) = meta(head, "og:image:width"), meta(head, "og:image:height")
        if card_size:
            self.assertEqual((width, height), ("1200", "630"), where)
        else:
            self.assertTrue(int(width) > 0 and int(height) > 0, where)
        self.assertEqual(len(meta(head, "og:image:alt")), 1, where)
        self.assertEqual(meta(head, "twitter:image", "name"), [url], where)
        self.assertEqual(meta(head, "twitter:card", "name"), ["summary_large_image"], where)
        return url

    @requires_font
    def test_every_page_type_in_every_language_has_its_card(self):
        urls = set()
        for name, page in self.pages().items():
            for lang in LANGUAGES:
                with self.subTest(page=name, lang=lang):
                    head = head_of(self.client.get(url_in(page, lang)))
                    url = self.assert_image(head, f"{name} {lang}")
                    self.assertTrue(url.startswith(f"{HOST}/share-cards/{page.pk}/{lang}/"), url)
                    card = self.client.get(url.removeprefix(HOST))
                    self.assertEqual((card.status_code, card["Content-Type"]), (200, "image/png"), url)
                    self.assertEqual(Image.open(io.BytesIO(card.content)).size, (1200, 630))
                    (stored,) = Path(self._media, sharecards.DIRECTORY, lang).glob(url.rsplit("/", 1)[1])
                    self.assertEqual(stored.read_bytes(), card.content)
                    with translation.override(lang):
                        self.assertEqual(meta(head, "og:image:alt"), [page.title])
                    urls.add(url)
        self.assertEqual(len(urls), len(self.pages()) * len(LANGUAGES), "one card per page and language")
        self.assertEqual(len(self.card_files()), len(urls))

    def test_search_and_missing_pages_share_the_default_image(self):
        for lang in LANGUAGES:
            with self.subTest(lang=lang), translation.override(lang):
                for response in (self.client.get(f"/{lang}/search/?q=zone"), self.client.get(f"/{lang}/nope/")):
                    url = self.assert_image(head_of(response), lang)
                    self.assertTrue(url.endswith("/portal/img/share-default.png"), url)
                    self.assertEqual(meta(head_of(response), "og:image:alt"), [str(SiteSettings.DEFAULT_SITE_NAME)])

    def test_a_page_with_a_lead_image_keeps_it(self):
        news = self.site["news"][1]
        news.lead_image = wagtail_factories.ImageFactory()
        news.lead_image_alt_en = "Harbour cranes"
        news.save()
        head = head_of(self.client.get(url_in(news, "en")))
        url = self.assert_image(head, "lead image", card_size=False)  # the factory's small image, not enlarged
        self.assertIn("/media/images/", url)
        self.assertEqual(meta(head, "og:image:alt"), ["Harbour cranes"])

    @override_settings(SHARE_CARD_FONT="/nonexistent/NoFont.ttc")
    def test_without_the_font_the_default_image_and_a_warning(self):
        (warning,) = sharecards.check_font()
        self.assertEqual(warning.id, "portal.W001")
        self.assertIn("/nonexistent/NoFont.ttc", warning.msg)
        head = head_of(self.client.get(url_in(self.site["news"][0], "de")))
        self.assertTrue(self.assert_image(head, "no font").endswith("/portal/img/share-default.png"))
        self.assertEqual(self.card_files(), [])

    def test_a_file_that_is_no_font_gives_the_default_image_and_a_warning(self):
        not_a_font = Path(settings.MEDIA_ROOT) / "not-a-font.ttf"
        not_a_font.parent.mkdir(parents=True, exist_ok=True)
        not_a_font.write_bytes(b"<html>not a font</html>")
        with override_settings(SHARE_CARD_FONT=str(not_a_font)):
            (warning,) = sharecards.check_font()
            self.assertEqual(warning.id, "portal.W001")
            self.assertIn("cannot be read", warning.msg)
            response = self.client.get(url_in(self.site["news"][0], "ru"))
            self.assertEqual(response.status_code, 200)
            url = self.assert_image(head_of(response), "not a font")
            with self.assertLogs("portal.sharecards", "ERROR"):
                card = self.client.get(url.removeprefix(HOST))
        # the card cannot be drawn: its address leads to the default image, and nothing is stored
        self.assertEqual(card.status_code, 302)
        self.assertTrue(card["Location"].endswith("/portal/img/share-default.png"), card["Location"])
        self.assertEqual(self.card_files(), [])

    @requires_font
    def test_the_character_map_is_read_in_a_child_process(self):
        """fontTools' map of a CJK font would stay in the worker (portal/fontmap.py): only a bitmap does."""
        sharecards.covered.cache_clear()
        modules_before = set(sys.modules)
        coverage = sharecards.covered(sharecards.font_path())
        self.assertIsInstance(coverage, Coverage)
        self.assertTrue(all(ord(char) in coverage for char in "示范区 Жемчужина Größe"))
        self.assertNotIn(0xE000, coverage)  # a private-use code point: no glyph
        self.assertNotIn(-1, coverage)
        self.assertNotIn("fontTools.ttLib", set(sys.modules) - modules_before)

    @requires_font
    def test_the_installed_font_passes_the_check(self):
        self.assertEqual(sharecards.check_font(), [])


# --- Share cards: privacy, reuse ----------------------------------------------------------------


@requires_font
class CardLifecycleTests(MediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)

    def og_image(self, page, lang="en") -> str:
        (url,) = meta(head_of(self.client.get(url_in(page, lang))), "og:image")
        return url

    def fetch(self, url):
        return self.client.get(url.removeprefix(HOST))

    def test_the_page_names_its_card_and_the_first_fetch_draws_it(self):
        news = self.site["news"][0]
        with mock.patch.object(sharecards, "render", wraps=sharecards.render) as render:
            url = self.og_image(news)  # the page's head draws nothing and reads no font
            self.assertEqual((render.call_count, self.card_files()), (0, []))
            first = self.fetch(url)
            pagecache.invalidate()
            self.assertEqual(self.og_image(news), url)
            second = self.fetch(url)  # any worker: it reads the stored file
        self.assertEqual(render.call_count, 1)
        self.assertEqual(first.content, second.content)
        self.assertEqual(len(self.card_files()), 1)
        self.assertEqual(second["Cache-Control"], "public, max-age=31536000, immutable")

    def test_a_new_title_gives_a_new_card_and_the_old_address_leads_to_it(self):
        news = self.site["news"][0]
        before = self.og_image(news)
        self.assertEqual(self.fetch(before).status_code, 200)
        news.title_en = "Freight trains to Central Asia double"
        news.save_revision().publish()
        after = self.og_image(news)
        self.assertNotEqual(before, after)
        old = self.fetch(before)
        self.assertEqual((old.status_code, old["Location"]), (302, after.removeprefix(HOST)))
        self.assertEqual(self.fetch(after).status_code, 200)
        self.assertEqual(self.og_image(news, "de"), self.og_image(news, "de"))
        self.assertEqual(self.fetch(self.og_image(news, "de")).status_code, 200)
        self.assertEqual(len(self.card_files()), 3)  # en before and after, de

    def test_no_card_for_a_private_page(self):
        news = self.site["news"][0]
        public_url = self.og_image(news)  # an address an attacker knew before the page was restricted
        PageViewRestriction.objects.create(page=news, restriction_type=PageViewRestriction.LOGIN)
        user = get_user_model().objects.create_user("reader", password="x")
        self.client.force_login(user)
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                response = self.client.get(url_in(news, lang))
                self.assertEqual(response.status_code, 200)
                (url,) = meta(head_of(response), "og:image")
                self.assertTrue(url.endswith("/portal/img/share-default.png"), url)
        self.client.logout()
        self.assertEqual(self.fetch(public_url).status_code, 404)
        self.assertEqual(self.card_files(), [])
        self.assertIsNone(sharecards.card_for(news, RequestFactory().get("/")))

    def test_no_card_for_an_unpublished_page_or_a_preview(self):
        news = self.site["news"][0]
        url = self.og_image(news)
        request = RequestFactory().get("/")
        request.is_preview = True
        self.assertIsNone(sharecards.page_card(news, request))
        news.unpublish()
        news.refresh_from_db()
        self.assertIsNone(sharecards.page_card(news, RequestFactory().get("/")))
        self.assertEqual(self.fetch(url).status_code, 404)
        self.assertEqual(self.card_files(), [])

    def test_crafted_addresses_get_a_404(self):
        news = self.site["news"][0]
        url = self.og_image(news).removeprefix(HOST)
        page_id, lang, digest = url.split("/")[2:5]
        for crafted in (
            f"/share-cards/999999/{lang}/{digest}",
            f"/share-cards/{page_id}/xx/{digest}",
            f"/share-cards/{page_id}/{lang}/..%2f..%2fsettings.png",
            f"/share-cards/{page_id}/{lang}/<b>.png",
        ):
            with self.subTest(crafted=crafted):
                self.assertEqual(self.client.get(crafted).status_code, 404)
        self.assertEqual(self.card_files(), [])

    def test_a_storage_failure_still_gives_the_card(self):
        save = "django.core.files.storage.FileSystemStorage.save"
        url = self.og_image(self.site["news"][0], "ru")
        with mock.patch(save, side_effect=OSError("disk full")), self.assertLogs("portal.sharecards", "ERROR"):
            card = self.fetch(url)
        self.assertEqual((card.status_code, card["Content-Type"]), (200, "image/png"))
        self.assertEqual(self.card_files(), [])

    def test_a_drawing_failure_leads_to_the_default_image(self):
        url = self.og_image(self.site["news"][0], "de")
        failing = mock.patch.object(sharecards, "render", side_effect=ValueError("bad"))
        with failing, self.assertLogs("portal.sharecards", "ERROR"):
            card = self.fetch(url)
        self.assertEqual(card.status_code, 302)
        self.assertTrue(card["Location"].endswith("/portal/img/share-default.png"), card["Location"])


# --- Share cards: the drawing -------------------------------------------------------------------


@requires_font
class CardDrawingTests(TestCase):
    def card(self, title: str, language: str, label: str = "News · 9 March 2021") -> Image.Image:
        with translation.override(language):
            names = identity.site_names()
        card = sharecards.Card(title, language, names.name, names.short_name, label)
        return Image.open(io.BytesIO(sharecards.render(card, FONT)))

    def title_ink(self, image: Image.Image) -> int:
        """White pixels in the title's area (the masthead and label are pale or gold, not white)."""
        area = image.convert("L").crop((0, sharecards.TITLE_TOP, 1200, sharecards.TITLE_BOTTOM + 20))
        return area.point(lambda value: 255 if value > 240 else 0).histogram()[255]

    def test_every_character_has_a_glyph_and_the_title_is_drawn(self):
        covered = sharecards.covered(FONT)
        for language, title in TITLES.items():
            with self.subTest(language=language):
                missing = {char for char in title if not char.isspace() and ord(char) not in covered}
                self.assertEqual(missing, set(), f"no glyph for {missing}")
                image = self.card(title, language)
                self.assertEqual(image.size, (1200, 630))
                self.assertGreater(self.title_ink(image), 3000)

    def test_an_empty_title_area_counts_no_ink(self):
        """The measure above can fail: a card with a blank title has no white in its title area."""
        self.assertLess(self.title_ink(self.card(" ", "en")), 50)

    def test_characters_the_font_lacks_are_dropped_not_boxed(self):
        self.assertEqual(sharecards.drawable("Zone \U0010fffd news", FONT), "Zone news")
        self.assertEqual(sharecards.drawable("上合\t示范区", FONT), "上合 示范区")

    def test_chinese_breaks_between_characters_and_keeps_punctuation(self):
        font = sharecards._font(FONT, 64)
        lines = sharecards.wrap(sharecards.units(TITLES["zh-hans"]), font, 700)
        self.assertGreater(len(lines), 1)
        self.assertEqual("".join(lines), TITLES["zh-hans"].replace(" ", ""))
        for line in lines:
            self.assertNotIn(line[0], "，。：”）", "no line starts with closing punctuation")
            self.assertNotIn(line[-1], "“（", "no line ends with opening punctuation")
        self.assertIn("2024", "".join(lines))
        self.assertTrue(any("2024" in line for line in lines), "digits stay together")

    def test_latin_and_cyrillic_break_between_words_only(self):
        for title in (TITLES["ru"], TITLES["de"], LONG_TITLE):
            with self.subTest(title=title[:20]):
                font = sharecards._font(FONT, 58)
                lines = sharecards.wrap(sharecards.units(title), font, 900)
                words = set(title.split()) | set(title.replace("China–", "China– ").split())
                for line in lines:
                    for word in line.split():
                        self.assertIn(word, words, f"{word!r} is not a whole word of the title")
                self.assertEqual(" ".join(lines).replace("– ", "–"), title)

    def test_a_one_letter_word_never_ends_a_line(self):
        title = "Статья в «Жэньминь жибао»: превратить зону ШОС в центр открытости и сотрудничества"
        font = sharecards._font(FONT, 64)
        for width in range(700, 1100, 20):
            lines = sharecards.wrap(sharecards.units(title), font, width)
            self.assertFalse(any(line.split()[-1] in ("в", "и") for line in lines), (width, lines))
            self.assertEqual(" ".join(lines), title)

    def test_long_titles_get_a_smaller_font_and_end_with_whole_words(self):
        short_font, short_lines = sharecards.fit("Zones", FONT)
        long_font, long_lines = sharecards.fit(LONG_TITLE, FONT)
        self.assertEqual(short_font.size, sharecards.TITLE_SIZES[0])
        self.assertEqual(short_lines, ["Zones"])
        self.assertEqual(long_font.size, sharecards.TITLE_SIZES[-1])
        self.assertLessEqual(len(long_lines), sharecards.TITLE_MAX_LINES)
        self.assertTrue(long_lines[-1].endswith("…"))
        words = set(LONG_TITLE.split()) | set(LONG_TITLE.replace("China–", "China– ").split())
        for word in " ".join(long_lines).removesuffix("…").split():
            self.assertIn(word, words)
        middle_font, _ = sharecards.fit(TITLES["de"], FONT)
        self.assertLess(middle_font.size, short_font.size)
        for line in long_lines:
            self.assertLessEqual(long_font.getlength(line), sharecards.TEXT_WIDTH)

    def test_a_word_longer_than_a_line_is_set_smaller_not_cut(self):
        word = "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft"
        font, lines = sharecards.fit(word, FONT)
        self.assertEqual(lines, [word])
        self.assertLess(font.size, sharecards.TITLE_SIZES[-1])
        self.assertLessEqual(font.getlength(word), sharecards.TEXT_WIDTH)

    def test_the_file_name_follows_what_is_drawn(self):
        card = sharecards.Card("Title", "en", "Name", "Short", "News")
        same = sharecards.Card("Title", "en", "Name", "Short", "News")
        self.assertEqual(card.file_name(FONT), same.file_name(FONT))
        for other in (
            sharecards.Card("Title!", "en", "Name", "Short", "News"),
            sharecards.Card("Title", "de", "Name", "Short", "News"),
            sharecards.Card("Title", "en", "Other name", "Short", "News"),
            sharecards.Card("Title", "en", "Name", "Short", "Zones"),
        ):
            self.assertNotEqual(card.file_name(FONT), other.file_name(FONT))
        before = card.file_name(FONT)
        with mock.patch.object(sharecards, "DESIGN_VERSION", sharecards.DESIGN_VERSION + 1):
            self.assertNotEqual(card.file_name(FONT), before)
