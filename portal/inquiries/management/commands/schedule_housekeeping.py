from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.inquiries import housekeeping


class Command(BaseCommand):
    help = (
        "Queue the daily housekeeping task (retention, old task results) on the mail queue unless a run is "
        "waiting already; after that it queues itself every day. `make run` and `make worker` call this."
    )

    def handle(self, *args, **options):
        at = housekeeping.schedule()
        if at is None:
            self.stdout.write("Housekeeping is queued already.")
        else:
            self.stdout.write(f"Housekeeping queued for {timezone.localtime(at):%Y-%m-%d %H:%M %Z}.")
