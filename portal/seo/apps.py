from django.apps import AppConfig


class SeoConfig(AppConfig):
    """What search engines and feed readers read: head metadata, JSON-LD, sitemap, robots.txt."""

    name = "portal.seo"
    label = "seo"
    verbose_name = "SEO"
