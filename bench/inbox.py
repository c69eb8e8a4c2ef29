"""The zone desks' inbox at 10,000 inquiries: how long the admin's pages take, in-process.

    .venv/bin/python -m bench.inbox [--inquiries 10000] [--runs 20] [--databases sqlite,postgres]

For each database: a new one (SQLite in a temporary directory; PostgreSQL `portal_bench_inbox` on
BENCH_PG_SERVER, default postgres://postgres@127.0.0.1:5432), migrations, the fixtures, two zone
desks, then N inquiries spread over the zones and months with three events each. Each page is
fetched with Django's test client as an editor (sees all) and as a zone desk's staff member,
once to warm up, then `--runs` times; the median and the slowest are printed (the goal: under
300 ms). The CSV export of everything is timed once.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = "portal_bench_inbox"
GOAL_MS = 300


def say(message: str) -> None:
    print(message, flush=True)  # noqa: T201 (a benchmark prints its numbers)


def environment(database_url: str, media: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.bench",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "EMAIL_HOST": "127.0.0.1",
        "DEFAULT_FROM_EMAIL": "bench@localhost",
        "SECURE_SSL_REDIRECT": "0",
        "MEDIA_ROOT": media,
        "STATIC_ROOT": f"{media}/static",
        "LOG_LEVEL": "WARNING",
        "PAGE_CACHE_SECONDS": "0",
    }


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", sql], check=True, capture_output=True)  # noqa: S603,S607


def generate(count: int) -> dict:
    """N inquiries over the fixture zones, the central desk and the last 12 months; returns the users."""
    import random
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.utils import timezone

    from portal.inquiries.models import Inquiry, InquiryEvent, Kind, Status, ZoneDesk, new_reference
    from zones.models import ZonePage

    rng = random.Random(14)  # noqa: S311 (made-up data, the same each run)
    zones = list(ZonePage.objects.order_by("path"))
    access = Permission.objects.get(codename="access_admin")
    desk = Group.objects.create(name="Bench desk")
    desk.permissions.add(access)
    ZoneDesk.objects.create(zone=zones[0], group=desk)  # SCODA and its branch park
    User = get_user_model()
    editor = User.objects.create_user("bench-editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    staff = User.objects.create_user("bench-desk")
    staff.groups.add(desk)
    now = timezone.now()
    statuses = [Status.NEW, Status.ASSIGNED, Status.ANSWERED, Status.ANSWERED, Status.CLOSED, Status.SPAM]
    inquiries = []
    for n in range(count):
        zone = rng.choice([*zones, None])
        received = now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        status = rng.choice(statuses)
        answered = (
            received + timedelta(hours=rng.randrange(1, 120)) if status in (Status.ANSWERED, Status.CLOSED) else None
        )
        inquiries.append(
            Inquiry(
                reference=new_reference(received)[:-4] + f"{n:04X}"[-4:] if n < 65536 else new_reference(received),
                received_at=received,
                kind=Kind.QUESTION if n % 10 == 0 else Kind.INQUIRY,
                name=f"Inquirer {n}",
                organisation=f"Company {n % 700}",
                country=rng.choice(["KZ", "RU", "DE", "IN", "UZ", "CN", "PK"]),
                email=f"inquirer{n}@example.org",
                sector="logistics",
                project_type="investment",
                size_band="1m-10m",
                language=rng.choice(["zh-hans", "en", "de", "ru"]),
                message="We would like to know about bonded storage and rail links to Central Asia. " * 3,
                consented_at=received,
                zone_of_interest=zone,
                desk=zone,
                status=status,
                assignee=staff if status != Status.NEW and zone == zones[0] else None,
                first_answered_at=answered,
            )
        )
    Inquiry.objects.bulk_create(inquiries, batch_size=1000)
    events = []
    for inquiry in Inquiry.objects.only("pk", "received_at"):
        events.append(InquiryEvent(inquiry=inquiry, kind=InquiryEvent.Kind.CREATED, at=inquiry.received_at))
        events.append(InquiryEvent(inquiry=inquiry, kind=InquiryEvent.Kind.MAIL_SENT, data={"mail": "auto-reply"}))
        events.append(InquiryEvent(inquiry=inquiry, kind=InquiryEvent.Kind.NOTE, note="Called back."))
    InquiryEvent.objects.bulk_create(events, batch_size=2000)
    sample = Inquiry.objects.filter(desk=zones[0]).order_by("-received_at").values_list("pk", flat=True).first()
    return {"editor": editor, "staff": staff, "sample": sample}


def measure(count: int, runs: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    call_command("collectstatic", "--noinput", verbosity=0)  # production settings: hashed file names
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_initial_data", verbosity=0)
    started = time.perf_counter()
    users = generate(count)
    generated = time.perf_counter() - started
    index = reverse("inquiries:index")
    pages = {
        "inbox": index,
        "inbox, status new": index + "?status=new",
        "inbox, page 50": index + "?p=50",
        "inbox, search": index + "?q=Company+42",
        "inquiry": reverse("inquiries:edit", args=[users["sample"]]),
        "report": reverse("inquiries_first_answer"),
    }
    results = {"inquiries": count, "generate_s": round(generated, 1), "pages": {}}
    for role in ("editor", "staff"):
        client = Client()
        client.force_login(users[role])
        for name, url in pages.items():
            response = client.get(url)  # warm-up (and a check that the page answers)
            if response.status_code != 200:
                raise SystemExit(f"{name} as {role}: HTTP {response.status_code}")
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            results["pages"][f"{name} ({role})"] = {
                "median_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1),
                "queries": len(queries),
            }
        started = time.perf_counter()
        response = client.get(index + "?export=csv")
        rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
        results["pages"][f"CSV export ({role})"] = {
            "median_ms": round((time.perf_counter() - started) * 1000, 1),
            "max_ms": None,
            "queries": None,
            "rows": rows,
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inquiries", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.inquiries, args.runs)))  # noqa: T201 (read by the parent)
        return
    for kind in args.databases.split(","):
        with tempfile.TemporaryDirectory() as folder:
            if kind == "sqlite":
                url = f"sqlite:///{folder}/inbox.sqlite3"
            elif kind == "postgres":
                psql(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
                psql(f"CREATE DATABASE {PG_DATABASE}")
                url = f"{PG_SERVER}/{PG_DATABASE}"
            else:
                raise SystemExit(f"Unknown database {kind!r} (use sqlite, postgres).")
            try:
                child = subprocess.run(  # noqa: S603
                    [
                        sys.executable,
                        "-m",
                        "bench.inbox",
                        "--measure",
                        f"--inquiries={args.inquiries}",
                        f"--runs={args.runs}",
                    ],
                    cwd=ROOT,
                    env=environment(url, folder),
                    capture_output=True,
                    text=True,
                    check=False,
                )
            finally:
                if kind == "postgres":
                    psql(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            if child.returncode:
                raise SystemExit(f"{kind}: the measurement failed:\n{child.stderr[-3000:]}")
            result = json.loads(child.stdout.strip().splitlines()[-1])
        say(f"\n{kind}: {result['inquiries']} inquiries (generated in {result['generate_s']} s)")
        say(f"{'page':<34} {'median ms':>10} {'max ms':>8} {'queries':>8}")
        for name, row in result["pages"].items():
            extra = f"  ({row['rows']} rows)" if "rows" in row else ""
            flag = "" if row["max_ms"] is None or row["median_ms"] < GOAL_MS else "  over the 300 ms goal"
            say(f"{name:<34} {row['median_ms']:>10} {row['max_ms'] or '':>8} {row['queries'] or '':>8}{extra}{flag}")


if __name__ == "__main__":
    main()
