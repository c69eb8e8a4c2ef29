"""SearchEntry moves from the portal app to this one, its rows kept.

The table portal 0003 created (and 0006 indexed) is taken over as it is: the model enters this
app's state under the old table name, then AlterModelTable renames the table to this app's
default name (indexes and constraints keep their names, the GIN indexes included), and the
content type follows (app_label portal → search), so its permissions stay attached. portal 0007
then removes the model from the portal app's state only. A fresh database takes the same steps.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["searchentry"]


def move_content_types(apps, schema_editor, old="portal", new="search"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="search", new="portal")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0006_search_entry_title_vector"),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("language", models.CharField(max_length=8)),
                        ("title", models.TextField()),
                        ("body", models.TextField(help_text="Plain text shown in excerpts.")),
                        ("search_text", models.TextField(help_text="Title, a line break, body; prepared by portal.search.search_text.")),
                        ("date", models.DateField(null=True)),
                        ("vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                        ("title_vector", django.contrib.postgres.search.SearchVectorField(help_text="The title alone: title matches are listed first.", null=True)),
                        ("content_type", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="contenttypes.contenttype")),
                        ("page", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.WAGTAIL_PAGE_MODEL)),
                    ],
                    options={
                        "db_table": "portal_searchentry",
                        "indexes": [models.Index(fields=["language", "-date"], name="search_entry_language_date")],
                        "constraints": [models.UniqueConstraint(fields=("page", "language"), name="search_entry_page_language")],
                    },
                ),
            ],
            database_operations=[],
        ),
        # The table gets this app's default name (search_searchentry).
        migrations.AlterModelTable(name="SearchEntry", table=None),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
