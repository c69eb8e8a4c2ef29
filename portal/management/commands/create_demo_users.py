from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_ADMIN = ("admin", "changeme")


class Command(BaseCommand):
    help = "Create the demo superuser admin/changeme (development settings only, only in an empty user table)."

    def handle(self, *args, **options):
        if not getattr(settings, "PORTAL_CREATE_DEMO_USERS", False):
            raise CommandError("Demo users are only created with development settings (PORTAL_CREATE_DEMO_USERS).")
        User = get_user_model()
        if User.objects.exists():
            self.stdout.write("Users exist already; no demo user created.")
            return
        username, password = DEMO_ADMIN
        User.objects.create_superuser(username=username, email="admin@example.com", password=password)
        self.stdout.write(self.style.SUCCESS(f"Created the demo superuser {username} / {password}."))
