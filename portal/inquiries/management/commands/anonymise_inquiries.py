from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.inquiries import privacy


class Command(BaseCommand):
    help = (
        "Blank the personal data of the inquiries received more than INQUIRY_RETENTION_MONTHS calendar months ago "
        "(name, organisation, e-mail, phone, message, staff answers and notes); the reference and statistics stay. "
        "The daily housekeeping task runs this by itself."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months",
            help=f"Calendar months instead of INQUIRY_RETENTION_MONTHS ({settings.INQUIRY_RETENTION_MONTHS}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Say how many would be anonymised; change nothing.")

    def handle(self, *args, months=None, dry_run=False, **options):
        months = self.months(months)
        cutoff = privacy.retention_cutoff(months)
        when = timezone.localtime(cutoff).strftime("%Y-%m-%d %H:%M %Z")
        if dry_run:
            count = privacy.expired(months).count()
            self.stdout.write(f"{count} inquiries received before {when} ({months} months) would be anonymised.")
            return
        count = privacy.anonymise(privacy.expired(months), reason="retention")
        self.stdout.write(self.style.SUCCESS(f"{count} inquiries received before {when} ({months} months) anonymised."))

    def months(self, value) -> int:
        source = "--months" if value is not None else "INQUIRY_RETENTION_MONTHS"
        value = settings.INQUIRY_RETENTION_MONTHS if value is None else value
        try:
            months = int(str(value).strip())
        except ValueError:
            raise CommandError(f"{source}={value!r} is not a whole number of months (such as 24).") from None
        if months < 1:
            raise CommandError(f"{source}={months}: keep inquiries at least 1 month (24 is the default).")
        if months > 1200:
            raise CommandError(f"{source}={months} is more than 100 years; give the retention in months (such as 24).")
        return months
