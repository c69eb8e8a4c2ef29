"""TranslationRecord and TranslationStatus move from the portal app to this one, their rows kept.

The tables portal 0004 created are taken over as they are: the models enter this app's state
under the old table names, then AlterModelTable renames the tables to this app's default names
(indexes and constraints keep their names), and the content types follow (app_label
portal → l10n), so their permissions stay attached. portal 0007 then removes the models from
the portal app's state only. A fresh database takes the same steps.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["translationrecord", "translationstatus"]


def move_content_types(apps, schema_editor, old="portal", new="l10n"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="l10n", new="portal")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0006_search_entry_title_vector"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TranslationRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("field", models.CharField(max_length=200)),
                        ("language", models.CharField(max_length=8)),
                        ("source_digest", models.CharField(max_length=40)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("page", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.WAGTAIL_PAGE_MODEL)),
                        ("updated_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "portal_translationrecord",
                        "constraints": [models.UniqueConstraint(fields=("page", "field", "language"), name="translation_record_unique")],
                    },
                ),
                migrations.CreateModel(
                    name="TranslationStatus",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("language", models.CharField(max_length=8)),
                        ("state", models.CharField(choices=[("complete", "Complete"), ("missing", "Missing fields"), ("outdated", "Outdated fields")], max_length=10)),
                        ("expected", models.PositiveIntegerField(help_text="Fields that should be filled: filled in the source language.")),
                        ("filled", models.PositiveIntegerField()),
                        ("missing_fields", models.JSONField(default=list)),
                        ("outdated_fields", models.JSONField(default=list)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("page", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.WAGTAIL_PAGE_MODEL)),
                    ],
                    options={
                        "db_table": "portal_translationstatus",
                        "indexes": [models.Index(fields=["language", "state"], name="translation_status_lang_state")],
                        "constraints": [models.UniqueConstraint(fields=("page", "language"), name="translation_status_unique")],
                    },
                ),
            ],
            database_operations=[],
        ),
        # The tables get this app's default names (l10n_translationrecord, l10n_translationstatus).
        migrations.AlterModelTable(name="TranslationRecord", table=None),
        migrations.AlterModelTable(name="TranslationStatus", table=None),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
