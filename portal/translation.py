from modeltranslation.translator import TranslationOptions, register

from portal.models import HomePage, SiteSettings, Topic


@register(HomePage)
class HomePageTR(TranslationOptions):
    fields = ("intro",)


@register(Topic)
class TopicTR(TranslationOptions):
    fields = ("name",)
    required_languages = ("zh-hans",)


@register(SiteSettings)
class SiteSettingsTR(TranslationOptions):
    fields = ("site_name", "short_name", "organisation", "address", "footer_note")
