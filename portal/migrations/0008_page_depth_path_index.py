"""An index on Wagtail's page table for a page's children: (depth, path).

Treebeard asks for a page's children as `depth = d AND path BETWEEN …`; Wagtail indexes `path` alone,
so at 10,000 news PostgreSQL read the whole page table (7.6 ms) for the header's menu, the home page's
children, on every request that renders it, and the admin's page explorer does the same. With this
index it reads the children only. The table is Wagtail's; the index is the portal's and goes with
this migration (both databases).
"""

from django.db import migrations

INDEX = "portal_page_depth_path"


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_move_search_and_l10n"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailcore_page (depth, path)",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
