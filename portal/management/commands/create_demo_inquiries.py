"""Demo zone desks, their staff and a few inquiries in four languages, so `make run` shows a
populated inbox. Development settings only, and only while there is no inquiry and no desk."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from wagtail.users.models import UserProfile

from portal.inquiries.models import (
    Inquiry,
    InquiryEvent,
    Kind,
    PrivacyNotice,
    Status,
    ZoneDesk,
    new_reference,
)

PASSWORD = "changeme"  # noqa: S105 (development only, as create_demo_users)
# zone (English slug) → desk group, its demo staff member, the admin language of that member
DEMO_DESKS = [
    ("scoda", "Zone desk – SCODA", "desk-scoda", "zh-hans"),
    ("liangjiang-new-area", "Zone desk – Liangjiang", "desk-liangjiang", "en"),
]

# (zone slug or None for the central desk, language, hours ago, answered after hours, status, inquirer, message)
DEMO_INQUIRIES = [
    (
        "scoda",
        "ru",
        30,
        None,
        Status.NEW,
        ("Айгерим Сапарова", "ТОО «Евразия Логистик»", "KZ", "logistics", "investment", "1m-10m"),
        "Здравствуйте! Мы рассматриваем открытие склада рядом с мультимодальным хабом в Цзяочжоу. "
        "Какие участки доступны и каковы сроки таможенного оформления контейнеров из Алматы?",
    ),
    (
        "scoda",
        "en",
        75,
        20,
        Status.ANSWERED,
        ("Rahul Mehta", "Mehta Agro Exports", "IN", "agriculture", "trade", "under-1m"),
        "We export spices and would like to use the SCO cross-border e-commerce platform. "
        "Who can we talk to about bonded storage in Qingdao?",
    ),
    (
        "xinjiang-branch-park",
        "zh-hans",
        50,
        None,
        Status.ASSIGNED,
        ("王磊", "乌鲁木齐丝路商贸有限公司", "CN", "trade", "partnership", "10m-100m"),
        "我们希望与新疆分园合作建设面向中亚的商品集散中心，想了解入园条件和扶持政策。",
    ),
    (
        "liangjiang-new-area",
        "de",
        120,
        6,
        Status.CLOSED,
        ("Katrin Vogel", "Vogel Maschinenbau GmbH", "DE", "manufacturing", "expansion", "10m-100m"),
        "Guten Tag, wir planen eine Erweiterung unserer Fertigung in Chongqing und interessieren uns "
        "für die Bahnverbindung nach Europa. Gibt es Ansprechpartner für Investoren aus Deutschland?",
    ),
    (
        None,
        "en",
        10,
        None,
        Status.NEW,
        ("Bakhtiyor Karimov", "Samarkand Textile Cluster", "UZ", "manufacturing", "information", "undisclosed"),
        "Which of the partner zones is best placed for a textile joint venture with Uzbekistan?",
    ),
]

ANSWERS = {
    "en": "Thank you for your interest. Our trade services team will call you this week; "
    "bonded storage is available at the Qingdao multimodal hub.",
    "de": "Vielen Dank. Unsere Ansprechpartnerin für Investoren aus Europa meldet sich bei Ihnen.",
}


class Command(BaseCommand):
    help = "Create demo zone desks, desk staff and inquiries (development settings only, only once)."

    def handle(self, *args, **options):
        if not getattr(settings, "PORTAL_CREATE_DEMO_USERS", False):
            raise CommandError("Demo inquiries are only created with development settings (PORTAL_CREATE_DEMO_USERS).")
        if Inquiry.objects.exists() or ZoneDesk.objects.exists():
            self.stdout.write("Inquiries or zone desks exist already; no demo inquiry created.")
            return
        from zones.models import ZonePage

        zones = {zone.slug_en: zone for zone in ZonePage.objects.all()}
        missing = {slug for slug, *_ in DEMO_DESKS} - set(zones)
        if missing:
            raise CommandError(
                f"Load the content first (make load): no zone with the slug {', '.join(sorted(missing))}."
            )
        with transaction.atomic():
            staff = self.create_desks(zones)
            self.create_inquiries(zones, staff)

    def create_desks(self, zones) -> dict:
        User = get_user_model()
        access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        staff = {}
        for slug, group_name, username, language in DEMO_DESKS:
            group, _created = Group.objects.get_or_create(name=group_name)
            group.permissions.add(access_admin)
            ZoneDesk.objects.create(zone=zones[slug], group=group)
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(username=username, email=f"{username}@example.com", password=PASSWORD)
                profile = UserProfile.get_for_user(user)
                profile.preferred_language = language
                profile.save(update_fields=["preferred_language"])
            user.groups.add(group)
            staff[slug] = user
            self.stdout.write(self.style.SUCCESS(f"Created the zone desk {group_name} with {username} / {PASSWORD}."))
        return staff

    def create_inquiries(self, zones, staff) -> None:
        now = timezone.now()
        notice = PrivacyNotice.objects.current()
        for slug, language, hours_ago, answered_after, status, who, message in DEMO_INQUIRIES:
            name, organisation, country, sector, project_type, size_band = who
            zone = zones.get(slug) if slug else None
            received = now - timedelta(hours=hours_ago)
            desk_user = staff.get(slug) or staff.get("scoda") if slug else None
            inquiry = Inquiry.objects.create(
                reference=new_reference(received),
                received_at=received,
                kind=Kind.INQUIRY,
                name=name,
                organisation=organisation,
                country=country,
                email=f"{name.split()[0].lower()}@example.org" if name.isascii() else "inquirer@example.org",
                sector=sector,
                project_type=project_type,
                size_band=size_band,
                language=language,
                message=message,
                zone_of_interest=zone,
                desk=zone,
                privacy_notice=notice,
                consented_at=received,
                status=status,
                assignee=desk_user if status != Status.NEW else None,
            )
            InquiryEvent.objects.create(inquiry=inquiry, kind=InquiryEvent.Kind.CREATED, at=received)
            if answered_after is not None:
                answered = received + timedelta(hours=answered_after)
                inquiry.first_answered_at = answered
                inquiry.save(update_fields=["first_answered_at"])
                InquiryEvent.objects.create(
                    inquiry=inquiry,
                    kind=InquiryEvent.Kind.ANSWER,
                    at=answered,
                    actor=desk_user,
                    note=ANSWERS.get(language, ANSWERS["en"]),
                    data={"subject": f"Re: {inquiry.reference}", "language": language},
                )
        self.stdout.write(self.style.SUCCESS(f"Created {len(DEMO_INQUIRIES)} demo inquiries."))
