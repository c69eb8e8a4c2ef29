"""Public questions (互动交流): the contact form's choice between a private inquiry and a public
question, the Q&A pages (listing, page, JSON-LD, search, feeds, sitemap; drafts and private pages in
none of them), and the admin view that makes a draft Q&A page of an answered question without the
inquirer's personal data, for the staff who may see the inquiry only."""

import json
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import caches
from django.test import Client, SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from wagtail.models import GroupPagePermission, PageViewRestriction

from bs4 import BeautifulSoup

from portal import pagecache
from portal.inquiries.models import Inquiry, InquiryEvent, Kind, Status, ZoneDesk, new_reference
from portal.inquiries.pages import QuestionIndexPage, QuestionPage
from portal.inquiries.publishing import redact
from portal.models import page_models
from tests.factories import QuestionIndexPageFactory, QuestionPageFactory, TopicFactory, build_site
from tests.helpers import LANGUAGES, url_in
from tests.test_inquiries import FAST, ensure_notice, form_data, mail_tasks, soup_of

HOST = "http://testserver"
INQUIRY_ONLY = ("organisation", "sector", "project_type", "size_band")
QUESTION_HINT = (
    "We answer you by e-mail and may publish your question with our answer on the questions and answers page: "
    "the question only, never your name, e-mail address, phone or organisation. Organisation, sector, type and "
    "size of the project are optional."
)
SENT_NOTE = (
    "You asked a public question: once answered, we may publish it with our answer, without your name or "
    "contact details."
)
NO_ANSWER = "This question has no answer yet. Answer it first; the answer is published with it."


