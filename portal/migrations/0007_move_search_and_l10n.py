"""SearchEntry, TranslationRecord and TranslationStatus now belong to the search and l10n apps
(portal/search/migrations/0001, portal/l10n/migrations/0001), which took over their tables:
they leave the portal app's state here, the database is left as it is."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0006_search_entry_title_vector"),
        ("search", "0001_initial"),
        ("l10n", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SearchEntry"),
                migrations.DeleteModel(name="TranslationRecord"),
                migrations.DeleteModel(name="TranslationStatus"),
            ],
            database_operations=[],
        ),
    ]
