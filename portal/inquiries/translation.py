from modeltranslation.translator import TranslationOptions, register

from portal.inquiries.models import PrivacyNotice


@register(PrivacyNotice)
class PrivacyNoticeTR(TranslationOptions):
    fields = ("title", "text")
    required_languages = ("zh-hans",)
