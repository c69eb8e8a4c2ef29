"""Tree rules: each page type can be created under its allowed parent only."""

from wagtail.models import Page

import pytest

from news.models import NewsIndexPage, NewsPage
from portal.models import HomePage
from zones.models import DelegationIndexPage, DelegationPage, ZoneIndexPage, ZonePage

ALL_TYPES = [HomePage, NewsIndexPage, NewsPage, ZoneIndexPage, ZonePage, DelegationIndexPage, DelegationPage]
ALLOWED = {
    HomePage: {Page},
    NewsIndexPage: {HomePage},
    NewsPage: {NewsIndexPage},
    ZoneIndexPage: {HomePage},
    ZonePage: {ZoneIndexPage, ZonePage},
    DelegationIndexPage: {HomePage},
    DelegationPage: {DelegationIndexPage},
}


@pytest.mark.parametrize("child", ALL_TYPES, ids=lambda m: m.__name__)
def test_each_type_is_allowed_only_under_its_parents(child):
    for parent in [Page, *ALL_TYPES]:
        allowed = child in parent.clean_subpage_models() and parent in child.clean_parent_page_models()
        assert allowed == (parent in ALLOWED[child]), f"{child.__name__} under {parent.__name__}"


@pytest.mark.django_db
def test_home_page_once_per_parent():
    from tests.factories import build_site

    site = build_site(1)
    root = site["home"].get_parent()
    assert not HomePage.can_create_at(root)
    assert NewsPage.can_create_at(site["news_index"])
    assert not NewsPage.can_create_at(site["zone_index"])
    assert ZonePage.can_create_at(site["zone"]), "a branch park nests under its zone"
