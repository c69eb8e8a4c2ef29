"""Factories for every page type; each text field is filled in all four languages."""

import datetime

from django.conf import settings

from wagtail.models import Locale, Page, Site

import factory
import wagtail_factories

from news.models import NewsIndexPage, NewsPage
from portal import pagecache
from portal.fixtures import prepare_tree
from portal.inquiries.models import Inquiry, new_reference
from portal.inquiries.pages import QuestionIndexPage, QuestionPage
from portal.models import HomePage, Topic
from zones.models import DelegationIndexPage, DelegationMember, DelegationPage, ZoneFact, ZoneIndexPage, ZonePage

LANGS = {"zh_hans": "中文", "en": "English", "de": "Deutsch", "ru": "Русский"}


def in_all_languages(field: str, template: str, *, rich: bool = False) -> dict:
    """Factory declarations `field_<lang>` = template formatted with the language and a sequence number."""
    declarations = {}
    for suffix, name in LANGS.items():
        if rich:
            declarations[f"{field}_{suffix}"] = factory.Sequence(
                lambda n, t=template, x=name: f"<p>{t.format(lang=x, n=n)}</p>"
            )
        else:
            declarations[f"{field}_{suffix}"] = factory.Sequence(lambda n, t=template, x=name: t.format(lang=x, n=n))
    return declarations


class TitledPageFactory(wagtail_factories.PageFactory):
    """A page titled in every language; slugs come from BasePage (pinyin for Chinese)."""

    class Meta:
        abstract = True

    title = factory.SelfAttribute("title_zh_hans")
    slug = ""
    live = True

    title_zh_hans = factory.Sequence(lambda n: f"页面{n}")
    title_en = factory.Sequence(lambda n: f"Page {n} English")
    title_de = factory.Sequence(lambda n: f"Seite {n} Deutsch")
    title_ru = factory.Sequence(lambda n: f"Страница {n} русский")


class HomePageFactory(TitledPageFactory):
    class Meta:
        model = HomePage

    title_zh_hans = "首页"
    title_en = "Home"
    title_de = "Startseite"
    title_ru = "Главная"
    locals().update(in_all_languages("intro", "Intro {lang}", rich=True))


class NewsIndexPageFactory(TitledPageFactory):
    class Meta:
        model = NewsIndexPage

    title_zh_hans = "新闻"
    title_en = "News"
    title_de = "Nachrichten"
    title_ru = "Новости"
    show_in_menus = True


class ZoneIndexPageFactory(TitledPageFactory):
    class Meta:
        model = ZoneIndexPage

    title_zh_hans = "园区"
    title_en = "Zones"
    title_de = "Zonen"
    title_ru = "Зоны"
    show_in_menus = True


class DelegationIndexPageFactory(TitledPageFactory):
    class Meta:
        model = DelegationIndexPage

    title_zh_hans = "访问团"
    title_en = "Delegations"
    title_de = "Delegationen"
    title_ru = "Делегации"
    show_in_menus = True


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name_zh_hans = factory.Sequence(lambda n: f"主题{n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")
    name_de = factory.Sequence(lambda n: f"Thema {n}")
    name_ru = factory.Sequence(lambda n: f"Тема {n}")


class ZonePageFactory(TitledPageFactory):
    class Meta:
        model = ZonePage

    title_zh_hans = factory.Sequence(lambda n: f"园区{n}")
    title_en = factory.Sequence(lambda n: f"Zone {n}")
    title_de = factory.Sequence(lambda n: f"Zone {n} DE")
    title_ru = factory.Sequence(lambda n: f"Зона {n}")
    kind = "demonstration_area"
    latitude = "36.260000"
    longitude = "120.030000"
    locals().update(in_all_languages("summary", "Zone summary {n} {lang}"))
    locals().update(in_all_languages("city", "City {lang}"))
    locals().update(in_all_languages("key_industries", "Logistics {lang}\nTrade {lang}"))
    locals().update(in_all_languages("body", "Zone body {n} {lang}", rich=True))


class ZoneFactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ZoneFact

    page = factory.SubFactory(ZonePageFactory)
    locals().update(in_all_languages("label", "Fact {n} {lang}"))
    locals().update(in_all_languages("value", "{n}"))
    locals().update(in_all_languages("source", "Source {lang}"))
    as_of = datetime.date(2023, 11, 15)


class NewsPageFactory(TitledPageFactory):
    class Meta:
        model = NewsPage

    title_zh_hans = factory.Sequence(lambda n: f"新闻{n}")
    title_en = factory.Sequence(lambda n: f"News {n}")
    title_de = factory.Sequence(lambda n: f"Nachricht {n}")
    title_ru = factory.Sequence(lambda n: f"Новость {n}")
    date = factory.Sequence(lambda n: datetime.date(2020, 1, 1) + datetime.timedelta(days=n))
    locals().update(in_all_languages("source", "Source {lang}"))
    locals().update(in_all_languages("summary", "Summary {n} {lang}"))
    locals().update(in_all_languages("body", "Body {n} {lang}", rich=True))
    locals().update(in_all_languages("byline", "Byline {lang}"))
    locals().update(in_all_languages("dateline", "Dateline {lang}"))
    locals().update(in_all_languages("press_contact", "Press contact {lang}"))
    press_contact_phone = "+86-10-63074558"


