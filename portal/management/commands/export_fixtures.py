from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.fixtures import FixtureError, write_all


class Command(BaseCommand):
    help = (
        "Write the site's published content and privacy settings back to fixtures/ in the format "
        "load_initial_data reads; says what is left out (drafts, pages not live, passwords)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=str(settings.FIXTURE_DIRS[0]), help="Folder to write to.")

    def handle(self, *args, directory, **options):
        path = Path(directory)
        if not path.is_dir():
            raise CommandError(f"{path} is not a folder.")
        warnings = []
        try:
            written = write_all(path, warnings=warnings)
        except FixtureError as exc:
            raise CommandError(str(exc)) from exc
        for file in written:
            self.stdout.write(f"Wrote {file}")
        # Fixtures hold the published content and who may see it, never passwords or drafts.
        for warning in warnings:
            self.stderr.write(self.style.WARNING(f"WARNING: {warning}"))
