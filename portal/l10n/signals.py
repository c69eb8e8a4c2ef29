from django.db.models.signals import post_save

from wagtail.models import Revision


def revision_saved(sender, instance, created, raw=False, **kwargs):
    from wagtail.models import Page

    if created and not raw and issubclass(instance.content_type.model_class() or object, Page):
        from portal.l10n.status import record_revision

        record_revision(instance, user=instance.user)


def connect() -> None:
    post_save.connect(revision_saved, sender=Revision, dispatch_uid="portal_l10n_revision")
