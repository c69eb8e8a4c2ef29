"""The daily housekeeping: a task on the "mail" queue that queues its own next run.

It anonymises the inquiries past retention (privacy.py), prunes the database queue's old task
results, and queues itself again for the next HOUSEKEEPING_HOUR:00 site time (TIME_ZONE). The
worker that sends the e-mails runs it, so no scheduler or cron is needed beside it; the chain
starts with `manage.py schedule_housekeeping` (`make run` and `make worker` call it; it queues
a run only when none is waiting). A run that fails still queues the next one.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from django_tasks import task, task_backends
from django_tasks.base import TaskResultStatus

from portal.inquiries.tasks import queue_in_database

logger = logging.getLogger(__name__)


def next_run(now: datetime | None = None) -> datetime:
    """The first HOUSEKEEPING_HOUR:00 in the site's time zone after `now`."""
    local = timezone.localtime(now or timezone.now())
    at = local.replace(hour=settings.HOUSEKEEPING_HOUR, minute=0, second=0, microsecond=0)
    if at <= local:
        # Through the wall clock, so a change to or from summer time keeps the hour.
        naive = at.replace(tzinfo=None) + timedelta(days=1)
        at = timezone.make_aware(naive, local.tzinfo)
    return at


def mail_backend():
    return task_backends["mail"]


def waiting_runs() -> int:
    """Housekeeping runs queued and not started yet, in the database or in Redis."""
    path = housekeeping.module_path
    if queue_in_database():
        from django_tasks_db.models import DBTaskResult

        # Not .ready(): that leaves out the runs whose time has not come, which are the point here.
        return DBTaskResult.objects.filter(status=TaskResultStatus.READY, backend_name="mail", task_path=path).count()
    import django_rq

    count = 0
    for name in mail_backend().queues:
        queue = django_rq.get_queue(name)
        ids = [*queue.get_job_ids(), *queue.scheduled_job_registry.get_job_ids()]
        count += sum(
            1 for job in queue.job_class.fetch_many(ids, connection=queue.connection) if job and job.func_name == path
        )
    return count


def schedule(now: datetime | None = None) -> datetime | None:
    """Queue the next run unless one is waiting; when it will run (None: one was waiting)."""
    if waiting_runs():
        return None
    at = next_run(now)
    housekeeping.using(run_after=at).enqueue()
    return at


def prune_task_results(now: datetime | None = None) -> int:
    """django-tasks-db keeps every finished task; RQ expires its results by itself."""
    if not queue_in_database():
        return 0
    from django_tasks_db.models import DBTaskResult

    before = (now or timezone.now()) - timedelta(days=settings.TASK_RESULT_RETENTION_DAYS)
    old = DBTaskResult.objects.finished().filter(backend_name="mail", finished_at__lte=before)
    deleted, _per_model = old.delete()
    return deleted


@task(backend="mail")
def housekeeping() -> dict:
    from portal.inquiries import privacy

    try:
        anonymised = privacy.anonymise_expired()
        pruned = prune_task_results()
    finally:
        next_at = schedule()
    logger.info("housekeeping: %d inquiries anonymised, %d task results pruned", anonymised, pruned)
    return {"anonymised": anonymised, "pruned": pruned, "next_run": next_at.isoformat() if next_at else None}
