from modeltranslation.translator import TranslationOptions, register

from portal.inquiries.models import PrivacyNotice
from portal.inquiries.pages import QuestionIndexPage, QuestionPage


@register(PrivacyNotice)
class PrivacyNoticeTR(TranslationOptions):
    fields = ("title", "text")
    required_languages = ("zh-hans",)


@register(QuestionIndexPage)
class QuestionIndexPageTR(TranslationOptions):
    fields = ("intro",)


@register(QuestionPage)
class QuestionPageTR(TranslationOptions):
    fields = ("question", "answer")
