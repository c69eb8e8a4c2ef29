from django.db.models.signals import post_save

from wagtail.models import Revision
from wagtail.signals import page_published, page_unpublished

from portal import search


def reindex(sender, instance, **kwargs):
    search.index_page(instance)


def unindex(sender, instance, **kwargs):
    search.unindex_page(instance)


def revision_saved(sender, instance, created, raw=False, **kwargs):
    from wagtail.models import Page

    if created and not raw and issubclass(instance.content_type.model_class() or object, Page):
        from portal.l10n.status import record_revision

        record_revision(instance, user=instance.user)


def connect() -> None:
    from portal import pagecache

    pagecache.connect()
    post_save.connect(revision_saved, sender=Revision, dispatch_uid="portal_l10n_revision")
    page_published.connect(reindex, dispatch_uid="portal_search_reindex")
    page_unpublished.connect(unindex, dispatch_uid="portal_search_unindex")