def publish(page):
    """Publish as an editor does (the search index and caches follow publishing)."""
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@override_settings(**FAST)
class QuestionFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)
        cls.notice = ensure_notice()

    def setUp(self):
        caches["shared"].clear()

    def get_form(self, lang="en", query=""):
        response = self.client.get(f"/{lang}/contact/{query}")
        self.assertEqual(response.status_code, 200)
        return soup_of(response)

    def send(self, lang="en", query="", **changes):
        page = self.get_form(lang, query)
        return self.client.post(f"/{lang}/contact/", form_data(page, lang, **changes))

    def checked_kind(self, page) -> str:
        return page.find("input", attrs={"name": "kind", "checked": True})["value"]

    def test_the_choice_is_a_labelled_radio_group_at_the_top_in_every_language(self):
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                page = self.get_form(lang)
                form = page.find("form", class_="inquiry-form")
                first = form.find("fieldset")
                radios = first.find_all("input", attrs={"type": "radio", "name": "kind"})
                self.assertEqual([radio["value"] for radio in radios], ["inquiry", "question"])
                self.assertEqual(self.checked_kind(page), "inquiry")
                with translation.override(lang):
                    self.assertEqual(first.legend.get_text(strip=True), gettext("What would you like to send?"))
                    labels = [form.find("label", attrs={"for": radio["id"]}).get_text(strip=True) for radio in radios]
                    self.assertEqual(labels, [gettext("Private inquiry"), gettext("Public question")])
                    # It says what is published, and what never is, without a script.
                    hint = form.find(id=radios[1]["aria-describedby"]).get_text()
                    self.assertEqual(hint, gettext(QUESTION_HINT))

    def test_kind_question_in_the_query_preselects_it_anything_else_does_not(self):
        self.assertEqual(self.checked_kind(self.get_form("en", "?kind=question")), "question")
        for query in ["?kind=inquiry", "?kind=QUESTION", "?kind=<script>", "?kind="]:
            with self.subTest(query=query):
                self.assertEqual(self.checked_kind(self.get_form("en", query)), "inquiry")

    def test_a_question_may_leave_the_inquiry_only_fields_empty(self):
        empty = dict.fromkeys(INQUIRY_ONLY, "")
        response = self.send("de", "?kind=question", kind="question", **empty)
        self.assertEqual(response.status_code, 302)
        inquiry = Inquiry.objects.get()
        self.assertEqual(inquiry.kind, Kind.QUESTION)
        self.assertEqual(inquiry.status, Status.NEW)
        self.assertEqual([getattr(inquiry, name) for name in INQUIRY_ONLY], ["", "", "", ""])
        self.assertEqual(mail_tasks().count(), 2)
        confirmation = soup_of(self.client.get(response["Location"]))
        with translation.override("de"):
            self.assertIn(gettext(SENT_NOTE), confirmation.find(class_="question-note").text)

    def test_an_inquiry_still_needs_them_and_a_form_without_the_choice_is_an_inquiry(self):
        empty = dict.fromkeys(INQUIRY_ONLY, "")
        for kind in ["inquiry", None]:
            with self.subTest(kind=kind):
                response = self.send("en", kind=kind, **empty)
                self.assertEqual(response.status_code, 400)
                hrefs = [a["href"] for a in soup_of(response).find(class_="error-summary").find_all("a")]
                self.assertEqual(hrefs, [f"#id_{name}" for name in INQUIRY_ONLY])
        self.assertEqual(Inquiry.objects.count(), 0)
        self.assertEqual(self.send("en", kind=None).status_code, 302)
        self.assertEqual(Inquiry.objects.get().kind, Kind.INQUIRY)

    def test_a_refused_question_is_shown_again_as_a_question(self):
        response = self.send("en", kind="question", email="not an address", organisation="")
        self.assertEqual(response.status_code, 400)
        page = soup_of(response)
        self.assertEqual(self.checked_kind(page), "question")
        hrefs = [a["href"] for a in page.find(class_="error-summary").find_all("a")]
        self.assertEqual(hrefs, ["#id_email"])

    def test_an_unknown_kind_is_refused(self):
        response = self.send("en", kind="published")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            [a["href"] for a in soup_of(response).find(class_="error-summary").find_all("a")], ["#id_kind_0"]
        )
        self.assertEqual(Inquiry.objects.count(), 0)

    def test_the_spam_checks_hold_questions_too(self):
        for changes in [{"website": "http://spam.example"}, {"altcha": None}]:
            with self.subTest(changes=changes):
                Inquiry.objects.all().delete()
                self.assertEqual(self.send("en", kind="question", **changes).status_code, 302)
                inquiry = Inquiry.objects.get()
                self.assertEqual((inquiry.kind, inquiry.status), (Kind.QUESTION, Status.SPAM))
        self.assertEqual(mail_tasks().count(), 0)

    def test_the_contact_page_links_to_the_public_questions_while_they_are_public(self):
        self.assertIsNone(self.get_form("en").find("a", href=re.compile("questions")))
        index = QuestionIndexPageFactory(parent=self.site["home"], slug_en="questions")
        pagecache.invalidate()
        link = self.get_form("en").find("a", href=url_in(index, "en"))
        self.assertIsNotNone(link)
        self.assertEqual(self.get_form("zh-hans").find("a", href=url_in(index, "zh-hans")).text, "互动交流")
        PageViewRestriction.objects.create(page=index, restriction_type="password", password="x")
        pagecache.invalidate()
        self.assertIsNone(self.get_form("en").find("a", href=url_in(index, "en")))


