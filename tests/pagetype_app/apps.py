from django.apps import AppConfig


class PagetypeAppConfig(AppConfig):
    """A page type added the way a new one is (tests/test_page_types.py): its own app, nothing in the core."""

    name = "tests.pagetype_app"
    label = "pagetype_app"
