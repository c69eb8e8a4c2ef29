from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal import identity, sharecards


class Command(BaseCommand):
    help = (
        "Draw the emblem's static files (favicon.ico, favicon.svg, emblem.svg, apple-touch-icon.png) and the "
        "default share image into portal/static/portal/img/ (or --output-dir). Run after changing the emblem "
        "(portal/identity.py) or the card design (portal/sharecards.py), then commit the files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", type=Path, default=identity.IMG_DIR, help="where to write the files")

    def handle(self, *args, output_dir: Path, **options):
        if sharecards.font_path() is None:
            raise CommandError(sharecards.check_font()[0].msg + " " + sharecards.check_font()[0].hint)
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Cannot create {output_dir}: {exc.strerror}") from exc
        for name, content in identity.static_files().items():
            (output_dir / name).write_bytes(content)
            self.stdout.write(f"{output_dir / name} ({len(content):,} bytes)")
        done = "Done: commit the files (and run collectstatic where static files are collected)."
        self.stdout.write(self.style.SUCCESS(done))
