"""Public questions (互动交流): a visitor's question and the desk's answer, published as a Q&A page.

A QuestionPage is made from an inquiry of kind "question" (publishing.py) as a draft, in
the inquirer's language; a moderator removes any personal data, translates and publishes it through
Wagtail's workflow. The page holds the question's words only: never the inquirer's name, e-mail,
phone or organisation, and no link back to the inquiry (its reference is in the inquiry's history).

Imported by models.py, so that the page types belong to the inquiries app.
"""

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from portal import i18n
from portal.filters import year_archive
from portal.l10n.panels import TranslationStatusPanel
from portal.models import RICH_TEXT_FEATURES, BaseIndexPage, BasePage, is_public, public_pages
from portal.seo.head import plain_text
from portal.seo.jsonld import SCHEMA, compact, iso_date


class QuestionIndexPage(BaseIndexPage):
    """The published questions and answers (互动交流), newest answer first."""

    subpage_types = ["inquiries.QuestionPage"]
    max_count = 1
    is_creatable = True
    type_key = "question_index"
    facts_name = "question-index"
    listing_name = "questions_page"

    class Meta:
        verbose_name = _("questions and answers index")

    def questions(self):
        """The questions listed here: the public ones below this index (see public_pages)."""
        return public_pages(QuestionPage.objects.child_of(self), self)

    def listing(self):
        return self.questions()

    def listing_facts(self) -> dict:
        """The zones and topics that have answered questions here, and the answers per year."""
        from django.apps import apps

        questions = self.questions()
        zones = public_pages(apps.get_model("zones", "ZonePage").objects.all(), self)
        zones = zones.filter(Exists(questions.filter(zone=OuterRef("pk")))).order_by("path")
        topics = apps.get_model("portal", "Topic").objects.filter(Exists(questions.filter(topic=OuterRef("pk"))))
        return {
            "zones": [[zone.pk, zone.title] for zone in zones.only(*i18n.localized_columns("title"))],
            "topics": [[topic.slug, topic.pk, topic.name] for topic in topics.order_by("slug")],
            "archive": year_archive(questions, "answered_date"),
        }

    def add_filters(self, request, filters, facts) -> dict:
        filters.choice(
            request,
            "zone",
            _("Zone"),
            _("All zones"),
            {str(pk): (pk, title) for pk, title in facts["zones"]},
            _("Unknown zone; showing the questions of all zones."),
        )
        filters.choice(
            request,
            "topic",
            _("Topic"),
            _("All topics"),
            {slug: (pk, name) for slug, pk, name in facts["topics"]},
            _("Unknown topic; showing all topics."),
        )
        filters.year(request, _("Year"), _("All years"), facts["archive"])
        return {"zone": "zone", "topic": "topic", "year": "answered_date__year"}

    def order_listing(self, items):
        return items.select_related("zone", "topic").order_by("-answered_date", "-pk")

    def listing_context(self, request, items, filters, facts) -> dict:
        context = super().listing_context(request, items, filters, facts)
        # a question's zone is named only when public: the zones of the filter are exactly those
        context["public_zones"] = {pk for pk, _title in facts["zones"]}
        return context

    def feed_links(self, request) -> list[dict[str, str]]:
        from portal.inquiries.feeds import question_feed_links

        return question_feed_links(request)


class QuestionPage(BasePage):
    """One public question as the visitor asked it (personal data removed by staff) and the answer."""

    question = models.TextField(
        _("question"),
        help_text=_(
            "The visitor's words. Remove names, e-mail addresses, phone numbers, companies and anything "
            "else that tells who asked before publishing."
        ),
    )
    answer = RichTextField(_("answer"), blank=True, features=RICH_TEXT_FEATURES)
    zone = models.ForeignKey(
        "zones.ZonePage",
        verbose_name=_("zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
        help_text=_("The zone the question is about, if any."),
    )
    topic = models.ForeignKey(
        "portal.Topic",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    asked_date = models.DateField(_("asked on"))
    answered_date = models.DateField(_("answered on"), db_index=True)

    content_panels = [
        *Page.content_panels,
        TranslationStatusPanel(heading=_("Translations")),
        FieldPanel("question"),
        FieldPanel("answer"),
        FieldRowPanel([FieldPanel("asked_date"), FieldPanel("answered_date")]),
        MultiFieldPanel([FieldPanel("zone"), FieldPanel("topic")], heading=_("Links")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("question"),
        index.SearchField("answer"),
        index.FilterField("answered_date"),
    ]

    parent_page_types = ["inquiries.QuestionIndexPage"]
    subpage_types = []
    is_creatable = True
    type_key = "question"
    search_label = _("Questions and answers")
    fixture_file = "questions.json"
    related_names = ("zone", "topic")
    description_fields = ("question", "answer")
    og_type = "article"

    class Meta:
        verbose_name = _("public question")
        verbose_name_plural = _("public questions")

    @property
    def sort_date(self):
        return self.answered_date

    def article_times(self) -> list[tuple[str, str]]:
        times = [("published_time", iso_date(self.answered_date))]
        if self.last_published_at and self.last_published_at.date() >= self.answered_date:
            times.append(("modified_time", iso_date(self.last_published_at)))
        return times

    def links(self) -> dict:
        """The zone (while a visitor may see it) and the topic."""
        zone = self.zone if self.zone_id and is_public(self.zone, self) else None
        return {"zone": zone, "topic": self.topic if self.topic_id else None}

    def feed_links(self, request) -> list[dict[str, str]]:
        from portal.inquiries.feeds import question_feed_links

        return question_feed_links(request)

    def structured_data(self, facts) -> dict:
        """A schema.org QAPage: the question (no author: who asked is never shown) and the desk's
        answer as its accepted answer, by the publishing organisation."""
        publisher = facts.publisher()
        answer = None
        if plain_text(self.answer):
            answer = compact(
                {
                    "@type": "Answer",
                    "text": plain_text(self.answer, 5000),
                    "dateCreated": iso_date(self.answered_date),
                    "url": f"{facts.canonical}#answer",
                    "author": publisher,
                }
            )
        return compact(
            {
                "@context": SCHEMA,
                "@type": "QAPage",
                "@id": f"{facts.canonical}#qa",
                "url": facts.canonical,
                "inLanguage": facts.language,
                "publisher": publisher,
                "mainEntity": compact(
                    {
                        "@type": "Question",
                        "name": self.title,
                        "text": plain_text(self.question, 5000),
                        "dateCreated": iso_date(self.asked_date),
                        "answerCount": 1 if answer else 0,
                        "acceptedAnswer": answer,
                    }
                ),
            }
        )
