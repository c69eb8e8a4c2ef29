"""The four translator groups: admin access and "change" on every page, nothing more."""

from django.db import migrations

GROUPS = ["Translators – 中文", "Translators – English", "Translators – Deutsch", "Translators – Русский"]


def create_groups(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    Group = apps.get_model("auth.Group")
    Page = apps.get_model("wagtailcore.Page")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")

    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    change_page, _ = Permission.objects.get_or_create(
        content_type=page_type, codename="change_page", defaults={"name": "Can change page"}
    )
    root = Page.objects.filter(depth=1).first()
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)
        if root is not None:
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=change_page)


def remove_groups(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_translation_status"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
