from django.core.management.base import BaseCommand

from portal import pagecache


class Command(BaseCommand):
    help = (
        "Start a new content generation: every worker forgets its cached pages and remembered values. "
        "Needed only after changing published content in the database directly (SQL, QuerySet.update)."
    )

    def handle(self, *args, **options):
        before = pagecache.generation()
        pagecache.invalidate()
        self.stdout.write(self.style.SUCCESS(f"Content generation {before} → {pagecache.generation()}."))
