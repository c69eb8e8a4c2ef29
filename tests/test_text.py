"""Text as a visitor reads it (portal.text, text_tags): cutting, excerpts, marked search words, dates and
ranges, soft hyphens; and where the site shows them: search page, cards, delegation dates, home title, 404."""

import datetime
import html
import re
from unittest import mock

from django.template import Context, Template
from django.test import SimpleTestCase, TestCase, override_settings
from django.utils import translation

from wagtail.models import PageViewRestriction

from news.models import NewsPage
from portal import pagecache, text
from portal.i18n import html_to_text
from portal.search import query as search_query
from portal.search.index import rebuild
from tests.factories import NewsPageFactory, build_site
from tests.helpers import LANGUAGES, h1, html_lang, url_in

SHY = "\u00ad"


def words_of(value: str) -> list[str]:
    return re.findall(r"\w+", value)


class CutTests(SimpleTestCase):
    def assert_cut_at_word(self, source: str, result: str, length: int):
        self.assertLessEqual(len(result), length)
        self.assertTrue(result.endswith("…"), result)
        kept = result[:-1]
        self.assertTrue(source.startswith(kept), (source, result))
        # never inside a word: what follows the kept text starts a new word (or is punctuation cut off)
        following = source[len(kept) :]
        self.assertFalse(kept[-1:].isalnum() and following[:1].isalnum(), result)

    def test_each_language_is_cut_between_words(self):
        texts = {
            "en": "In 2018, at the 18th Meeting of the Council of Heads of Member States of the Shanghai "
            "Cooperation Organization, President Xi Jinping announced the demonstration area.",
            "de": "Die Grenzwirtschaftskooperationszone Jeminay und die Nationale "
            "Hightech-Industrieentwicklungszone Zibo arbeiten mit der Demonstrationszone zusammen.",
            "ru": "Демонстрационная зона местного торгово-экономического сотрудничества Китай — ШОС "
            "расположена в Циндао и работает с партнёрскими зонами.",
        }
        for code, source in texts.items():
            for length in (20, 37, 50, 61, 80):
                with self.subTest(code=code, length=length):
                    self.assert_cut_at_word(source, text.cut(source, length), length)

    def test_chinese_is_cut_at_a_character_latin_and_digits_inside_it_never(self):
        source = "2024年上合示范区经贸洽谈会在青岛举行，SCODA2024论坛同期召开，来自上海合作组织国家的代表参加。"
        for length in range(5, len(source)):  # from the first place a cut may fall
            with self.subTest(length=length):
                result = text.cut(source, length)
                self.assertLessEqual(len(result), length)
                kept = result[:-1]
                self.assertTrue(source.startswith(kept))
                for word in ("2024", "SCODA2024"):
                    # a Latin word or number inside Chinese is kept whole or left out whole
                    start = source.find(word)
                    if start < len(kept) < start + len(word):
                        self.fail(f"{result!r} cuts {word}")
        self.assertEqual(text.cut(source, 12), "2024年上合示范区经…")
        self.assertEqual(
            text.cut("上合示范区位于青岛，是平台。", 11), "上合示范区位于青岛…", "no comma before the ellipsis"
        )

    def test_edge_cases(self):
        self.assertEqual(text.cut("", 10), "")
        self.assertEqual(text.cut(None, 10), "")
        self.assertEqual(text.cut("exactly ten", 11), "exactly ten", "a text of exactly the length is whole")
        self.assertEqual(text.cut("exactly ten!", 11), "exactly…")
        self.assertEqual(text.cut("  spaced\n\nout  text ", 100), "spaced out text")
        # one word longer than the length: the only case cut inside a word
        self.assertEqual(text.cut("Grenzwirtschaftskooperationszone", 10), "Grenzwirt…")
        self.assertEqual(text.cut("a Grenzwirtschaftskooperationszone", 10), "a…")
        self.assertEqual(text.cut("Ends with a clause, and more words", 20), "Ends with a clause…")

    def test_meta_descriptions_are_cut_at_a_word_with_paragraphs_apart(self):
        from portal.seo.head import plain_text

        value = "<p>SCODA works with it.</p><p>In 2018 the " + "cooperation " * 40 + "</p>"
        description = plain_text(value, 60)
        self.assertTrue(description.startswith("SCODA works with it. In 2018 the cooperation"), description)
        self.assertTrue(description.endswith("cooperation…"), description)
        self.assertLessEqual(len(description), 60)