class QuestionPagesTests(TestCase):
    """Live public Q&A pages are listed, searched, fed and mapped; a draft and a private one nowhere."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)
        cls.topic = TopicFactory(name_en="Customs")
        cls.index = QuestionIndexPageFactory(parent=cls.site["home"], slug_en="questions")
        cls.public = publish(
            QuestionPageFactory(
                parent=cls.index,
                live=False,
                title_en="Can goods be cleared in Jiaozhou",
                question_en="We export quokkabolts to Kazakhstan.\nCan they be cleared here?",
                answer_en="<p>Yes, at the quokkabolt window.</p>",
                zone=cls.site["zone"],
                topic=cls.topic,
            )
        )
        cls.older = publish(QuestionPageFactory(parent=cls.index, live=False, question_en="Older quokkabolt question"))
        cls.draft = QuestionPageFactory(
            parent=cls.index, live=False, title_en="Draft quokkabolt secret", question_en="Draft quokkabolt secret"
        )
        cls.private = publish(
            QuestionPageFactory(
                parent=cls.index, live=False, title_en="Private quokkabolt secret", question_en="Private quokkabolt"
            )
        )
        PageViewRestriction.objects.create(page=cls.private, restriction_type="password", password="x")
        pagecache.invalidate()

    def assert_only_public(self, html: str):
        self.assertIn(url_in(self.public, "en"), html)
        self.assertNotIn(url_in(self.private, "en"), html)
        self.assertNotIn("secret", html)
        self.assertNotIn(f"/{self.draft.slug_en}/", html)

    def test_they_are_page_types_of_the_portal(self):
        self.assertIn(QuestionPage, page_models())
        self.assertIn(QuestionIndexPage, page_models())
        self.assertIn(QuestionIndexPage, type(self.site["home"]).allowed_subpage_models())
        self.assertEqual(QuestionPage.allowed_parent_page_models(), [QuestionIndexPage])

    def test_the_index_lists_the_public_ones_newest_answer_first_in_every_language(self):
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                response = self.client.get(url_in(self.index, lang))
                self.assertEqual(response.status_code, 200)
                page = soup_of(response)
                links = [a["href"] for a in page.select("ol.questions h2 a")]
                self.assertEqual(links, [url_in(self.older, lang), url_in(self.public, lang)])
                self.assertEqual(page.find(class_="cta-link").a["href"], f"/{lang}/contact/?kind=question")
                self.assertNotIn("secret", response.content.decode())

    def test_the_index_filters_by_zone_and_topic(self):
        response = self.client.get(url_in(self.index, "en"), {"zone": self.site["zone"].pk, "topic": self.topic.slug})
        links = [a["href"] for a in soup_of(response).select("ol.questions h2 a")]
        self.assertEqual(links, [url_in(self.public, "en")])

    def test_the_page_shows_question_answer_dates_zone_and_topic(self):
        response = self.client.get(url_in(self.public, "en"))
        self.assertEqual(response.status_code, 200)
        page = soup_of(response)
        self.assertEqual(page.h1.get_text(strip=True), "Can goods be cleared in Jiaozhou")
        self.assertIn("Can they be cleared here?", page.find(id="question-heading").parent.get_text())
        self.assertIn("quokkabolt window", page.find(id="answer").get_text())
        self.assertEqual(page.find("time")["datetime"], self.public.asked_date.isoformat())
        self.assertIsNotNone(page.find("a", href=url_in(self.site["zone"], "en")))
        self.assertIn("Customs", page.find(id="question-about").parent.get_text())
        self.assertEqual(self.client.get(url_in(self.draft, "en")).status_code, 404)

    def test_its_json_ld_is_a_qa_page_without_who_asked(self):
        page = soup_of(self.client.get(url_in(self.public, "en")))
        blocks = [json.loads(tag.string) for tag in page.head.find_all("script", type="application/ld+json")]
        qa = next(block for block in blocks if block["@type"] == "QAPage")
        question = qa["mainEntity"]
        self.assertEqual(question["@type"], "Question")
        self.assertEqual(question["name"], "Can goods be cleared in Jiaozhou")
        self.assertIn("quokkabolts to Kazakhstan", question["text"])
        self.assertEqual(question["dateCreated"], self.public.asked_date.isoformat())
        self.assertEqual(question["answerCount"], 1)
        self.assertNotIn("author", question)
        answer = question["acceptedAnswer"]
        self.assertEqual(answer["text"], "Yes, at the quokkabolt window.")
        self.assertEqual(answer["author"]["@type"], "Organization")
        self.assertEqual(qa["inLanguage"], "en")
        description = page.head.find("meta", attrs={"name": "description"})["content"]
        self.assertTrue(description.startswith("We export quokkabolts"))

    def test_search_finds_the_public_ones_only(self):
        for params in [{"q": "quokkabolt"}, {"q": "quokkabolt", "type": "question"}]:
            with self.subTest(params=params):
                response = self.client.get("/en/search/", params)
                self.assertEqual(response.status_code, 200)
                found = {result.page.pk for result in response.context["answer"].results}
                self.assertEqual(found, {self.public.pk, self.older.pk})
                self.assert_only_public(response.content.decode())

    def test_the_feeds_hold_the_public_ones_and_pages_link_to_them(self):
        for lang in LANGUAGES:
            for kind in ("rss", "atom"):
                with self.subTest(lang=lang, kind=kind):
                    response = self.client.get(f"/{lang}/feeds/questions.{kind}")
                    self.assertEqual(response.status_code, 200)
                    xml = response.content.decode()
                    self.assertIn(f"{HOST}{url_in(self.public, lang)}", xml)
                    self.assertIn(f"{HOST}{url_in(self.older, lang)}", xml)
                    self.assertNotIn(url_in(self.private, lang), xml)
                    self.assertNotIn("secret", xml)
        head = soup_of(self.client.get(url_in(self.public, "en"))).head
        feeds = [link["href"] for link in head.find_all("link", rel="alternate", type="application/rss+xml")]
        self.assertIn(f"{HOST}/en/feeds/questions.rss", feeds)
        self.assertIn(f"{HOST}/en/feeds/news.rss", feeds)

    def test_the_sitemap_holds_the_public_ones_in_every_language(self):
        sitemap = self.client.get("/sitemap-pages.xml").content.decode()
        for lang in LANGUAGES:
            self.assertIn(f"<loc>{HOST}{url_in(self.public, lang)}</loc>", sitemap)
            self.assertIn(f"<loc>{HOST}{url_in(self.index, lang)}</loc>", sitemap)
            self.assertNotIn(url_in(self.private, lang), sitemap)
        self.assertNotIn(f"/{self.draft.slug_en}/", sitemap)

    def test_the_index_query_count_does_not_grow_with_the_questions(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def count():
            caches["default"].clear()
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url_in(self.index, "en")).status_code, 200)
            return len(queries)

        count()  # Wagtail makes the site settings' row on first use
        small = count()
        for _ in range(8):
            QuestionPageFactory(parent=self.index, zone=self.site["other_zone"], topic=self.topic)
        pagecache.invalidate()
        self.assertEqual(count(), small)


class PublishQuestionTests(TestCase):
    """inquiries/<pk>/publish-question/: answered public questions of the user's zones only."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)
        cls.index = QuestionIndexPageFactory(parent=cls.site["home"], slug_en="questions")
        users = get_user_model().objects
        cls.editor = users.create_superuser("chief", "chief@example.com", "pw")
        admin_access = Permission.objects.get(codename="access_admin")
        cls.desk_group = Group.objects.create(name="Zone desk")
        cls.other_group = Group.objects.create(name="Other zone desk")
        for group, zone in [(cls.desk_group, cls.site["zone"]), (cls.other_group, cls.site["other_zone"])]:
            group.permissions.add(admin_access)
            ZoneDesk.objects.create(zone=zone, group=group)
            GroupPagePermission.objects.create(
                group=group, page=cls.index, permission=Permission.objects.get(codename="add_page")
            )
        cls.desk = users.create_user("desk", "desk@example.com", "pw")
        cls.desk.groups.add(cls.desk_group)
        cls.other_desk = users.create_user("other", "other@example.com", "pw")
        cls.other_desk.groups.add(cls.other_group)
        cls.question = cls.make_inquiry(Kind.QUESTION)
        cls.private_inquiry = cls.make_inquiry(Kind.INQUIRY)

    @classmethod
    def make_inquiry(cls, kind, answered=True, **changes):
        values = {
            "reference": new_reference(),
            "kind": kind,
            "name": "Anna Schmidt",
            "organisation": "Quokka Logistik GmbH",
            "country": "DE",
            "email": "anna.schmidt@example.org",
            "phone": "+49 40 123456",
            "language": "de",
            "message": "Ich bin Anna Schmidt von Quokka Logistik GmbH (Tel. +49 40 123456, anna.schmidt@example.org). "
            "Wie verzollen wir Maschinenteile für Kasachstan?",
            "consented_at": timezone.now(),
            "privacy_notice": ensure_notice(),
            "desk": cls.site["zone"],
            "zone_of_interest": cls.site["zone"],
            **changes,
        }
        inquiry = Inquiry.objects.create(**values)
        if answered:
            InquiryEvent.objects.create(
                inquiry=inquiry, kind=InquiryEvent.Kind.ANSWER, note="Sehr geehrte Frau Schmidt,\n\nein erster Entwurf."
            )
            InquiryEvent.objects.create(
                inquiry=inquiry,
                kind=InquiryEvent.Kind.ANSWER,
                note="Sehr geehrte Frau Schmidt,\n\nam Multimodal-Zentrum. Schreiben Sie an service@scoda.example.",
            )
        return inquiry

    def url(self, inquiry) -> str:
        return reverse("inquiries_publish_question", args=[inquiry.pk])

    def final_status(self, client, method: str, inquiry) -> int:
        """The status a refused request ends with: LocaleMiddleware answers an admin 404 with a
        redirect to the same path under the default language, which is a 404 too."""
        return getattr(client, method)(self.url(inquiry), follow=True).status_code

    def client_for(self, user) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        return client

    def post(self, client, inquiry):
        """POST with the CSRF token of the confirmation page, as the button sends it."""
        page = client.get(self.url(inquiry))
        token = BeautifulSoup(page.content, "html.parser").find("input", attrs={"name": "csrfmiddlewaretoken"})
        return client.post(self.url(inquiry), {"csrfmiddlewaretoken": token["value"]})

    def test_get_shows_what_the_draft_will_hold_and_makes_nothing(self):
        response = self.client_for(self.desk).get(self.url(self.question))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("Wie verzollen wir Maschinenteile", html)
        self.assertIn("am Multimodal-Zentrum", html)
        self.assertNotIn("ein erster Entwurf", html)  # the latest answer, not an earlier one
        self.assertIsNotNone(soup_of(response).find("form", method="post"))
        self.assertEqual(QuestionPage.objects.count(), 0)

    def test_post_makes_a_draft_without_personal_data_and_opens_its_editor(self):
        client = self.client_for(self.desk)
        response = self.post(client, self.question)
        page = QuestionPage.objects.get()
        self.assertRedirects(
            response, reverse("wagtailadmin_pages:edit", args=[page.pk]), fetch_redirect_response=False
        )
        opened = client.get(response["Location"])
        self.assertEqual(opened.status_code, 200)
        self.assertIn(self.question.reference, opened.content.decode())  # the message names it, the page not
        self.assertFalse(page.live)
        self.assertEqual(page.get_parent().pk, self.index.pk)
        self.assertEqual(page.zone_id, self.site["zone"].pk)
        self.assertEqual(page.asked_date, timezone.localdate(self.question.received_at))
        self.assertIn("Wie verzollen wir Maschinenteile für Kasachstan?", page.question_de)
        self.assertIn("am Multimodal-Zentrum", page.answer_de)
        # The default language, required and without fallback, holds the same words until translated.
        self.assertEqual(page.question_zh_hans, page.question_de)
        self.assertEqual((page.question_en, page.question_ru), (None, None))
        event = self.question.events.get(kind=InquiryEvent.Kind.PUBLISHED)
        self.assertEqual((event.actor, event.data), (self.desk, {"page": page.pk}))
        # Nothing that names the inquirer, in any field, language or revision.
        stored = json.dumps(page.latest_revision.content, ensure_ascii=False) + json.dumps(
            {f.attname: str(getattr(page, f.attname)) for f in page._meta.concrete_fields}, ensure_ascii=False
        )
        for personal in ("Anna", "Schmidt", "Quokka Logistik", "123456", "anna.schmidt@example.org", "@"):
            self.assertNotIn(personal, stored)
        self.assertNotIn(self.question.reference, stored)

    def test_the_draft_is_in_no_list_search_feed_or_sitemap(self):
        self.post(self.client_for(self.editor), self.question)
        page = QuestionPage.objects.get()
        pagecache.invalidate()
        anonymous = Client()
        for url in [
            url_in(self.index, "de"),
            "/de/search/?q=Kasachstan",
            "/de/feeds/questions.rss",
            "/sitemap-pages.xml",
        ]:
            with self.subTest(url=url):
                response = anonymous.get(url)
                self.assertEqual(response.status_code, 200)
                html = response.content.decode().replace("q=Kasachstan", "").replace('value="Kasachstan"', "")
                self.assertNotIn("Maschinenteile", html)
                self.assertNotIn(f"/{page.slug_de}/", html)
        self.assertEqual(list(anonymous.get("/de/search/?q=Maschinenteile").context["answer"].results), [])
        self.assertEqual(anonymous.get(url_in(page, "de")).status_code, 404)

    def test_another_zones_staff_get_404_and_nothing_is_made(self):
        client = Client()
        client.force_login(self.other_desk)
        self.assertEqual(self.final_status(client, "get", self.question), 404)
        self.assertEqual(self.final_status(client, "post", self.question), 404)
        # The same user publishes the questions of their own zone.
        self.other_desk.groups.add(self.desk_group)
        self.assertEqual(client.get(self.url(self.question)).status_code, 200)
        self.assertEqual(QuestionPage.objects.count(), 0)
        self.assertFalse(InquiryEvent.objects.filter(kind=InquiryEvent.Kind.PUBLISHED).exists())

    def test_a_private_inquiry_is_never_published_even_by_a_crafted_post(self):
        for user in (self.desk, self.editor):
            client = Client()
            client.force_login(user)
            self.assertEqual(self.final_status(client, "get", self.private_inquiry), 404)
            self.assertEqual(self.final_status(client, "post", self.private_inquiry), 404)
        self.assertEqual(QuestionPage.objects.count(), 0)

    def test_post_needs_the_csrf_token(self):
        response = self.client_for(self.editor).post(self.url(self.question))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(QuestionPage.objects.count(), 0)

    def test_an_unanswered_question_is_refused_with_a_reason(self):
        unanswered = self.make_inquiry(Kind.QUESTION, answered=False)
        client = self.client_for(self.editor)
        page = client.get(self.url(unanswered))
        self.assertEqual(page.status_code, 200)
        self.assertIsNone(soup_of(page).find("form", method="post"))
        with translation.override(page.wsgi_request.LANGUAGE_CODE):
            self.assertIn(gettext(NO_ANSWER), page.content.decode())
        plain = Client()
        plain.force_login(self.editor)
        self.assertEqual(plain.post(self.url(unanswered)).status_code, 409)
        self.assertEqual(QuestionPage.objects.count(), 0)

    def test_staff_without_page_rights_are_told_and_make_nothing(self):
        GroupPagePermission.objects.filter(group=self.desk_group).delete()
        plain = Client()
        plain.force_login(self.desk)
        self.assertEqual(plain.post(self.url(self.question)).status_code, 409)
        self.assertEqual(QuestionPage.objects.count(), 0)

    def test_anonymous_visitors_are_sent_to_the_login(self):
        response = Client().get(self.url(self.question))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_only_get_and_post(self):
        client = Client()
        client.force_login(self.editor)
        self.assertEqual(client.put(self.url(self.question)).status_code, 405)


