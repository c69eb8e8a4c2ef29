import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    # wagtail-modeltranslation caches site root paths per language.
    cache.clear()
    yield
    cache.clear()