class HtmlToTextTests(SimpleTestCase):
    def test_blocks_keep_a_space_between_them(self):
        self.assertEqual(html_to_text("<p>with it.</p><p>In 2018</p>"), "with it. In 2018")
        self.assertEqual(
            html_to_text("<h2>Facts</h2><ul><li>21 routes</li><li>180<br>sessions</li></ul>"),
            "Facts 21 routes 180 sessions",
        )
        self.assertEqual(html_to_text("R<b>&amp;</b>D <i>in</i>side"), "R&D inside", "inline tags join")
        self.assertEqual(html_to_text('<p title="a>b">x</p><p>y</p>'), "x y", "unusual markup too")
        self.assertEqual(html_to_text(f"Grenz{SHY}zone"), "Grenzzone", "soft hyphens are not text")


class ExcerptTests(SimpleTestCase):
    def test_latin_excerpt_shows_the_word_with_some_text_before(self):
        source = (
            " ".join(f"word{n}" for n in range(100)) + " Karamay trainees " + " ".join(f"tail{n}" for n in range(50))
        )
        result = text.excerpt(source, ["karamay"], 80)
        self.assertLessEqual(len(result), 80)
        self.assertTrue(result.startswith("…word"), result)
        self.assertTrue(result.endswith("…"), result)
        self.assertIn("Karamay", result)
        self.assertGreater(result.index("Karamay"), 10, "some text before the word")
        for word in words_of(result):
            self.assertIn(word, words_of(source), "no word cut in two")

    def test_cyrillic_excerpt(self):
        source = "Сотрудничество " * 20 + "Карамай принимает делегацию " + "развитие " * 30
        result = text.excerpt(source, text.visitor_words("Карамая"), 90)
        self.assertIn("Карамай", result)
        self.assertLessEqual(len(result), 90)
        self.assertTrue(set(words_of(result)) <= set(words_of(source)), result)

    def test_chinese_excerpt(self):
        source = "上海合作组织" * 30 + "克拉玛依代表团访问上合示范区" + "经贸合作" * 30
        result = text.excerpt(source, text.visitor_words("克拉玛依"), 40)
        self.assertIn("克拉玛依", result)
        self.assertLessEqual(len(result), 40)
        self.assertTrue(result.startswith("…") and result.endswith("…"))

    def test_a_word_found_inside_a_longer_word_is_shown_unmarked(self):
        source = "Anfang " * 40 + "Die Freihandelszone Linyi " + "Ende " * 40
        result = text.excerpt(source, ["zone"], 60)
        self.assertIn("Freihandelszone", result)
        self.assertNotIn("<mark>", text.highlight(result, ["zone"]))

    def test_no_match_or_short_text_starts_at_the_beginning(self):
        self.assertEqual(text.excerpt("short text", ["absent"], 50), "short text")
        self.assertEqual(text.excerpt("one two three four five", ["absent"], 12), "one two…")
        self.assertEqual(text.excerpt("", ["x"], 10), "")


