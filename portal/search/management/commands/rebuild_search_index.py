from django.core.management.base import BaseCommand

from portal.search import index as search


class Command(BaseCommand):
    help = "Rebuild the public search index (one entry per live page per language)."

    def handle(self, *args, **options):
        count = search.rebuild()
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} pages in every language."))
