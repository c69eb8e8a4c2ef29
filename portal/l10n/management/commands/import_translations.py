from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from portal.l10n.permissions import translator_languages
from portal.l10n.xliff import UNCHANGED, import_xliff


class Command(BaseCommand):
    help = (
        "Read an XLIFF 1.2 file made by export_translations (and translated in a CAT tool) and save its "
        "targets as one new draft revision per page, or publish them."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The XLIFF file.")
        parser.add_argument("--publish", action="store_true", help="Publish the new revisions.")
        parser.add_argument(
            "--user",
            help="Username the revisions are saved as; pages this user may not edit (or publish) are not imported.",
        )
        parser.add_argument("--language", help="Refuse the file unless it is for this language.")
        parser.add_argument("--strict", action="store_true", help="Fail (exit non-zero) when any unit was rejected.")

    def handle(self, *args, file, publish, user, language, strict, **options):
        account = None
        if user:
            try:
                account = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No user named {user!r}.") from exc
        # a translator's import is held to the admin's rules: their own languages, drafts only
        allowed = translator_languages(account)
        if allowed and publish:
            raise CommandError(f"{user} is a translator: their imports are drafts; leave out --publish.")
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc

        # with --user, each page is held to that user's rights and locks as in the admin; messages in English
        with translation.override("en"):
            report = import_xliff(
                data, publish=publish, user=account, expected_language=language, allowed_languages=allowed or None
            )
        if report.file_error:
            raise CommandError(f"{file}: {report.file_error}")

        self.stdout.write(f"{file} ({report.language}):")
        for page in report.pages:
            if page.changed:
                action = "published revision" if page.published else "new draft revision"
                self.stdout.write(
                    self.style.SUCCESS(f"  page {page.page_id} “{page.title}”: {action} {page.revision_id}")
                    + f" — {', '.join(page.changed)}"
                )
            else:
                self.stdout.write(f"  page {page.page_id} “{page.title}”: no changes")
            if page.note:
                self.stdout.write(self.style.WARNING(f"    {page.note}"))
        unchanged = [item for item in report.skipped if item.message == UNCHANGED]
        skipped = report.skipped if options["verbosity"] > 1 else [i for i in report.skipped if i not in unchanged]
        for title, items, style in (
            ("Rejected", report.rejected, self.style.ERROR),
            ("Skipped", skipped, str),
            ("Warnings", report.warnings, self.style.WARNING),
        ):
            if items:
                self.stdout.write(f"{title} ({len(items)}):")
                for item in items:
                    self.stdout.write(style(f"  {item.unit_id}: {item.message}"))
        pages = sum(1 for page in report.pages if page.changed)
        self.stdout.write(
            f"{report.changed_count} fields changed on {pages} pages; "
            f"{len(report.rejected)} rejected, {len(report.skipped) - len(unchanged)} skipped, "
            f"{len(unchanged)} unchanged."
        )
        if strict and report.rejected:
            raise CommandError(f"{len(report.rejected)} units were rejected (see above).")
