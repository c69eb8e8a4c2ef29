"""The mail queue's operations: the daily housekeeping task (retention, pruning, its next run queued
once), and the queue in Redis (django-tasks-rq) when one is configured, run by the RQ worker that
`manage.py mail_worker` picks; against a redis-server this module starts on its own port."""

import shutil
import tempfile
from datetime import datetime, timedelta
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone

import django_rq
import pytest
from django_tasks import task_backends as backends
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from portal.inquiries import housekeeping, privacy, tasks
from portal.inquiries.models import Inquiry, InquiryEvent
from portal.settings.base import rq_queues, task_backends
from tests.test_cache_outage import OwnRedis
from tests.test_email import smtp_server  # noqa: F401 (a fixture)
from tests.test_inquiry_privacy import PERSONAL, make_inquiry
from tests.test_production import manage, production_env, run_python

SHANGHAI = ZoneInfo("Asia/Shanghai")
PATH = housekeeping.housekeeping.module_path


def waiting():
    return DBTaskResult.objects.filter(task_path=PATH, status=TaskResultStatus.READY)


def worker():
    call_command("mail_worker", "--burst", verbosity=0)


class NextRunTests(TestCase):
    def test_the_next_three_oclock_site_time(self):
        for now, expected in [
            (datetime(2026, 12, 2, 2, 59, tzinfo=SHANGHAI), datetime(2026, 12, 2, 3, 0, tzinfo=SHANGHAI)),
            (datetime(2026, 12, 2, 3, 0, tzinfo=SHANGHAI), datetime(2026, 12, 3, 3, 0, tzinfo=SHANGHAI)),
            (datetime(2026, 12, 2, 17, 30, tzinfo=SHANGHAI), datetime(2026, 12, 3, 3, 0, tzinfo=SHANGHAI)),
            (datetime(2026, 12, 31, 22, 0, tzinfo=ZoneInfo("UTC")), datetime(2027, 1, 2, 3, 0, tzinfo=SHANGHAI)),
        ]:
            with self.subTest(now=now):
                self.assertEqual(housekeeping.next_run(now), expected)

    @override_settings(HOUSEKEEPING_HOUR=23, TIME_ZONE="Europe/Berlin")
    def test_the_hour_and_zone_are_settings_and_summer_time_keeps_the_hour(self):
        berlin = ZoneInfo("Europe/Berlin")
        # The night the clocks go forward: the next 23:00 is in summer time, still 23:00 on the wall.
        now = datetime(2026, 3, 28, 23, 30, tzinfo=berlin)
        self.assertEqual(housekeeping.next_run(now), datetime(2026, 3, 29, 23, 0, tzinfo=berlin))
        self.assertEqual(housekeeping.next_run(now).utcoffset(), timedelta(hours=2))


class HousekeepingTests(TransactionTestCase):
    """The worker commits as it goes: a TransactionTestCase, as tests/test_inquiries.py's."""

    def test_schedule_housekeeping_queues_one_run_however_often_called(self):
        out = StringIO()
        call_command("schedule_housekeeping", stdout=out)
        call_command("schedule_housekeeping", stdout=out)
        self.assertEqual(waiting().count(), 1)
        expected = housekeeping.next_run()
        self.assertEqual(waiting().get().run_after, expected)
        lines = out.getvalue().splitlines()
        self.assertEqual(
            lines,
            [
                f"Housekeeping queued for {timezone.localtime(expected):%Y-%m-%d %H:%M %Z}.",
                "Housekeeping is queued already.",
            ],
        )
        worker()  # not due: nothing runs, nothing is added
        self.assertEqual(waiting().count(), 1)

    def test_a_run_anonymises_prunes_and_queues_exactly_one_next_run(self):
        now = timezone.now()
        old = make_inquiry(
            received_at=privacy.months_before(now, settings.INQUIRY_RETENTION_MONTHS) - timedelta(days=1)
        )
        young = make_inquiry(received_at=now - timedelta(days=30))
        # Finished results of the queue: one past TASK_RESULT_RETENTION_DAYS, one within.
        for inquiry in (old, young):
            tasks.send_inquiry_mail.enqueue(inquiry.pk, "unknown-kind", 1)
        with self.settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            worker()
        finished = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL)
        self.assertEqual(finished.count(), 2)
        stale = finished.first()
        DBTaskResult.objects.filter(pk=stale.pk).update(
            finished_at=now - timedelta(days=settings.TASK_RESULT_RETENTION_DAYS + 1)
        )

        call_command("schedule_housekeeping", stdout=StringIO())
        waiting().update(run_after=now)  # its time has come
        worker()

        old.refresh_from_db(), young.refresh_from_db()
        self.assertEqual((old.name, young.name), ("", PERSONAL["name"]))
        self.assertIsNotNone(old.anonymised_at)
        self.assertEqual(old.events.get(kind=InquiryEvent.Kind.ANONYMISED).data, {"reason": "retention"})
        self.assertFalse(DBTaskResult.objects.filter(pk=stale.pk).exists())
        run = DBTaskResult.objects.get(task_path=PATH, status=TaskResultStatus.SUCCESSFUL)
        self.assertEqual(run.return_value["anonymised"], 1)
        self.assertEqual(run.return_value["pruned"], 1)
        self.assertEqual(DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count(), 2)  # kept + the run
        self.assertEqual(waiting().count(), 1)
        self.assertEqual(waiting().get().run_after, housekeeping.next_run(run.finished_at))
        self.assertEqual(datetime.fromisoformat(run.return_value["next_run"]), waiting().get().run_after)

    def test_a_failed_run_still_queues_the_next(self):
        call_command("schedule_housekeeping", stdout=StringIO())
        waiting().update(run_after=timezone.now())
        with mock.patch.object(privacy, "anonymise_expired", side_effect=RuntimeError("database away")):
            worker()
        self.assertEqual(DBTaskResult.objects.filter(task_path=PATH, status=TaskResultStatus.FAILED).count(), 1)
        self.assertEqual(waiting().count(), 1)
        self.assertGreater(waiting().get().run_after, timezone.now())

    def test_a_second_waiting_run_is_not_doubled(self):
        """Two runs waiting (two workers started at once): each run adds none while another waits."""
        now = timezone.now()
        for _ in range(2):
            housekeeping.housekeeping.using(run_after=now).enqueue()
        worker()
        self.assertEqual(DBTaskResult.objects.filter(task_path=PATH, status=TaskResultStatus.SUCCESSFUL).count(), 2)
        self.assertEqual(waiting().count(), 1)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
