from wagtail.signals import page_published, page_unpublished

from portal.search import index


def reindex(sender, instance, **kwargs):
    index.index_page(instance)


def unindex(sender, instance, **kwargs):
    index.unindex_page(instance)


def connect() -> None:
    page_published.connect(reindex, dispatch_uid="portal_search_reindex")
    page_unpublished.connect(unindex, dispatch_uid="portal_search_unindex")