class HighlightTests(SimpleTestCase):
    def test_words_are_marked_and_the_rest_escaped(self):
        marked = text.highlight("Trainees & training in Karamay", text.visitor_words("trainee KARAMAY"))
        self.assertEqual(marked, "<mark>Trainees</mark> &amp; training in <mark>Karamay</mark>")

    def test_a_query_with_markup_never_becomes_markup(self):
        query = "<b>bold</b> <script>alert(1)</script>"
        marked = text.highlight("A <b>bold</b> claim, <script>alert(1)</script>", text.visitor_words(query))
        self.assertNotIn("<b>", marked)
        self.assertNotIn("<script>", marked)
        self.assertIn("&lt;<mark>b</mark>&gt;<mark>bold</mark>&lt;/<mark>b</mark>&gt;", marked)
        self.assertEqual(re.sub(r"</?mark>", "", marked), html.escape("A <b>bold</b> claim, <script>alert(1)</script>"))
        rendered = Template("{% load text_tags %}{{ excerpt|highlight:q }}").render(
            Context({"excerpt": "Use <b> for bold", "q": "<b>"})
        )
        self.assertEqual(rendered, "Use &lt;<mark>b</mark>&gt; for bold")

    def test_entities_are_text(self):
        # the excerpt is plain text: "&" is a character, and a query "amp" matches no entity
        self.assertEqual(text.highlight("R&D and AT&T", ["amp"]), "R&amp;D and AT&amp;T")
        self.assertEqual(text.highlight("R&D", ["d"]), "R&amp;<mark>D</mark>")

    def test_short_words_match_whole_words_only(self):
        self.assertEqual(text.highlight("be bold, b", ["b"]), "be bold, <mark>b</mark>")

    def test_inflected_forms(self):
        self.assertEqual(text.highlight("город Карамай", text.visitor_words("Карамая")), "город <mark>Карамай</mark>")
        self.assertEqual(text.highlight("two zones", ["zone"]), "two <mark>zones</mark>")

    def test_chinese_words_and_overlapping_terms(self):
        self.assertEqual(text.highlight("上合示范区", text.visitor_words("示范区")), "上合<mark>示范区</mark>")
        # overlapping words become one mark
        self.assertEqual(text.highlight("上合示范区", ["示范", "范区", "合示"]), "上<mark>合示范区</mark>")
        # a word the text does not hold whole is marked by its character pairs, as the search matched it
        self.assertEqual(
            text.highlight("上合组织与示范区", text.visitor_words("上合示范")),
            "<mark>上合</mark>组织与<mark>示范</mark>区",
        )

    def test_chinese_mixed_with_latin_and_digits(self):
        self.assertEqual(text.visitor_words("SCO示范区 2024年"), ["sco", "示范区", "2024", "年"])
        self.assertEqual(
            text.highlight("2024年SCO示范区论坛", text.visitor_words("sco 2024")),
            "<mark>2024</mark>年<mark>SCO</mark>示范区论坛",
        )


class DateTests(SimpleTestCase):
    MARCH_9, MARCH_10 = datetime.date(2021, 3, 9), datetime.date(2021, 3, 10)

    def in_language(self, code, start, end):
        with translation.override(code):
            return text.date_range(start, end, code)

    def test_a_range_within_a_month_writes_month_and_year_once(self):
        expected = {
            "en": "9–10 March 2021",
            "de": "9.–10. März 2021",
            "ru": "9–10 марта 2021 г.",
            "zh-hans": "2021年3月9日至10日",
        }
        for code, value in expected.items():
            self.assertEqual(self.in_language(code, self.MARCH_9, self.MARCH_10), value)

    def test_across_months_and_years_both_dates_in_full(self):
        start, end = datetime.date(2021, 2, 28), datetime.date(2021, 3, 2)
        expected = {
            "en": "28 February 2021 – 2 March 2021",
            "de": "28. Februar 2021 – 2. März 2021",
            "ru": "28 февраля 2021 г. – 2 марта 2021 г.",
            "zh-hans": "2021年2月28日至2021年3月2日",
        }
        for code, value in expected.items():
            self.assertEqual(self.in_language(code, start, end), value)
        self.assertEqual(
            self.in_language("en", datetime.date(2021, 12, 30), datetime.date(2022, 1, 2)),
            "30 December 2021 – 2 January 2022",
        )

    def test_one_day(self):
        expected = {"en": "9 March 2021", "de": "9. März 2021", "ru": "9 марта 2021 г.", "zh-hans": "2021年3月9日"}
        for code, value in expected.items():
            self.assertEqual(self.in_language(code, self.MARCH_9, None), value)
            self.assertEqual(self.in_language(code, self.MARCH_9, self.MARCH_9), value)
            with translation.override(code):
                self.assertEqual(text.format_date(self.MARCH_9), value, "single dates as in ranges")
                self.assertEqual(Template("{{ d|date:'DATE_FORMAT' }}").render(Context({"d": self.MARCH_9})), value)
        self.assertEqual(self.in_language("en", None, None), "")

    def test_an_end_before_the_start_is_not_made_a_range_within_the_month(self):
        self.assertEqual(self.in_language("en", self.MARCH_10, self.MARCH_9), "10 March 2021 – 9 March 2021")

    def test_time_range_markup(self):
        template = Template("{% load text_tags %}{% time_range start end %}")
        with translation.override("de"):
            rendered = template.render(Context({"start": self.MARCH_9, "end": self.MARCH_10}))
        self.assertEqual(
            rendered, '<time datetime="2021-03-09">9.</time>–<time datetime="2021-03-10">10. März 2021</time>'
        )
        with translation.override("zh-hans"):
            self.assertEqual(
                template.render(Context({"start": self.MARCH_9, "end": None})),
                '<time datetime="2021-03-09">2021年3月9日</time>',
            )
            self.assertEqual(
                Template("{% load text_tags %}{{ start|date_range:end }}").render(
                    Context({"start": self.MARCH_9, "end": self.MARCH_10})
                ),
                "2021年3月9日至10日",
            )