class SeedQuestionsTests(TestCase):
    """fixtures/questions.json: a few answered questions in every language, shown, without who asked."""

    @classmethod
    def setUpTestData(cls):
        from django.conf import settings

        from portal.fixtures import load_all

        load_all(settings.FIXTURE_DIRS[0])
        pagecache.invalidate()

    def test_three_live_questions_in_every_language_below_the_one_index(self):
        index = QuestionIndexPage.objects.get()
        self.assertTrue(index.live and index.show_in_menus)
        self.assertEqual(index.get_parent().specific_class.__name__, "HomePage")
        questions = QuestionPage.objects.live().child_of(index)
        self.assertEqual(questions.count(), 3)
        for page in questions:
            for lang in LANGUAGES:
                suffix = lang.replace("-", "_")
                for name in ("title", "question", "answer"):
                    self.assertTrue(getattr(page, f"{name}_{suffix}"), f"{page.slug_en} {name} {lang}")
                text = getattr(page, f"question_{suffix}") + getattr(page, f"answer_{suffix}")
                self.assertNotRegex(text, r"@|\+\d|\d{5,}")  # no e-mail address or phone number
        for lang in LANGUAGES:
            response = self.client.get(url_in(index, lang))
            self.assertEqual(response.status_code, 200)
            self.assertEqual(len(soup_of(response).select("ol.questions > li")), 3)


class RedactTests(SimpleTestCase):
    def test_the_inquirers_own_words_and_any_e_mail_address_are_cut_out(self):
        inquiry = Inquiry(
            name="Anna Schmidt", organisation="Quokka GmbH", email="a.s@example.org", phone="+49 40 123456"
        )
        text = "Anna Schmidt (quokka gmbh, +49 40 123456, a.s@example.org; cc boss@firm.example) ships via Savannah."
        self.assertEqual(redact(text, inquiry), "[…] ([…], […], […]; cc […]) ships via Savannah.")
        chinese = Inquiry(name="王芳", organisation="", email="w@example.cn", phone="")
        self.assertEqual(redact("我是王芳，想咨询通关。", chinese), "我是[…]，想咨询通关。")
