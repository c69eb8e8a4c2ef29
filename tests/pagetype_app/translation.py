from modeltranslation.translator import TranslationOptions, register

from tests.pagetype_app.models import EventPage


@register(EventPage)
class EventPageTR(TranslationOptions):
    fields = ("venue", "summary", "body")
