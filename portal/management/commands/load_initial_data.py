from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal.fixtures import FixtureError, load_all


class Command(BaseCommand):
    help = "Load the portal's content from fixtures/ (one transaction), then update the search and reference indexes."

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=str(settings.FIXTURE_DIRS[0]), help="Folder of the fixture files.")

    def handle(self, *args, directory, **options):
        try:
            report = load_all(Path(directory))
        except FixtureError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        if report.removed_welcome_page:
            self.stdout.write("Removed Wagtail's welcome page.")
        self.stdout.write(
            f"Pages: {len(report.created)} created, {len(report.updated)} updated, {len(report.unchanged)} unchanged."
        )
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"WARNING: {warning}"))
        if report.created or report.updated:
            call_command("update_index", verbosity=0)
            call_command("rebuild_references_index", verbosity=0)
            call_command("rebuild_search_index", stdout=self.stdout)
            self.stdout.write("Search and reference indexes updated.")
        self.stdout.write(self.style.SUCCESS("Content loaded."))
