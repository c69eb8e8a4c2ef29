from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal import backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump for PostgreSQL, SQLite's online backup API otherwise) and the media "
        "files into one dated archive, scoda-portal-YYYYmmdd-HHMMSS.tar (see portal/backup.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(Path(settings.BASE_DIR) / "backups"),
            help="Folder for the archive (default: backups/ in the checkout).",
        )
        parser.add_argument("--no-media", action="store_true", help="Leave the media files out.")

    def handle(self, *args, output_dir, no_media, **options):
        try:
            result = backup.create(Path(output_dir), include_media=not no_media)
        except backup.BackupError as exc:
            raise CommandError(f"No backup was written. {exc}") from exc
        manifest = result.manifest
        self.stdout.write(
            f"Database: {manifest['database']} ({backup.database_name()}); "
            f"media: {manifest['media']} ({manifest['media_files']} files, {manifest['media_bytes']} bytes)."
        )
        self.stdout.write(self.style.SUCCESS(f"Backup written: {result.archive}"))
