"""The site under load, and under load while PostgreSQL, a gunicorn worker or Redis fails (bench/reliability.py).

Slow (minutes): `make test-reliability`, which CI runs once; `make test` leaves these out.
Everything runs against services the test starts itself — its own PostgreSQL cluster
(migrated, load_initial_data), its own redis-server, gunicorn with the production settings
(2 workers, 127.0.0.1) — for RELIABILITY_DURATION seconds per run (60; CI uses less).
Each run's figures are printed (pytest -s) and appended to artifacts/reliability.txt.
wrk, initdb/pg_ctl and redis-server are required: a missing one fails, it does not skip.
"""

import time
from pathlib import Path

import pytest

from bench import reliability

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture(scope="module")
def site():
    with reliability.Site() as site:
        yield site


def report(run: reliability.Run) -> reliability.Run:
    reliability.say(run.summary())
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "reliability.txt").open("a", encoding="utf-8") as out:
        out.write(f"[{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC] {run.summary()}\n")
    return run


def failed_statuses(run: reliability.Run) -> dict[str, int]:
    return {status: n for status, n in run.statuses.items() if int(status) >= 400}


@pytest.mark.parametrize("cached", [False, True], ids=["page cache off", "page cache on"])
def test_load_has_no_errors(site, cached):
    run = report(reliability.load_run(site, cached=cached))
    assert "warm-up failures" not in run.notes, run.notes.get("warm-up failures")
    assert run.requests > len(site.urls)
    assert failed_statuses(run) == {}, run.failures[:10]
    assert sum(run.socket_errors.values()) == 0, run.socket_errors
    assert run.errors == 0


def test_postgres_restart_gives_503_and_recovers_without_restarting_gunicorn(site):
    run = report(reliability.postgres_restart_run(site))
    notes = run.notes
    # Something did fail, or PostgreSQL was not really down.
    assert run.failed_answers > 0
    # Only 503 with Retry-After, never a 500 nor a broken connection.
    assert set(failed_statuses(run)) == {"503"}, run.failures[:10]
    assert notes["503 without Retry-After"] == 0
    assert sum(run.socket_errors.values()) == 0, run.socket_errors
    # Only while PostgreSQL was away (and a few seconds after), and not every request: cached pages still served.
    assert notes["failures outside the window (s)"] == []
    assert notes["answers while PostgreSQL was down"].get(200, 0) > 0
    # The same gunicorn and the same workers serve every URL again.
    assert notes["gunicorn master kept"] is True
    assert notes["gunicorn workers kept"] is True
    assert notes["healthz recovered"] is True
    assert notes["failures after every URL once more"] == {}


def test_killed_worker_loses_only_its_own_request(site):
    run = report(reliability.worker_kill_run(site))
    assert run.notes["replacement started"] is True
    # A sync worker serves one request at a time: at most that one fails, as a broken connection.
    assert failed_statuses(run) == {}, run.failures[:10]
    assert sum(run.socket_errors.values()) <= run.notes["killed workers"], run.socket_errors
    assert run.requests > len(site.urls)


def test_site_serves_while_redis_is_down(site):
    run = report(reliability.redis_down_run(site))
    assert failed_statuses(run) == {}, run.failures[:10]
    assert sum(run.socket_errors.values()) == 0, run.socket_errors
    assert run.notes["answers while Redis was down"].get(200, 0) > 0
    # /healthz keeps the server in service and names the cache's state: not ok while down, ok once back.
    status, body = run.notes["_healthz"]["down"]
    assert status == 200, body
    assert "cache" in body.lower() and "cache: ok" not in body.lower(), body
    status, body = run.notes["_healthz"]["back"]
    assert status == 200, body
    assert "cache: ok" in body.lower(), body
