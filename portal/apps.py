from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.apps import apps

        from portal import signals
        from portal.models import BasePage

        signals.connect()

        # wagtail-modeltranslation assigns its own `route` to every registered
        # page class in its ready(), which runs before this one; put ours back.
        for model in apps.get_models():
            if issubclass(model, BasePage):
                model.route = BasePage.route
