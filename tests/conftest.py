from django.core.cache import cache

import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    # wagtail-modeltranslation caches site root paths per language.
    cache.clear()
    yield
    cache.clear()
