from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal.inquiries import housekeeping
from portal.inquiries.tasks import queue_in_database

# rq's own Job class would not find the django-tasks task the job names.
RQ_JOB_CLASS = "django_tasks_rq.Job"


class Command(BaseCommand):
    help = (
        "Run the worker of the mail queue (inquiries' e-mails, the daily housekeeping): django-tasks-db's "
        "db_worker when the queue is in the database, an RQ worker with its scheduler when it is in Redis "
        "(TASK_QUEUE_REDIS_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Stop when no task is due (tests, cron).")

    def handle(self, *args, burst=False, **options):
        verbosity = options["verbosity"]
        if queue_in_database():
            extra = ["--batch", "--no-startup-delay"] if burst else []
            call_command("db_worker", "--backend", "mail", "--no-reload", *extra, verbosity=verbosity)
            return
        # By its class, not its name: django_rq is an installed app only when the queue is in Redis.
        from django_rq.management.commands.rqworker import Command as RQWorker

        queues = sorted(housekeeping.mail_backend().queues)
        extra = ["--burst"] if burst else []
        # The scheduler moves tasks whose time has come (retries, housekeeping) into the queue.
        call_command(RQWorker(), *queues, "--with-scheduler", "--job-class", RQ_JOB_CLASS, *extra, verbosity=verbosity)
