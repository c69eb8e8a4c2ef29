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

from django.urls import reverse

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts

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


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with the admin's relaxations added under the admin's URL prefix."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if parts.update is None and request.path_info.startswith(reverse("wagtailadmin_home")):
            parts.update = ADMIN_POLICY_UPDATE
        return parts
