from wagtail.signals import page_published, page_unpublished

from portal import search


def reindex(sender, instance, **kwargs):
    search.index_page(instance)


def unindex(sender, instance, **kwargs):
    search.unindex_page(instance)


def connect() -> None:
    page_published.connect(reindex, dispatch_uid="portal_search_reindex")
    page_unpublished.connect(unindex, dispatch_uid="portal_search_unindex")
