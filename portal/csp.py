"""Content-Security-Policy: settings.CONTENT_SECURITY_POLICY for the public site, relaxed for the Wagtail admin.

The public site runs no script of its own, so its policy allows only the
site's own files. Wagtail 8's admin does not work under that policy: its
widgets start from inline scripts (`<script>initDateChooser(…)</script>`,
wagtail-modeltranslation's `wagtailModelTranslations = {…}`), jQuery inserts
more with chooser HTML, and it writes inline styles. So under the admin's URL
prefix, and only there, inline scripts and styles are allowed. Everything
the admin shows is written by signed-in editors, and rich text is
whitelisted on save (portal/sanitise.py for the other ways in).
"""

from dataclasses import asdict

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse

from csp.constants import HEADER, HEADER_REPORT_ONLY, UNSAFE_INLINE
from csp.middleware import CheckableLazyObject, PolicyParts
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy

ADMIN_POLICY_UPDATE = {
    "script-src": [UNSAFE_INLINE],
    "style-src": [UNSAFE_INLINE],
    # The image upload form previews files through blob: URLs (load-image.js).
    "img-src": ["blob:"],
}


def with_csp(middleware: list[str]) -> list[str]:
    """`middleware` with the CSP middleware added after SecurityMiddleware (and WhiteNoise, if present)."""
    anchor = "whitenoise.middleware.WhiteNoiseMiddleware"
    if anchor not in middleware:
        anchor = "django.middleware.security.SecurityMiddleware"
    position = middleware.index(anchor) + 1
    return [*middleware[:position], "portal.csp.CSPMiddleware", *middleware[position:]]


# What a view or a template may set to change the policy of one response (django-csp's decorators).
PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with the admin's relaxations added under the admin's URL prefix.

    django-csp builds the policy string for every response (twice: enforced and report-only),
    which was a quarter of the time of a page served from the page cache. Without a nonce, a
    decorator's change or excluded prefixes, the policy is the same for every response of its
    kind (admin or public) while the process runs, so it is built once per kind; any other
    response goes through django-csp as it is (tests/test_production.py compares both ways).
    """

    _built: dict[tuple[str, bool], tuple[str, str]] = {}

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if parts.update is None and self.is_admin(request):
            parts.update = ADMIN_POLICY_UPDATE
        return parts

    @staticmethod
    def is_admin(request) -> bool:
        return request.path_info.startswith(reverse("wagtailadmin_home"))

    @staticmethod
    def plain(request, response) -> bool:
        """Nothing about this response changes its policy (see the class docstring)."""
        excluded = any(
            (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
            for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
        )
        return not (
            settings.DEBUG
            or excluded
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in PER_RESPONSE)
        )

    def process_response(self, request, response):
        if not self.plain(request, response):
            return super().process_response(request, response)
        kind = (get_script_prefix(), self.is_admin(request))
        if kind not in self._built:
            self._built[kind] = (
                build_policy(**asdict(self.get_policy_parts(request, response))),
                build_policy(**asdict(self.get_policy_parts(request, response, report_only=True)), report_only=True),
            )
        enforced, report_only = self._built[kind]
        if enforced and HEADER not in response and not getattr(response, "_csp_exempt", False):
            response[HEADER] = enforced
        if report_only and HEADER_REPORT_ONLY not in response and not getattr(response, "_csp_exempt_ro", False):
            response[HEADER_REPORT_ONLY] = report_only
        # As django-csp: a nonce asked for after the header was written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@receiver(setting_changed)
def forget_built_policies(setting, **kwargs):
    """Tests change the policy settings while the process runs (override_settings)."""
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting in ("DEBUG", "ROOT_URLCONF"):
        CSPMiddleware._built.clear()
