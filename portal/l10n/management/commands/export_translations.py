from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.l10n import status
from portal.l10n.xliff import STATES, XliffError, export_pages, render_xliff, target_language


class Command(BaseCommand):
    help = "Write the pages' texts in one language as XLIFF 1.2, for a translation agency's CAT tool."

    def add_arguments(self, parser):
        parser.add_argument(
            "--language", required=True, help=f"Target language: one of {', '.join(status.target_languages())}."
        )
        parser.add_argument(
            "--state",
            choices=STATES,
            default="all",
            help="missing: empty in the language; outdated: the Chinese changed since; all (default): every field.",
        )
        parser.add_argument("--pages", nargs="+", type=int, metavar="ID", help="Only these pages (by id).")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, language, state, pages, output, **options):
        try:
            language = target_language(language)
            exported = export_pages(language, state, pages)
        except XliffError as exc:
            raise CommandError(str(exc)) from exc
        units = sum(len(page.units) for page in exported)
        if not units:
            self.stdout.write(f"Nothing to export: no field is {state} in {language}; no file written.")
            return
        data = render_xliff(exported, language)
        summary = f"{units} units from {len(exported)} pages ({language}, {state})"
        if output:
            try:
                Path(output).write_bytes(data)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
            self.stdout.write(f"Wrote {summary} to {output}.")
        else:
            self.stdout.write(data.decode(), ending="")
            self.stderr.write(f"Exported {summary}.")
