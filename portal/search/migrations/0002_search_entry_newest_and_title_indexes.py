"""Indexes for reading a page of results without sorting every match (portal.search.query.Matches).
PostgreSQL only, like portal 0006; SQLite's search reads the index as it is.

- search_entry_language_date becomes (language, date DESC NULLS LAST, id), the order of the
  results within each group (newest first, undated pages last), so the rows of a word found on
  nearly every page are read newest first and the scan stops after one page. The name and the
  model's state stay: SQLite refuses NULLS LAST in an index, and its DESC puts NULLs last anyway.
- A GIN index per language on the title vector finds the title matches of a word that is rare
  in titles without reading every row of the language.
"""

from django.db import migrations

# The languages of portal.search.index.PG_CONFIG when this migration was written; a language
# added later needs its own index (a new migration), as in portal 0006.
LANGUAGES = ["zh-hans", "en", "de", "ru"]
DATE_INDEX = "search_entry_language_date"


def title_index_name(code):
    return "search_entry_title_" + code.replace("-", "_")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("search", "SearchEntry")._meta.db_table
    schema_editor.execute(f"DROP INDEX IF EXISTS {DATE_INDEX}")
    schema_editor.execute(f"CREATE INDEX {DATE_INDEX} ON {table} (language, date DESC NULLS LAST, id)")
    for code in LANGUAGES:
        schema_editor.execute(
            f"CREATE INDEX {title_index_name(code)} ON {table} USING gin (title_vector) WHERE language = '{code}'"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("search", "SearchEntry")._meta.db_table
    for code in LANGUAGES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {title_index_name(code)}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {DATE_INDEX}")
    schema_editor.execute(f"CREATE INDEX {DATE_INDEX} ON {table} (language, date DESC)")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
