"""Page and document passwords: wrong guesses are limited per client address and restriction
(portal/passwords.py)."""

from django.test import TestCase, override_settings
from django.urls import resolve, reverse
from django.utils import translation

from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from portal import passwords
from portal.settings.base import cache_settings
from tests.factories import build_site
from tests.helpers import url_in

CLIENT = {"REMOTE_ADDR": "198.51.100.7"}


class PagePasswordThrottleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)
        cls.page = cls.site["news"][0]
        cls.restriction = PageViewRestriction.objects.create(
            page=cls.page, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
        )

    def url(self, language="en", page=None) -> str:
        with translation.override(language):
            return reverse("wagtailcore_authenticate_with_password", args=[self.restriction.pk, (page or self.page).pk])

    def guess(self, password: str, language="en", **client):
        data = {"password": password, "return_url": url_in(self.page, language)}
        return self.client.post(self.url(language), data, **(client or CLIENT))

    def test_the_url_is_the_portals_in_every_language(self):
        self.assertEqual(self.url("de"), f"/de/_util/authenticate_with_password/{self.restriction.pk}/{self.page.pk}/")
        for language in ["zh-hans", "en", "de", "ru"]:
            with self.subTest(language):
                self.assertEqual(self.guess("wrong", language).status_code, 200)
                self.assertEqual(self.guess("s3cret", language).status_code, 302)

    def test_ten_wrong_passwords_then_429(self):
        statuses = [self.guess("wrong").status_code for _ in range(passwords.FAILURE_LIMIT)]
        self.assertEqual(statuses, [200] * passwords.FAILURE_LIMIT)
        response = self.guess("wrong")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many wrong passwords", status_code=429)
        self.assertContains(response, 'name="password"', status_code=429)
        self.assertTrue(0 < int(response["Retry-After"]) <= passwords.WINDOW_SECONDS)
        # The right password does not help now, and is not even compared.
        response = self.guess("s3cret")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(self.client.get(url_in(self.page, "en"), **CLIENT).status_code, 200)
        self.assertNotContains(self.client.get(url_in(self.page, "en"), **CLIENT), self.page.title_en)

    def test_the_right_password_works_under_the_limit(self):
        for _ in range(passwords.FAILURE_LIMIT - 1):
            self.guess("wrong")
        response = self.guess("s3cret")
        self.assertRedirects(response, url_in(self.page, "en"), fetch_redirect_response=False)
        self.assertContains(self.client.get(url_in(self.page, "en"), **CLIENT), self.page.title_en)
        # A success starts the count afresh.
        self.assertEqual(self.guess("wrong").status_code, 200)

    def test_other_addresses_and_other_restrictions_are_not_limited(self):
        for _ in range(passwords.FAILURE_LIMIT + 1):
            self.guess("wrong")
        self.assertEqual(self.guess("s3cret", REMOTE_ADDR="203.0.113.20").status_code, 302)
        other = PageViewRestriction.objects.create(
            page=self.site["news"][1], restriction_type=PageViewRestriction.PASSWORD, password="other"
        )
        url = reverse("wagtailcore_authenticate_with_password", args=[other.pk, self.site["news"][1].pk])
        self.assertEqual(self.client.post(url, {"password": "other", "return_url": "/"}, **CLIENT).status_code, 302)

    def test_another_page_id_shares_the_count(self):
        for _ in range(passwords.FAILURE_LIMIT):
            self.guess("wrong")
        response = self.client.post(
            self.url(page=self.site["news_index"]), {"password": "wrong", "return_url": "/"}, **CLIENT
        )
        self.assertEqual(response.status_code, 429)

    def test_an_ipv6_client_counts_by_its_64_network(self):
        for n in range(passwords.FAILURE_LIMIT):
            self.guess("wrong", REMOTE_ADDR=f"2001:db8:5:7::{n + 1:x}")
        self.assertEqual(self.guess("wrong", REMOTE_ADDR="2001:db8:5:7:ffff::1").status_code, 429)
        self.assertEqual(self.guess("s3cret", REMOTE_ADDR="2001:db8:5:8::1").status_code, 302)

    @override_settings(TRUSTED_PROXIES=["10.0.0.2"])
    def test_behind_the_proxy_a_rotated_header_does_not_help(self):
        for n in range(passwords.FAILURE_LIMIT):
            self.guess("wrong", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7")
        response = self.guess("wrong", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
        self.assertEqual(response.status_code, 429)
        response = self.guess("s3cret", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.20")
        self.assertEqual(response.status_code, 302)

    def test_a_get_and_an_unknown_restriction_are_wagtails(self):
        self.assertEqual(self.client.get(self.url(), **CLIENT).status_code, 200)
        url = reverse("wagtailcore_authenticate_with_password", args=[self.restriction.pk + 999, self.page.pk])
        self.assertEqual(self.client.post(url, {"password": "x", "return_url": "/"}, **CLIENT).status_code, 404)

    @override_settings(CACHES=cache_settings("redis://127.0.0.1:1/0", "/unused"))
    def test_with_the_cache_down_guesses_are_not_limited_and_nothing_breaks(self):
        """The counts live in the cache: while Redis is down only the limit lapses, the password stays."""
        with self.assertLogs("portal.cache", "WARNING"):
            statuses = [self.guess("wrong").status_code for _ in range(passwords.FAILURE_LIMIT + 2)]
        self.assertEqual(statuses, [200] * (passwords.FAILURE_LIMIT + 2))
        self.assertEqual(self.guess("s3cret").status_code, 302)

    def test_the_throttle_message_shows_even_without_a_password_field(self):
        """A throttled POST with no password field gets the limit, not "This field is required"."""
        for _ in range(passwords.FAILURE_LIMIT):
            self.guess("wrong")
        response = self.client.post(self.url(), {"return_url": url_in(self.page, "en")}, **CLIENT)
        self.assertContains(response, "Too many wrong passwords", status_code=429)
        self.assertNotContains(response, "This field is required", status_code=429)


class DocumentPasswordThrottleTests(TestCase):
    """Wagtail's password form for a private document collection is limited as the page one is."""

    @classmethod
    def setUpTestData(cls):
        root = Collection.get_first_root_node()
        cls.collection = root.add_child(name="Private")
        cls.restriction = CollectionViewRestriction.objects.create(
            collection=cls.collection, restriction_type=CollectionViewRestriction.PASSWORD, password="s3cret"
        )

    def url(self, restriction=None) -> str:
        return reverse("wagtaildocs_authenticate_with_password", args=[(restriction or self.restriction).pk])

    def guess(self, password: str, restriction=None, **client):
        data = {"password": password, "return_url": "/documents/1/x.pdf"}
        return self.client.post(self.url(restriction), data, HTTP_ACCEPT_LANGUAGE="en", **(client or CLIENT))

    def test_the_url_is_the_portals(self):
        self.assertEqual(self.url(), f"/documents/authenticate_with_password/{self.restriction.pk}/")
        self.assertEqual(resolve(self.url()).func, passwords.authenticate_with_collection_password)

    def test_ten_wrong_passwords_then_429(self):
        statuses = [self.guess("wrong").status_code for _ in range(passwords.FAILURE_LIMIT)]
        self.assertEqual(statuses, [200] * passwords.FAILURE_LIMIT)
        response = self.guess("wrong")
        self.assertContains(response, "Too many wrong passwords", status_code=429)
        self.assertContains(response, 'name="password"', status_code=429)
        self.assertTrue(0 < int(response["Retry-After"]) <= passwords.WINDOW_SECONDS)
        self.assertEqual(self.guess("s3cret").status_code, 429)
        # Another client, or the same client on another restriction, is not limited.
        self.assertEqual(self.guess("s3cret", REMOTE_ADDR="203.0.113.20").status_code, 302)
        other = CollectionViewRestriction.objects.create(
            collection=self.collection, restriction_type=CollectionViewRestriction.PASSWORD, password="other"
        )
        self.assertEqual(self.guess("other", restriction=other).status_code, 302)

    def test_the_right_password_works_under_the_limit_and_starts_afresh(self):
        for _ in range(passwords.FAILURE_LIMIT - 1):
            self.guess("wrong")
        response = self.guess("s3cret")
        self.assertRedirects(response, "/documents/1/x.pdf", fetch_redirect_response=False)
        self.assertEqual(self.guess("wrong").status_code, 200)

    def test_a_page_restriction_with_the_same_id_does_not_share_the_count(self):
        site = build_site(news_count=1)
        page_restriction = PageViewRestriction.objects.create(
            page=site["news"][0], restriction_type=PageViewRestriction.PASSWORD, password="page"
        )
        for _ in range(passwords.FAILURE_LIMIT):
            self.guess("wrong")
        with translation.override("en"):
            url = reverse("wagtailcore_authenticate_with_password", args=[page_restriction.pk, site["news"][0].pk])
        response = self.client.post(url, {"password": "page", "return_url": "/"}, **CLIENT)
        self.assertEqual(response.status_code, 302)

    def test_a_get_and_an_unknown_restriction_are_wagtails(self):
        self.assertEqual(self.client.get(self.url(), **CLIENT).status_code, 200)
        # Wagtail's 404 (which LocaleMiddleware turns into a redirect to a language's URL), never a 429.
        url = f"/documents/authenticate_with_password/{self.restriction.pk + 999}/"
        statuses = {
            self.client.post(url, {"password": "x", "return_url": "/"}, **CLIENT).status_code
            for _ in range(passwords.FAILURE_LIMIT + 2)
        }
        self.assertEqual(statuses, {302})

    def test_the_throttle_message_shows_even_without_a_password_field(self):
        for _ in range(passwords.FAILURE_LIMIT):
            self.guess("wrong")
        response = self.client.post(self.url(), {"return_url": "/"}, HTTP_ACCEPT_LANGUAGE="en", **CLIENT)
        self.assertContains(response, "Too many wrong passwords", status_code=429)
        self.assertNotContains(response, "This field is required", status_code=429)
