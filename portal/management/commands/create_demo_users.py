from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from wagtail.admin.localization import get_available_admin_languages
from wagtail.users.models import UserProfile

from portal.l10n.permissions import TRANSLATOR_GROUPS

DEMO_ADMIN = ("admin", "changeme")
# One translator per language, password "changeme" (development only), who sees the admin in that language.
DEMO_TRANSLATORS = {"zh-hans": "translator-zh", "en": "translator-en", "de": "translator-de", "ru": "translator-ru"}


class Command(BaseCommand):
    help = "Create the demo superuser and translators (development settings only, only in an empty user table)."

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
        for code, name in DEMO_TRANSLATORS.items():
            user = User.objects.create_user(username=name, email=f"{name}@example.com", password=password)
            user.groups.add(Group.objects.get(name=TRANSLATOR_GROUPS[code]))
            if code in dict(get_available_admin_languages()):  # WAGTAILADMIN_PERMITTED_LANGUAGES
                profile = UserProfile.get_for_user(user)
                profile.preferred_language = code
                profile.save(update_fields=["preferred_language"])
            self.stdout.write(self.style.SUCCESS(f"Created the demo translator {name} / {password} ({code})."))
