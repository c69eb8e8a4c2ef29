"""The database away (a PostgreSQL restart): 503 with Retry-After in the visitor's language, not a
500; and the site serves again as soon as the database is back, without a restart."""

import contextlib
import logging
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
from pathlib import Path
from unittest import mock

from django.core.cache import cache
from django.db import OperationalError, connections
from django.test import Client, TestCase

import pytest

from portal import unavailable
from tests.factories import build_site
from tests.helpers import url_in
from tests.test_production import BASE_DIR, free_port, get, manage, production_env


def database_away():
    """Every new query fails as it does while PostgreSQL restarts."""
    return mock.patch.object(
        connections["default"],
        "ensure_connection",
        side_effect=OperationalError("connection to server failed: Connection refused"),
    )


class DatabaseAwayTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)

    def setUp(self):
        self.client = Client(raise_request_exception=False)
        unavailable._logged_at[0] = float("-inf")
        cache.clear()

    def assert_unavailable(self, response, language):
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "30")
        self.assertEqual(response["Content-Language"], language)
        self.assertIn(f'<html lang="{language}">', response.content.decode())
        self.assertIn("no-store", response["Cache-Control"])

    def test_a_page_answers_503_in_the_visitors_language(self):
        # the site lookup (a middleware) is the first to ask the database
        for language in ("de", "ru", "zh-hans"):
            with self.subTest(language), database_away():
                self.assert_unavailable(self.client.get(f"/{language}/"), language)

    def test_an_error_in_the_view_answers_503_too(self):
        self.client.get("/en/")  # the site and its home page remembered: the search view asks first
        with database_away():
            self.assert_unavailable(self.client.get("/en/search/?q=News"), "en")

    def test_without_a_language_in_the_url_the_browsers_counts(self):
        with database_away():
            response = self.client.get("/documents/1/file.pdf", headers={"accept-language": "ru"})
        self.assert_unavailable(response, "ru")

    def test_logged_once_per_interval(self):
        with self.assertLogs("portal.unavailable", logging.WARNING) as logged, database_away():
            for _ in range(10):
                self.assertEqual(self.client.get("/en/").status_code, 503)
        self.assertEqual(len(logged.records), 1)

    def test_served_again_when_the_database_is_back(self):
        url = url_in(self.site["news"][0], "en")
        with database_away():
            self.assertEqual(self.client.get(url).status_code, 503)
        self.assertEqual(self.client.get(url).status_code, 200)


# --- a real PostgreSQL restart under gunicorn with the production settings ---------------------

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class OwnPostgres:
    """A PostgreSQL cluster of this test alone: its own directory and port, fsync off."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="portal-pg-", dir="/tmp"))
        self.port = free_port()
        self.as_user = []
        if os.geteuid() == 0:  # initdb refuses root
            os.chown(self.directory, pwd.getpwnam("postgres").pw_uid, -1)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.run("initdb", "-D", str(self.directory / "data"), "-U", "postgres", "--auth=trust", "--no-sync")
        self.start()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, program, *args):
        subprocess.run([*self.as_user, str(PG_BIN / program), *args], check=True, capture_output=True, timeout=120)

    def start(self):
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(
            "pg_ctl",
            "-D",
            str(self.directory / "data"),
            "-o",
            options,
            "-l",
            str(self.directory / "log"),
            "-w",
            "start",
        )

    def stop(self):
        self.run("pg_ctl", "-D", str(self.directory / "data"), "-m", "fast", "-w", "stop")

    def remove(self):
        with contextlib.suppress(subprocess.CalledProcessError):  # stopped already
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def status_of(url: str) -> tuple[int, dict]:
    try:
        status, headers, _body = get(url)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)
    return status, headers


@pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason="PostgreSQL 15's server programs are not installed")
def test_a_postgresql_restart_answers_503_and_the_site_recovers_by_itself(tmp_path):
    postgres = OwnPostgres()
    server = None
    try:
        env = production_env(tmp_path, DATABASE_URL=postgres.url, SECURE_SSL_REDIRECT="0")
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            result = manage(env, *command)
            assert result.returncode == 0, result.stderr
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                get(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        assert status_of(f"{base}/en/")[0] == 200  # the connection is kept now (CONN_MAX_AGE)

        postgres.stop()
        status, headers = status_of(f"{base}/en/")
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert status_of(f"{base}/de/feeds/news.rss")[0] == 503
        assert status_of(f"{base}/healthz")[0] == 503

        postgres.start()
        assert status_of(f"{base}/en/")[0] == 200  # no restart of gunicorn
        assert status_of(f"{base}/healthz")[0] == 200
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        postgres.remove()
