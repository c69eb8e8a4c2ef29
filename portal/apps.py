from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


def check_routing(app_configs=None, **kwargs):
    """Every portal page routes with BasePage.route (see PortalConfig.ready)."""
    from portal.models import BasePage, page_models

    return [
        checks.Error(
            f"{model._meta.label}.route is not BasePage.route: another app replaced it after portal's ready().",
            hint='List "wagtail_modeltranslation" before "portal" in INSTALLED_APPS, as its documentation asks.',
            obj=model,
            id="portal.E001",
        )
        for model in page_models()
        if model.route is not BasePage.route
    ]


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from portal import sharecards, signals
        from portal.models import BasePage, page_models

        signals.connect()

        # The one override of a library's assignment: wagtail-modeltranslation gives every
        # registered page class its own `route` in its ready() (which its documentation puts
        # before ours); BasePage.route finds a page through the language fallback in one query a
        # level instead of loading every sibling. check_routing fails loudly should the order change.
        for model in page_models():
            model.route = BasePage.route
        checks.register(check_routing)
        checks.register(sharecards.check_font)
