from django.db import models

from wagtail.fields import RichTextField
from wagtail.models import Page

from portal.models import BasePage
from portal.seo.jsonld import SCHEMA, compact, iso_date


class EventPage(BasePage):
    """An event, as a later issue adds them: its own fields, and BasePage's interface filled in."""

    start = models.DateField()
    venue = models.CharField(max_length=255, blank=True)
    summary = models.TextField(blank=True)
    body = RichTextField(blank=True)

    content_panels = [*Page.content_panels]
    parent_page_types = ["portal.HomePage"]
    subpage_types = []
    is_creatable = True
    type_key = "event"
    fixture_file = "events.json"
    description_fields = ("summary", "body")

    @property
    def sort_date(self):
        return self.start

    def structured_data(self, facts) -> dict:
        return compact(
            {
                "@context": SCHEMA,
                "@type": "Event",
                "@id": f"{facts.canonical}#event",
                "name": self.title,
                "url": facts.canonical,
                "startDate": iso_date(self.start),
                "location": {"@type": "Place", "name": self.venue} if self.venue else None,
                "inLanguage": facts.language,
            }
        )