class HyphenationTests(SimpleTestCase):
    def test_german_compounds_get_soft_hyphens(self):
        result = text.hyphenate("Die Grenzwirtschaftskooperationszone Jeminay", "de")
        self.assertEqual(result.replace(SHY, ""), "Die Grenzwirtschaftskooperationszone Jeminay")
        self.assertIn(f"Grenz{SHY}wirt{SHY}schafts", result)
        self.assertNotIn(SHY, result.split()[0] + result.split()[2], "short words are left whole")

    def test_russian_long_words_get_soft_hyphens(self):
        result = text.hyphenate("Демонстрационная зона торгово-экономического сотрудничества", "ru")
        self.assertEqual(result.replace(SHY, ""), "Демонстрационная зона торгово-экономического сотрудничества")
        self.assertIn(f"Де{SHY}мон{SHY}стра", result)
        self.assertIn("торгово-эко", result, "each part of a hyphenated compound on its own")
        self.assertNotIn(f"-{SHY}", result)
        self.assertNotIn(f"{SHY}-", result)

    def test_other_languages_are_unchanged(self):
        for code in ("en", "zh-hans"):
            self.assertEqual(text.hyphenate("Internationalization 国际化", code), "Internationalization 国际化")

    def test_addresses_and_references_are_left_alone(self):
        source = (
            "https://www.demonstrationszone.example/kooperationszone info@kooperationszone.example"
            " &CounterClockwiseContourIntegral; Demonstrationszone/Kooperationszone"
        )
        self.assertEqual(text.hyphenate(source, "de"), source)

    def test_html_only_in_text_never_in_attributes_or_code(self):
        markup = (
            '<p title="Grenzwirtschaftskooperationszone"><a href="/de/grenzwirtschaftskooperationszone/">'
            "Grenzwirtschaftskooperationszone</a> <code>Grenzwirtschaftskooperationszone</code>"
            "<!-- Grenzwirtschaftskooperationszone --> Industrieentwicklungszone</p>"
        )
        result = text.hyphenate_html(markup, "de")
        self.assertEqual(result.replace(SHY, ""), markup)
        self.assertEqual(result.lower().count("grenzwirtschaftskooperationszone"), 4, "attribute, URL, code, comment")
        self.assertIn(f"Grenz{SHY}wirt", result)
        self.assertIn(f"In{SHY}dus{SHY}trie", result)

    def test_filter_escapes_plain_text_and_keeps_safe_markup(self):
        template = Template("{% load text_tags %}{{ value|hyphenate }}")
        with translation.override("de"):
            rendered = template.render(Context({"value": "<Industrieentwicklungszone>"}))
            self.assertIn(f"In{SHY}dus", rendered)
            self.assertEqual(rendered.replace(SHY, ""), "&lt;Industrieentwicklungszone&gt;")
            markup = Template("{% load text_tags %}{{ value|safe|hyphenate }}").render(
                Context({"value": '<a href="/industrieentwicklungszone/">Industrieentwicklungszone</a>'})
            )
            self.assertTrue(markup.startswith('<a href="/industrieentwicklungszone/">In'), markup)
            self.assertIn(SHY, markup)


class FieldTextTests(TestCase):
    """A translated field as shown: cut, and hyphenated by the language its value is in."""

    def test_field_text_hyphenates_in_the_language_the_value_is_in(self):
        page = NewsPage(
            title_zh_hans="新闻",
            title_en="Internationalization conference",
            title_de="",
            summary_de="Die Industrieentwicklungszone " + "wächst " * 60,
        )
        template = Template('{% load text_tags %}{% field_text page "title" %}|{% field_text page "summary" cut=40 %}')
        with translation.override("de"):
            title, summary = template.render(Context({"page": page})).split("|")
        self.assertEqual(title, "Internationalization conference", "English fallback text: no German hyphens")
        self.assertIn(SHY, summary)
        self.assertEqual(summary.replace(SHY, ""), "Die Industrieentwicklungszone wächst…")


class SearchPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)
        index = cls.site["news_index"]
        cls.public = NewsPageFactory(
            parent=index,
            title_de="Kooperationsplattform im Test",
            body_de="<p>Ein Quellwort steht hier.</p><p>Zweiter Absatz</p><p>Grenzwirtschaftskooperationszone</p>",
            body_ru="<p>Квеллворт</p>",
        )
        NewsPageFactory(parent=index, body_ru="<p>Квеллворт дважды</p>", body_zh_hans="<p>源词在此</p>")
        private = NewsPageFactory(parent=index, body_de="<p>Quellwort Geheimwort</p>")
        PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
        NewsPageFactory(parent=index, live=False, body_de="<p>Quellwort Geheimwort</p>")
        rebuild()

    def search(self, lang, query, **params):
        response = self.client.get(f"/{lang}/search/", {"q": query, **params})
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_search_pages_are_noindex_with_one_description(self):
        descriptions = set()
        for lang in LANGUAGES:
            for query in ("", "Quellwort", "nothing-matches-this"):
                page = self.search(lang, query)
                self.assertIn('<meta name="robots" content="noindex">', page)
                found = re.findall(r'<meta name="description" content="([^"]+)">', page)
                self.assertEqual(len(found), 1, (lang, query))
                self.assertGreater(len(found[0]), 40)
                descriptions.add(found[0])
        self.assertEqual(len(descriptions), 4, "one description per language")
        self.assertNotIn('name="robots"', self.client.get(url_in(self.site["home"], "en")).content.decode())

    def test_excerpt_marks_the_words_and_keeps_paragraphs_apart(self):
        page = self.search("de", "quellwort")
        self.assertIn('class="excerpt">Ein <mark>Quellwort</mark> steht hier. Zweiter Absatz ', page)

    def test_german_excerpts_get_soft_hyphens_outside_the_marks(self):
        excerpt = re.search(r'class="excerpt">(.*?)</p>', self.search("de", "quellwort")).group(1)
        self.assertIn("<mark>Quellwort</mark>", excerpt)
        (word,) = [word for word in excerpt.split() if word.replace(SHY, "") == "Grenzwirtschaftskooperationszone"]
        self.assertGreaterEqual(word.count(SHY), 3)

    def test_german_result_titles_get_soft_hyphens(self):
        title = re.search(r'class="result-title"><a [^>]+>(.*?)</a>', self.search("de", "quellwort")).group(1)
        self.assertIn(SHY, title)
        self.assertEqual(title.replace(SHY, ""), "Kooperationsplattform im Test")

    def test_a_query_with_markup_is_escaped_in_the_page(self):
        page = self.search("de", "<b>Quellwort</b>")
        self.assertNotIn("<b>", page)
        self.assertIn("&lt;b&gt;Quellwort&lt;/b&gt;", page)
        # "b" is a search word too, which PostgreSQL finds in no text: the highlight is checked
        # with markup characters around the word alone
        page = self.search("de", "<Quellwort>")
        self.assertNotIn("<Quellwort>", page)
        self.assertIn("<mark>Quellwort</mark>", page)

    def test_no_result_suggests_other_languages_with_counts(self):
        page = self.search("en", "Quellwort")
        self.assertIn("0 results for “Quellwort”", page)
        # 1, not 3: the private and the unpublished page with the word are not counted
        self.assertIn(
            '<a href="/de/search/?q=Quellwort" hreflang="de"><span lang="de">Deutsch</span>: 1 result</a>', page
        )
        self.assertNotIn('<span lang="ru">', page)
        page = self.search("zh-hans", "квеллворт")
        self.assertIn(
            '<a href="/ru/search/?q=%D0%BA%D0%B2%D0%B5%D0%BB%D0%BB%D0%B2%D0%BE%D1%80%D1%82" hreflang="ru">', page
        )
        self.assertIn('<span lang="ru">Русский</span>：2 条结果</a>', page)
        self.assertNotIn('class="other-languages"', self.search("de", "Quellwort"), "only when nothing is found")

    def test_the_type_filter_goes_along(self):
        page = self.search("en", "Quellwort", type="news")
        self.assertIn('href="/de/search/?q=Quellwort&amp;type=news"', page)
        self.assertNotIn('class="other-languages"', self.search("en", "Quellwort", type="zone"))

    def test_words_only_on_private_or_unpublished_pages_suggest_nothing(self):
        for lang in ("en", "de"):
            page = self.search(lang, "Geheimwort")
            self.assertIn("result-count", page)
            self.assertNotIn('class="other-languages"', page)

    def test_counts_stop_at_the_cap(self):
        with mock.patch.object(search_query, "MAX_RESULTS", 1):
            page = self.search("en", "квеллворт")
        self.assertIn('<span lang="ru">Русский</span>: more than 1 result</a>', page)


class PageTextTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)
        home = cls.site["home"]
        home.title_en, home.title_de = "SCODA Portal", "SCODA-Portal"
        home.save()
        news = cls.site["news"][0]
        news.title_de = "Grenzwirtschaftskooperationszone eröffnet"
        news.summary_en = "The cooperation zone opened " + "with many partners " * 20
        news.save()
        pagecache.invalidate()  # as publishing would

    def test_home_title_is_not_doubled(self):
        for lang, title in (("en", "SCODA Portal"), ("de", "SCODA-Portal"), ("ru", "Главная")):
            page = self.client.get(url_in(self.site["home"], lang)).content.decode()
            self.assertEqual(re.search(r"<title>(.*?)</title>", page).group(1), title)
        news = self.client.get(url_in(self.site["news"][0], "en")).content.decode()
        self.assertRegex(news, r"<title>News \d+ · SCODA Portal</title>", "other pages keep the portal's name")

    def test_cards_cut_summaries_at_a_word_and_hyphenate_german_titles(self):
        news = self.site["news"][0]
        english = self.client.get(url_in(self.site["news_index"], "en")).content.decode()
        card = re.search(r"<p>(The cooperation zone opened[^<]*)</p>", english).group(1)
        self.assertTrue(card.endswith("…"), card)
        self.assertLessEqual(len(card), 220)
        self.assertRegex(card, r"(with|many|partners)…$")
        german = self.client.get(url_in(self.site["news_index"], "de")).content.decode()
        self.assertIn(f"Grenz{SHY}wirt", german)
        self.assertNotIn(SHY, english)
        article = self.client.get(url_in(news, "de")).content.decode()
        self.assertEqual(h1(article), news.title_de)
        self.assertIn(SHY, re.search(r"<h1[^>]*>(.*?)</h1>", article).group(1))
        self.assertIn(f"<title>{news.title_de} · ", article, "the title element has no soft hyphens")

    def test_the_fact_sheet_hyphenates_long_kind_names(self):
        """Russian "Демонстрационная зона" broke as "Демонстрационна / я" in the phone's two columns."""
        zone = self.site["zone"]
        page = self.client.get(url_in(zone, "ru")).content.decode()
        sheet = re.search(r'<section class="fact-sheet".*?</dl>', page, re.S)
        kind = re.search(r"<dd>(.*?)</dd>", sheet.group(0)).group(1)
        self.assertIn(SHY, kind)
        with translation.override("ru"):
            self.assertEqual(kind.replace(SHY, ""), str(zone.get_kind_display()))

    def test_delegation_dates_are_one_range(self):
        delegation = self.site["delegation"]  # 9 and 10 March 2021
        expected = {
            "en": '<time datetime="2021-03-09">9</time>–<time datetime="2021-03-10">10 March 2021</time>',
            "zh-hans": '<time datetime="2021-03-09">2021年3月9日</time>至<time datetime="2021-03-10">10日</time>',
            "ru": '<time datetime="2021-03-09">9</time>–<time datetime="2021-03-10">10 марта 2021 г.</time>',
        }
        for lang, markup in expected.items():
            self.assertIn(markup, self.client.get(url_in(delegation, lang)).content.decode())
            self.assertIn(markup, self.client.get(url_in(self.site["delegation_index"], lang)).content.decode())


class NotFoundInDevelopmentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)

    def test_the_404_is_in_the_visitors_language_with_debug_on(self):
        from portal.settings import dev

        expected = {
            "zh-hans": "页面未找到",
            "en": "Page not found",
            "de": "Seite nicht gefunden",
            "ru": "Страница не найдена",
        }
        with override_settings(DEBUG=True, MIDDLEWARE=dev.MIDDLEWARE):
            for lang, heading in expected.items():
                response = self.client.get(f"/{lang}/no-such-page/")
                self.assertEqual(response.status_code, 404)
                page = response.content.decode()
                self.assertEqual(html_lang(page), lang)
                self.assertEqual(h1(page), heading)
