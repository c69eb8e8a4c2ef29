from modeltranslation.translator import TranslationOptions, register

from zones.models import DelegationIndexPage, DelegationMember, DelegationPage, ZoneFact, ZoneIndexPage, ZonePage


@register(ZoneIndexPage)
class ZoneIndexPageTR(TranslationOptions):
    fields = ("intro",)


@register(ZonePage)
class ZonePageTR(TranslationOptions):
    fields = ("country", "province", "city", "key_industries", "contact", "summary", "body", "image_alt")


@register(ZoneFact)
class ZoneFactTR(TranslationOptions):
    fields = ("label", "value", "source")
    required_languages = ("zh-hans",)


@register(DelegationIndexPage)
class DelegationIndexPageTR(TranslationOptions):
    fields = ("intro",)


@register(DelegationPage)
class DelegationPageTR(TranslationOptions):
    fields = ("leader_name", "leader_position", "sending_organisations", "places_visited", "summary", "outcomes")


@register(DelegationMember)
class DelegationMemberTR(TranslationOptions):
    fields = ("name", "position", "organisation")
    required_languages = ("zh-hans",)