class RedisQueueTests(TransactionTestCase):
    """TASK_QUEUE_REDIS_URL (REDIS_URL): the mail queue in Redis, the RQ worker sends. (The worker
    closes the database connections before it starts: a TransactionTestCase.)"""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.redis = OwnRedis(tempfile.mkdtemp(prefix="portal-rq-"))
        cls.addClassCleanup(cls.redis.stop)

    def setUp(self):
        self.redis.cli("FLUSHALL")
        override = override_settings(
            TASKS=task_backends(self.redis.url),
            RQ_QUEUES=rq_queues(self.redis.url),
            # In the test's own process, so the worker sees the test's database transaction.
            RQ={"WORKER_CLASS": "rq.worker.SimpleWorker"},
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            INQUIRY_DESK_EMAILS=["desk@example.org"],
        )
        override.enable()
        self.addCleanup(override.disable)
        self.queue = django_rq.get_queue("default")

    def test_the_settings_pick_rq_with_a_redis_url_and_the_database_without(self):
        self.assertEqual(task_backends("")["mail"]["BACKEND"], "django_tasks_db.DatabaseBackend")
        self.assertEqual(task_backends(self.redis.url)["mail"]["BACKEND"], "django_tasks_rq.RQBackend")
        self.assertEqual(rq_queues(self.redis.url)["default"]["URL"], self.redis.url)
        self.assertFalse(tasks.queue_in_database())
        self.assertEqual(type(backends["mail"]).__name__, "RQBackend")

    def test_mails_go_through_redis_after_the_commit_and_the_rq_worker_sends_them(self):
        with transaction.atomic():
            inquiry = make_inquiry(email="rq-inquirer@example.org")
            tasks.queue_mails(inquiry)
            # Not before the inquiry is committed: a worker would not find it yet.
            self.assertEqual(self.queue.count, 0)
        self.assertEqual(self.queue.count, 2)
        before = list(inquiry.events.values_list("pk", flat=True))
        self.assertFalse(DBTaskResult.objects.exists())  # nothing in the database queue
        self.assertEqual(self.redis.cli("LLEN", "rq:queue:default").stdout.strip(), "2")
        worker()
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["desk@example.org", "rq-inquirer@example.org"])
        sent = inquiry.events.filter(kind=InquiryEvent.Kind.MAIL_SENT).exclude(pk__in=before)
        self.assertEqual(sorted(e.data["mail"] for e in sent), ["auto-reply", "desk"])
        self.assertEqual(self.queue.count, 0)
        self.assertEqual(len(self.queue.finished_job_registry.get_job_ids()), 2)

    def test_a_retry_waits_in_rqs_schedule_and_is_sent_when_due(self):
        inquiry = make_inquiry(email="rq-retry@example.org")
        with mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=ConnectionRefusedError
        ):
            tasks.send_inquiry_mail.enqueue(inquiry.pk, tasks.AUTO_REPLY, 1)
            worker()
        self.assertEqual(inquiry.events.filter(kind=InquiryEvent.Kind.MAIL_FAILED).count(), 1)
        scheduled = self.queue.scheduled_job_registry
        self.assertEqual(len(scheduled.get_job_ids()), 1)
        worker()  # not due yet
        self.assertEqual(mail.outbox, [])
        # Its time comes: RQ's scheduler (the worker runs it) moves it into the queue.
        job_id = scheduled.get_job_ids()[0]
        self.redis.cli("ZADD", scheduled.key, str(int(timezone.now().timestamp()) - 1), job_id)
        worker()
        self.assertEqual([m.to for m in mail.outbox], [["rq-retry@example.org"]])

    def test_an_anonymised_inquirys_queued_mail_is_not_sent(self):
        inquiry = make_inquiry()
        tasks.send_inquiry_mail.enqueue(inquiry.pk, tasks.AUTO_REPLY, 1)
        privacy.anonymise(Inquiry.objects.all())
        worker()
        self.assertEqual(mail.outbox, [])
        self.assertEqual(len(self.queue.finished_job_registry.get_job_ids()), 1)

    def test_housekeeping_is_queued_once_in_redis_and_runs_there(self):
        old = make_inquiry(received_at=timezone.now() - timedelta(days=31 * (settings.INQUIRY_RETENTION_MONTHS + 1)))
        self.assertIsNotNone(housekeeping.schedule())
        self.assertIsNone(housekeeping.schedule())
        self.assertEqual(housekeeping.waiting_runs(), 1)
        scheduled = self.queue.scheduled_job_registry
        for job_id in scheduled.get_job_ids():
            self.redis.cli("ZADD", scheduled.key, str(int(timezone.now().timestamp()) - 1), job_id)
        worker()
        old.refresh_from_db()
        self.assertIsNotNone(old.anonymised_at)
        self.assertEqual(housekeeping.waiting_runs(), 1)  # tomorrow's, queued by the run
        (next_id,) = scheduled.get_job_ids()
        self.assertEqual(
            scheduled.get_scheduled_time(next_id),
            housekeeping.next_run(),
        )


