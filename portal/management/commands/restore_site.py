from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal import backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by backup_site: the database (in one transaction) and the media files. "
        "Refuses a database that already has tables, or a media folder with files, unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The scoda-portal-….tar file written by backup_site.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete everything in the database and the media folder first (stop the site before).",
        )

    def handle(self, *args, archive, replace, **options):
        try:
            manifest = backup.restore(Path(archive), replace=replace)
        except backup.BackupError as exc:
            raise CommandError(exc) from exc
        self.stdout.write(
            f"Restored the {manifest['database']} database of {manifest['created']} into {backup.database_name()}; "
            f"media: {manifest['media']} ({manifest['media_files']} files)."
        )
        behind = backup.missing_migrations(manifest)
        if behind:
            self.stdout.write(
                self.style.WARNING(f"The backup predates migrations of {', '.join(behind)}: run manage.py migrate.")
            )
        # Cached pages and remembered lists describe the content before the restore.
        try:
            call_command("clear_page_cache", stdout=self.stdout)
        except Exception as exc:  # noqa: BLE001 (the restore itself succeeded)
            self.stderr.write(f"Could not empty the page cache ({exc}); run manage.py clear_page_cache.")
        self.stdout.write(self.style.SUCCESS("Restore complete."))
