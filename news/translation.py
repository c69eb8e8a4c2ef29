from modeltranslation.translator import TranslationOptions, register

from news.models import NewsIndexPage, NewsPage


@register(NewsIndexPage)
class NewsIndexPageTR(TranslationOptions):
    fields = ("intro",)


@register(NewsPage)
class NewsPageTR(TranslationOptions):
    fields = ("source", "byline", "dateline", "summary", "body", "lead_image_alt", "press_contact")