QUEUE_MAILS = """
import django
django.setup()
from django.db import transaction
from django.utils import timezone
from portal.inquiries import tasks
from portal.inquiries.models import Inquiry
with transaction.atomic():
    inquiry = Inquiry.objects.create(
        reference="SC-2026-RQRQ-0001", name="Rita", email="rita@example.org", country="KZ", language="ru",
        message="Hello", consented_at=timezone.now(),
    )
    tasks.queue_mails(inquiry)
print(type(tasks.send_inquiry_mail.get_backend()).__name__)
"""


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_production_settings_queue_in_redis_and_make_workers_command_sends(tmp_path, smtp_server):  # noqa: F811
    """What `make worker` runs with TASK_QUEUE_REDIS_URL set, in production settings: the forking RQ
    worker, its scheduler, mail through SMTP; REDIS_URL alone (the cache) leaves the queue in the database."""
    controller, inbox = smtp_server
    redis = OwnRedis(tmp_path)
    try:
        env = production_env(
            tmp_path,
            TASK_QUEUE_REDIS_URL=redis.url,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(controller.port),
            EMAIL_USE_TLS="0",
            INQUIRY_DESK_EMAILS="desk@example.org",
        )
        assert manage(env, "migrate", "--noinput").returncode == 0
        check = manage(env, "check")
        assert check.returncode == 0, check.stderr
        queued = run_python(QUEUE_MAILS, env)
        assert queued.returncode == 0, queued.stderr
        assert queued.stdout.strip() == "RQBackend"
        assert redis.cli("LLEN", "rq:queue:default").stdout.strip() == "2"
        scheduled = manage(env, "schedule_housekeeping")
        assert scheduled.stdout.startswith("Housekeeping queued for "), scheduled.stdout + scheduled.stderr
        assert manage(env, "schedule_housekeeping").stdout.strip() == "Housekeeping is queued already."
        worker = manage(env, "mail_worker", "--burst")
        assert worker.returncode == 0, worker.stderr
        assert sorted(message.rcpt_tos[0] for message in inbox.messages) == ["desk@example.org", "rita@example.org"]
        assert redis.cli("ZCARD", "rq:scheduled:default").stdout.strip() == "1"  # tomorrow's housekeeping
        assert "Rita" not in worker.stdout + worker.stderr  # the worker's log names ids, not people

        cache_only = run_python(
            QUEUE_MAILS.replace("0001", "0002"), {**env, "TASK_QUEUE_REDIS_URL": "", "REDIS_URL": redis.url}
        )
        assert cache_only.returncode == 0, cache_only.stderr
        assert cache_only.stdout.strip() == "DatabaseBackend"
    finally:
        redis.stop()
