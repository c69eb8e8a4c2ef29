"""The Editors group sees and handles every zone's inquiries (portal/inquiries/permissions.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_inquiry", "change_inquiry"]


def grant(apps, schema_editor):
    # Permissions are made after all migrations; this one needs them now.
    config = apps.get_app_config("inquiries")
    config.models_module = True  # the migration state's app config has none; create_permissions asks
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(
            *Permission.objects.filter(content_type__app_label="inquiries", codename__in=CODENAMES)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.remove(
            *Permission.objects.filter(content_type__app_label="inquiries", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("inquiries", "0003_desks_and_questions"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