class DelegationPageFactory(TitledPageFactory):
    class Meta:
        model = DelegationPage

    title_zh_hans = factory.Sequence(lambda n: f"访问团{n}")
    title_en = factory.Sequence(lambda n: f"Delegation {n}")
    title_de = factory.Sequence(lambda n: f"Delegation {n} DE")
    title_ru = factory.Sequence(lambda n: f"Делегация {n}")
    start_date = datetime.date(2021, 3, 9)
    end_date = datetime.date(2021, 3, 10)
    locals().update(in_all_languages("leader_name", "Leader {lang}"))
    locals().update(in_all_languages("leader_position", "Director {lang}"))
    locals().update(in_all_languages("summary", "Visit summary {n} {lang}"))
    locals().update(in_all_languages("outcomes", "Outcome {n} {lang}", rich=True))
    locals().update(in_all_languages("places_visited", "Place A {lang}\nPlace B {lang}"))
    locals().update(in_all_languages("sending_organisations", "Organisation {lang}"))


class DelegationMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DelegationMember

    page = factory.SubFactory(DelegationPageFactory)
    locals().update(in_all_languages("name", "Member {n} {lang}"))
    locals().update(in_all_languages("position", "Position {lang}"))
    locals().update(in_all_languages("organisation", "Organisation {lang}"))


class InquiryFactory(factory.django.DjangoModelFactory):
    """An inquiry as the contact form stores it (routed to its zone of interest)."""

    class Meta:
        model = Inquiry

    reference = factory.LazyFunction(new_reference)
    name = factory.Sequence(lambda n: f"Inquirer {n}")
    organisation = factory.Sequence(lambda n: f"Trading Company {n}")
    country = "KZ"
    email = factory.Sequence(lambda n: f"inquirer{n}@example.org")
    sector = "logistics"
    project_type = "investment"
    size_band = "1m-10m"
    language = "en"
    message = "We would like to open a warehouse near the multimodal hub."
    consented_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))
    zone_of_interest = None
    desk = factory.SelfAttribute("zone_of_interest")


def build_site(news_count: int = 5) -> dict:
    """A complete small portal: home, three indexes, zones, news, a delegation."""
    root = Page.get_first_root_node()
    if root is None:  # a TransactionTestCase flushed the tree away
        Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.add_root(instance=Page(title_zh_hans="Root", slug_zh_hans="root"))
    prepare_tree()
    Site.objects.all().delete()
    for page in root.get_children():
        page.delete()
    home = HomePageFactory(parent=root)
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="SCODA")
    news_index = NewsIndexPageFactory(parent=home)
    zone_index = ZoneIndexPageFactory(parent=home)
    delegation_index = DelegationIndexPageFactory(parent=home)
    zone = ZonePageFactory(parent=zone_index)
    branch = ZonePageFactory(parent=zone, kind="branch_park")
    other_zone = ZonePageFactory(parent=zone_index, kind="border_zone")
    ZoneFactFactory(page=zone)
    topic = TopicFactory()
    news = [NewsPageFactory(parent=news_index) for _ in range(news_count)]
    for item in news:
        item.related_zones.set([zone, other_zone])
        item.topics.set([topic])
        item.save()
    delegation = DelegationPageFactory(parent=delegation_index, host_zone=zone)
    delegation.sending_zones.set([other_zone])
    delegation.related_news.set(news[:2])
    delegation.topics.set([topic])
    delegation.save()
    DelegationMemberFactory(page=delegation)
    if news:
        home.featured_news.create(news=news[0])
    home.highlighted_zones.create(zone=zone)
    home.save()  # modelcluster keeps the items in memory until the page is saved
    # The factories save live pages without publishing them, as a bulk import would: tell the
    # caches what publishing would have told them.
    pagecache.invalidate()
    return {
        "home": home,
        "news_index": news_index,
        "zone_index": zone_index,
        "delegation_index": delegation_index,
        "zone": zone,
        "branch": branch,
        "other_zone": other_zone,
        "news": news,
        "delegation": delegation,
        "topic": topic,
    }


def add_news(news_index, count: int, zone=None) -> list:
    pages = [NewsPageFactory(parent=news_index) for _ in range(count)]
    if zone is not None:
        for page in pages:
            page.related_zones.set([zone])
            page.save()
    pagecache.invalidate()  # as build_site()
    return pages


def add_visits(delegation_index, count: int, zone=None) -> list:
    """`count` visits around today: every other one upcoming (the home page shows both kinds)."""
    today = datetime.date.today()
    pages = []
    for n in range(count):
        days = datetime.timedelta(days=(n // 2 + 1) * (1 if n % 2 else -1))
        pages.append(
            DelegationPageFactory(parent=delegation_index, start_date=today + days, end_date=None, host_zone=zone)
        )
    pagecache.invalidate()  # as build_site()
    return pages


class QuestionIndexPageFactory(TitledPageFactory):
    class Meta:
        model = QuestionIndexPage

    title_zh_hans = "互动交流"
    title_en = "Questions and answers"
    title_de = "Fragen und Antworten"
    title_ru = "Вопросы и ответы"
    show_in_menus = True


class QuestionPageFactory(TitledPageFactory):
    class Meta:
        model = QuestionPage

    title_zh_hans = factory.Sequence(lambda n: f"问题{n}")
    title_en = factory.Sequence(lambda n: f"Question {n}")
    title_de = factory.Sequence(lambda n: f"Frage {n}")
    title_ru = factory.Sequence(lambda n: f"Вопрос {n}")
    locals().update(in_all_languages("question", "Asked {n} {lang}"))
    locals().update(in_all_languages("answer", "Answered {n} {lang}", rich=True))
    asked_date = factory.Sequence(lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(days=n))
    answered_date = factory.Sequence(lambda n: datetime.date(2024, 1, 5) + datetime.timedelta(days=n))
