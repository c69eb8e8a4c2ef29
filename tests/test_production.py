"""Production settings and scale-out: what `portal.settings.production` requires and turns on.

- the production settings refuse to start without their required variables, and pass
  `check --deploy` with them (subprocesses with a controlled environment);
- gunicorn serves /healthz and WhiteNoise's hashed static files with production settings;
- /healthz answers 200 while the database does and 503 when it does not;
- the Content-Security-Policy: strict on the public site, relaxed for the admin only;
- django-axes locks a username on one address after 5 failures, for an hour;
- the image upload refuses a decompression bomb;
- the Redis cache on the real Redis; S3, Elasticsearch and frontend cache settings;
- publishing a page purges its URL in all four languages;
- rich text from outside the editor is sanitised.
"""

import datetime
import io
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request
import zlib
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.models import Collection

import pytest
from axes.models import AccessAttempt
from PIL import Image as PILImage
from storages.backends.s3 import S3Storage

from portal.csp import with_csp
from portal.frontend_cache.purge import page_urls
from portal.models import RICH_TEXT_FEATURES
from portal.sanitise import sanitise_rich_text
from portal.settings.base import (
    SEARCH_BACKENDS,
    cache_settings,
    frontend_cache,
    media_origins,
    media_storage,
    search_backends,
)
from tests.factories import build_site
from tests.helpers import LANGUAGES

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_TEST_URL = "redis://127.0.0.1:6379/15"
# Valid for `check --deploy`: 50+ characters, many different ones.
SECRET_KEY = "test-production-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN"


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """A controlled environment for portal.settings.production: nothing inherited but PATH."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "portal.example.org,127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "CSRF_TRUSTED_ORIGINS": "https://portal.example.org",
        "EMAIL_HOST": "smtp.example.org",
        "DEFAULT_FROM_EMAIL": "portal@example.org",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )


def policy(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: sources}."""
    return {name: sources for name, *sources in (part.split() for part in header.split(";") if part.strip())}


# --- Production settings, in subprocesses -----------------------------------------------------

DUMP_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
names = ["DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "CACHES", "STORAGES", "WAGTAILSEARCH_BACKENDS",
         "WAGTAILFRONTENDCACHE", "SESSION_ENGINE", "MIDDLEWARE", "AUTHENTICATION_BACKENDS",
         "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
         "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "TRUSTED_PROXIES",
         "AXES_CLIENT_IP_CALLABLE", "AWS_ACCESS_KEY_ID", "CONTENT_SECURITY_POLICY"]
values = {name: getattr(settings, name, None) for name in names}
database = settings.DATABASES["default"]
values["DATABASE"] = {key: database[key] for key in ("ENGINE", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
print(json.dumps(values, default=str))
"""


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_HOST", "DEFAULT_FROM_EMAIL"])
def test_production_settings_name_each_missing_variable(tmp_path, missing):
    result = run_python("import django; django.setup()", production_env(tmp_path, **{missing: None}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"The environment variable {missing} is required" in result.stderr


@pytest.mark.parametrize("missing", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
def test_production_media_bucket_needs_its_keys(tmp_path, missing):
    keys = {"AWS_ACCESS_KEY_ID": "portal", "AWS_SECRET_ACCESS_KEY": "portal-secret"}
    keys[missing] = None
    result = run_python(
        "import django; django.setup()", production_env(tmp_path, AWS_STORAGE_BUCKET_NAME="portal-media", **keys)
    )
    assert result.returncode != 0
    assert f"The environment variable {missing} is required" in result.stderr


def test_production_settings_do_not_fall_back_to_the_base_database(tmp_path):
    """DATABASE_URL is read from the environment in production, never base.py's SQLite default."""
    result = run_python(
        DUMP_SETTINGS, production_env(tmp_path, DATABASE_URL="postgres://portal@db.internal:5432/portal")
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DATABASE"] == {
        "ENGINE": "django.db.backends.postgresql",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def test_check_deploy_passes_with_valid_environment(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_worker_loads_the_hyphenation_dictionaries_when_it_starts(tmp_path):
    """German's dictionary takes about 2 s to load: in the worker's start, not in a visitor's request."""
    result = run_python(
        "import portal.wsgi, portal.text as t; print(t._dictionary.cache_info().currsize, len(t.HYPHENATION))",
        production_env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "2"]


def test_production_settings_from_the_environment(tmp_path):
    env = production_env(
        tmp_path,
        REDIS_URL="redis://cache.internal:6379/0",
        AWS_STORAGE_BUCKET_NAME="portal-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.org",
        AWS_S3_REGION_NAME="eu-central-1",
        AWS_S3_CUSTOM_DOMAIN="media.example.org",
        AWS_ACCESS_KEY_ID="portal",
        AWS_SECRET_ACCESS_KEY="portal-secret",
        WAGTAILSEARCH_URL="https://search.internal:9200",
        WAGTAILSEARCH_BACKEND="opensearch2",
        FRONTEND_CACHE_URL="http://varnish.internal:6081",
        CONN_MAX_AGE="120",
        TRUSTED_PROXIES="10.0.0.2,192.0.2.64/26",
    )
    result = run_python(DUMP_SETTINGS, env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)

    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["portal.example.org", "127.0.0.1"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://portal.example.org"]
    assert values["DATABASE"]["CONN_MAX_AGE"] == 120
    assert values["CACHES"]["default"]["BACKEND"] == "portal.cache.ResilientRedisCache"
    assert values["CACHES"]["renditions"]["LOCATION"] == "redis://cache.internal:6379/0"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert values["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert values["STORAGES"]["default"]["OPTIONS"]["custom_domain"] == "media.example.org"
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["AWS_ACCESS_KEY_ID"] == "portal"
    assert "https://media.example.org" in values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert values["WAGTAILSEARCH_BACKENDS"]["default"]["BACKEND"] == "wagtail.search.backends.opensearch2"
    assert values["WAGTAILSEARCH_BACKENDS"]["default"]["URLS"] == ["https://search.internal:9200"]
    assert values["WAGTAILFRONTENDCACHE"]["default"]["LOCATION"] == "http://varnish.internal:6081"

    middleware = values["MIDDLEWARE"]
    assert middleware[:3] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "portal.csp.CSPMiddleware",
    ]
    assert middleware[-1] == "axes.middleware.AxesMiddleware"
    assert values["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"

    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["TRUSTED_PROXIES"] == ["10.0.0.2", "192.0.2.64/26"]
    assert values["AXES_CLIENT_IP_CALLABLE"] == "portal.clientip.client_ip"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (a loopback URL built here)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, dict(response.headers), response.read()


def test_gunicorn_serves_healthz_and_hashed_static_files(tmp_path):
    """What `make serve` runs: collectstatic, then gunicorn with the production settings."""
    env = production_env(tmp_path)
    collected = manage(env, "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    stylesheet = manifest["portal/css/site.css"]
    assert stylesheet != "portal/css/site.css"

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.3)
        # Plain HTTP is fine for the health check (exempt from the HTTPS redirect), and nothing caches it.
        assert (status, body) == (200, b"ok\ndatabase: ok\ncache: ok\n")
        assert "no-store" in headers["Cache-Control"]
        assert policy(headers["Content-Security-Policy"])["script-src"] == ["'self'"]

        status, headers, body = get(
            f"http://127.0.0.1:{port}/static/{stylesheet}",
            {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"},
        )
        assert status == 200
        assert "immutable" in headers["Cache-Control"]
        assert headers.get("Content-Encoding") == "gzip"
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()


# --- /healthz --------------------------------------------------------------------------------


class HealthzTests(TestCase):
    def test_ok_while_the_database_answers(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"ok\ndatabase: ok\ncache: ok\n")
        self.assertIn("no-store", response["Cache-Control"])

    def test_no_language_prefix_and_no_redirect(self):
        response = self.client.get("/healthz", headers={"accept-language": "de"})
        self.assertEqual(response.status_code, 200)

    def test_head_works_post_does_not(self):
        self.assertEqual(self.client.head("/healthz").status_code, 200)
        self.assertEqual(self.client.post("/healthz").status_code, 405)

    def test_503_when_the_database_fails(self):
        with (
            mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")),
            self.assertLogs("portal.health", "ERROR"),
        ):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content, b"unavailable\ndatabase: unavailable\ncache: ok\n")
        self.assertIn("no-store", response["Cache-Control"])


# --- Content-Security-Policy -------------------------------------------------------------------


@override_settings(MIDDLEWARE=with_csp(settings.MIDDLEWARE))
class ContentSecurityPolicyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)
        cls.editor = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")

    def test_public_pages_get_the_strict_policy(self):
        response = self.client.get("/en/")
        self.assertEqual(response.status_code, 200)
        directives = policy(response["Content-Security-Policy"])
        self.assertEqual(directives["default-src"], ["'self'"])
        self.assertEqual(directives["script-src"], ["'self'"])
        self.assertEqual(directives["style-src"], ["'self'"])
        self.assertEqual(directives["object-src"], ["'none'"])
        self.assertEqual(directives["frame-ancestors"], ["'self'"])
        self.assertNotIn("unsafe", response["Content-Security-Policy"])

    def test_the_admin_gets_inline_scripts_and_styles(self):
        self.client.force_login(self.editor)
        for path in ["/admin/login/", "/admin/", f"/admin/pages/{self.site['news'][0].pk}/edit/"]:
            with self.subTest(path=path):
                response = self.client.get(path, follow=path.endswith("login/"))
                directives = policy(response["Content-Security-Policy"])
                self.assertEqual(directives["script-src"], ["'self'", "'unsafe-inline'"])
                self.assertEqual(directives["style-src"], ["'self'", "'unsafe-inline'"])
                self.assertIn("blob:", directives["img-src"])
                self.assertEqual(directives["default-src"], ["'self'"])

    def test_the_kept_policy_is_django_csps_own(self):
        """portal.csp builds a plain response's policy once per kind: the same header django-csp
        builds for each response, public and admin, and a decorated view still gets its own."""
        from csp.middleware import CSPMiddleware as DjangoCSPMiddleware

        from portal.csp import CSPMiddleware

        self.client.force_login(self.editor)
        for path in ["/en/", "/admin/", "/en/search/?q=x"]:
            with self.subTest(path=path):
                first = self.client.get(path)["Content-Security-Policy"]
                kept = self.client.get(path)["Content-Security-Policy"]
                with mock.patch.object(CSPMiddleware, "process_response", DjangoCSPMiddleware.process_response):
                    own = self.client.get(path)["Content-Security-Policy"]
                self.assertEqual(first, own)
                self.assertEqual(kept, own)
        request = RequestFactory().get("/en/")
        response = HttpResponse()
        response._csp_update = {"img-src": ["https://maps.example.org"]}
        CSPMiddleware(lambda request: response).process_response(request, response)
        self.assertIn("https://maps.example.org", response["Content-Security-Policy"])

    def test_a_changed_setting_is_seen(self):
        self.client.get("/en/")
        changed = {"DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "font-src": ["'none'"]}}
        with override_settings(CONTENT_SECURITY_POLICY=changed):
            self.assertEqual(policy(self.client.get("/en/")["Content-Security-Policy"])["font-src"], ["'none'"])
        self.assertEqual(policy(self.client.get("/en/")["Content-Security-Policy"])["font-src"], ["'self'"])


# --- django-axes -----------------------------------------------------------------------------


class LoginLockoutTests(TestCase):
    password = "correct horse battery"

    @classmethod
    def setUpTestData(cls):
        User = get_user_model()
        cls.editor = User.objects.create_superuser("editor", "editor@example.com", cls.password)
        cls.other = User.objects.create_superuser("other", "other@example.com", cls.password)

    def log_in(self, username="editor", password=None, **extra):
        return self.client.post("/admin/login/", {"username": username, "password": password or self.password}, **extra)

    def fail(self, times: int, username="editor", **extra) -> list[int]:
        return [self.log_in(username, "wrong", **extra).status_code for _ in range(times)]

    def test_locked_after_five_failures_for_that_username_and_address(self):
        self.assertEqual(self.fail(4, REMOTE_ADDR="198.51.100.7"), [200] * 4)
        self.assertEqual(self.fail(1, REMOTE_ADDR="198.51.100.7"), [429])
        # The right password does not help now …
        self.assertEqual(self.log_in(REMOTE_ADDR="198.51.100.7").status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_editor_elsewhere_and_other_users_still_get_in(self):
        self.fail(5, REMOTE_ADDR="198.51.100.7")
        response = self.log_in(REMOTE_ADDR="203.0.113.20")
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.client.logout()
        response = self.log_in("other", REMOTE_ADDR="198.51.100.7")
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)

    def test_lockout_lifts_after_an_hour(self):
        self.fail(5, REMOTE_ADDR="198.51.100.7")
        self.assertEqual(self.log_in(REMOTE_ADDR="198.51.100.7").status_code, 429)
        # Travel in time: the failures happened 59 minutes ago, then 61.
        AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=59))
        self.assertEqual(self.log_in(REMOTE_ADDR="198.51.100.7").status_code, 429)
        AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=61))
        response = self.log_in(REMOTE_ADDR="198.51.100.7")
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)

    @override_settings(TRUSTED_PROXIES=["10.0.0.2"])
    def test_behind_the_proxy_the_address_the_proxy_saw_counts(self):
        proxy = "10.0.0.2"
        # An attacker varies what it writes into X-Forwarded-For; the proxy appends the real address.
        statuses = [
            self.log_in(
                password="wrong", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7"
            ).status_code
            for n in range(5)
        ]
        self.assertEqual(statuses[-1], 429)
        self.assertEqual(list(AccessAttempt.objects.values_list("ip_address", flat=True)), ["198.51.100.7"])
        spoofed = self.log_in(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.20, 198.51.100.7")
        self.assertEqual(spoofed.status_code, 429)
        # The editor, from their own address through the same proxy, is not locked out.
        response = self.log_in(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.20")
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)


# --- Uploads ---------------------------------------------------------------------------------


def png_claiming(width: int, height: int) -> bytes:
    """A tiny, valid 1×1 PNG whose header claims `width`×`height` pixels."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    # Signature (8), IHDR length (4) and type (4), then width and height; the CRC covers type + data.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


class UploadLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")

    def setUp(self):
        self.client.force_login(self.editor)

    def upload(self, content: bytes):
        return self.client.post(
            "/admin/images/add/",
            {
                "title": "Bomb",
                "collection": Collection.get_first_root_node().pk,
                "file": SimpleUploadedFile("bomb.png", content, content_type="image/png"),
            },
        )

    def test_limits(self):
        self.assertEqual(settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE, 10 * 1024 * 1024)
        self.assertEqual(settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS, 40_000_000)
        self.assertEqual(settings.WAGTAILDOCS_MAX_UPLOAD_SIZE, 25 * 1024 * 1024)
        self.assertLessEqual(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, 10 * 1024 * 1024)

    def test_decompression_bomb_is_refused_with_a_form_error(self):
        for width, height in [(50_000, 50_000), (8_000, 6_000)]:  # Pillow's own limit; the portal's 40 MP
            with self.subTest(pixels=f"{width}×{height}"):
                content = png_claiming(width, height)
                self.assertLess(len(content), 100)
                response = self.upload(content)
                self.assertEqual(response.status_code, 200)
                errors = response.context["form"].errors.as_data()
                self.assertEqual([error.code for error in errors["file"]], ["file_too_many_pixels"])
                self.assertEqual(get_image_model().objects.count(), 0)

    def test_an_ordinary_image_is_accepted(self):
        buffer = io.BytesIO()
        PILImage.new("RGB", (640, 480), "teal").save(buffer, "PNG")
        response = self.upload(buffer.getvalue())
        self.assertEqual(response.status_code, 302)
        self.assertEqual(get_image_model().objects.count(), 1)


# --- Redis -----------------------------------------------------------------------------------


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


class CacheSettingsTests(SimpleTestCase):
    def test_memory_cache_without_redis(self):
        caches_setting = cache_settings("", "/srv/portal/cache")
        self.assertEqual(caches_setting["default"]["BACKEND"], "django.core.cache.backends.locmem.LocMemCache")
        # Wagtail then keeps renditions in the default cache, which the tests clear.
        self.assertNotIn("renditions", caches_setting)
        # What every worker process must agree on lives in files all of them read.
        self.assertEqual(
            caches_setting["shared"],
            {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": "/srv/portal/cache",
                "TIMEOUT": 300,
            },
        )

    def test_redis_for_the_cache_and_the_renditions(self):
        caches_setting = cache_settings("redis://cache.internal:6379/2", "/unused")
        for alias in ["default", "shared", "renditions"]:
            self.assertEqual(caches_setting[alias]["BACKEND"], "portal.cache.ResilientRedisCache")
            self.assertEqual(caches_setting[alias]["LOCATION"], "redis://cache.internal:6379/2")
            # a Redis that does not answer costs a request half a second at most, and only once
            self.assertEqual(caches_setting[alias]["OPTIONS"]["socket_connect_timeout"], 0.5)
        self.assertNotEqual(caches_setting["default"]["KEY_PREFIX"], caches_setting["renditions"]["KEY_PREFIX"])

    def test_sessions_go_through_the_cache(self):
        self.assertEqual(settings.SESSION_ENGINE, "django.contrib.sessions.backends.cached_db")


class RedisTests(TestCase):
    @classmethod
    def setUpClass(cls):
        if not redis_available():
            if os.environ.get("PORTAL_REQUIRE_REDIS"):
                raise RuntimeError("Redis is required for these tests but 127.0.0.1:6379 does not answer")
            raise pytest.skip.Exception("Redis is not running on 127.0.0.1:6379")
        super().setUpClass()

    def test_round_trip_through_django_cache(self):
        with override_settings(CACHES=cache_settings(REDIS_TEST_URL, "/unused")):
            cache = caches["default"]
            self.assertEqual(cache.__class__.__name__, "ResilientRedisCache")
            cache.set("portal-test-key", {"answer": 42}, timeout=30)
            self.assertEqual(cache.get("portal-test-key"), {"answer": 42})
            caches["renditions"].set("portal-test-key", "rendition", timeout=30)
            self.assertEqual(caches["renditions"].get("portal-test-key"), "rendition")
            self.assertEqual(cache.get("portal-test-key"), {"answer": 42})
            cache.delete("portal-test-key")
            caches["renditions"].delete("portal-test-key")
            self.assertIsNone(cache.get("portal-test-key"))

    def test_admin_session_lives_in_redis(self):
        editor = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
        with override_settings(CACHES=cache_settings(REDIS_TEST_URL, "/unused")):
            self.client.force_login(editor)
            self.assertEqual(self.client.get("/admin/").status_code, 200)
            key = "django.contrib.sessions.cached_db" + self.client.session.session_key
            self.assertEqual(caches["default"].get(key)["_auth_user_id"], str(editor.pk))
            caches["default"].delete(key)


# --- Media on S3, search servers, frontend cache: settings ------------------------------------


class MediaStorageSettingsTests(SimpleTestCase):
    def test_disk_without_a_bucket(self):
        self.assertEqual(media_storage("", "", "", ""), {"BACKEND": "django.core.files.storage.FileSystemStorage"})
        self.assertEqual(media_origins("", "", "", ""), [])

    def test_s3_compatible_bucket(self):
        storage = media_storage("portal-media", "https://s3.example.org", "eu-central-1", "")
        self.assertEqual(storage["BACKEND"], "storages.backends.s3.S3Storage")
        options = storage["OPTIONS"]
        self.assertEqual(options["bucket_name"], "portal-media")
        self.assertEqual(options["endpoint_url"], "https://s3.example.org")
        self.assertEqual(options["region_name"], "eu-central-1")
        self.assertIsNone(options["custom_domain"])
        self.assertIs(options["querystring_auth"], False)
        self.assertIs(options["file_overwrite"], False)

        # The storage builds public URLs (no signature) on an origin the CSP allows; no request is sent.
        s3 = S3Storage(**options, access_key="portal", secret_key="portal-secret")
        url = s3.url("original_images/zone.jpg")
        self.assertNotIn("Signature", url)
        self.assertNotIn("X-Amz", url)
        self.assertTrue(url.startswith(tuple(media_origins("portal-media", "https://s3.example.org", "", ""))), url)

    def test_custom_domain(self):
        storage = media_storage("portal-media", "", "", "media.example.org")
        s3 = S3Storage(**storage["OPTIONS"], access_key="portal", secret_key="portal-secret")
        self.assertEqual(s3.url("images/zone.jpg"), "https://media.example.org/images/zone.jpg")
        self.assertEqual(media_origins("portal-media", "", "", "media.example.org"), ["https://media.example.org"])

    def test_aws_without_endpoint(self):
        storage = media_storage("portal-media", "", "eu-central-1", "")
        s3 = S3Storage(**storage["OPTIONS"], access_key="portal", secret_key="portal-secret")
        url = s3.url("images/zone.jpg")
        self.assertTrue(url.startswith(tuple(media_origins("portal-media", "", "eu-central-1", ""))), url)


class SearchSettingsTests(SimpleTestCase):
    def test_database_without_a_url(self):
        self.assertEqual(
            search_backends("", "elasticsearch8", "portal")["default"]["BACKEND"], "wagtail.search.backends.database"
        )

    def test_each_search_server(self):
        import importlib.util

        for backend in SEARCH_BACKENDS:
            with self.subTest(backend=backend):
                default = search_backends("https://search.internal:9200", backend, "portal")["default"]
                self.assertEqual(default["BACKEND"], f"wagtail.search.backends.{backend}")
                self.assertIsNotNone(importlib.util.find_spec(default["BACKEND"]))
                self.assertEqual(default["URLS"], ["https://search.internal:9200"])
                self.assertEqual(default["INDEX"], "portal")

    def test_unknown_backend_is_refused(self):
        with self.assertRaisesMessage(ImproperlyConfigured, "WAGTAILSEARCH_BACKEND='solr'"):
            search_backends("https://search.internal:9200", "solr", "portal")


class FrontendCachePurgeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)

    def test_settings(self):
        self.assertEqual(frontend_cache(""), {})
        backend = frontend_cache("http://varnish.internal:6081")["default"]
        self.assertEqual(backend["BACKEND"], "wagtail.contrib.frontend_cache.backends.HTTPBackend")
        self.assertEqual(backend["LOCATION"], "http://varnish.internal:6081")

    def expected_urls(self, page) -> set[str]:
        from django.utils import translation

        urls = set()
        for lang in LANGUAGES:
            with translation.override(lang):
                urls.add(page.get_full_url())
        return urls

    @override_settings(WAGTAILFRONTENDCACHE=frontend_cache("http://127.0.0.1:6081"))
    def test_publishing_and_unpublishing_purge_the_page_in_all_four_languages(self):
        news = self.site["news"][0]
        expected = self.expected_urls(news)
        self.assertEqual(len(expected), 4)
        self.assertEqual(set(page_urls(news)), expected)
        # Translated slugs: the four URLs differ beyond their language prefix.
        self.assertEqual(len({url.split("/", 4)[-1] for url in expected}), 4)

        with mock.patch("wagtail.contrib.frontend_cache.backends.http.HTTPBackend.purge") as purge:
            news.save_revision().publish()
        self.assertEqual({call.args[0] for call in purge.call_args_list}, expected)
        self.assertEqual(purge.call_count, 4)

        with mock.patch("wagtail.contrib.frontend_cache.backends.http.HTTPBackend.purge") as purge:
            news.unpublish()
        self.assertEqual({call.args[0] for call in purge.call_args_list}, expected)

    def test_nothing_is_purged_without_a_frontend_cache(self):
        with mock.patch("wagtail.contrib.frontend_cache.utils.purge_urls_from_cache") as purge:
            self.site["news"][0].save_revision().publish()
        purge.assert_not_called()


# --- Rich text sanitiser ---------------------------------------------------------------------


class SanitiseRichTextTests(SimpleTestCase):
    def clean(self, html: str, features=RICH_TEXT_FEATURES) -> str:
        result = sanitise_rich_text(html, features)
        self.assertEqual(sanitise_rich_text(result, features), result, "sanitising twice must change nothing")
        return result

    def test_clean_rich_text_is_kept_as_the_editor_stores_it(self):
        html = (
            '<h2>Zones</h2><p>It\'s "the" <b>first</b> <i>zone</i> &amp; a&lt;b 中文“引号”'
            ' <a href="https://www.example.org/?a=1&amp;b=2">link</a> <a id="3" linktype="page">page</a>'
            ' <a id="5" linktype="document">document</a></p>'
            "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>quote</blockquote>"
            '<embed alt="A &quot;port&quot;" embedtype="image" format="fullwidth" id="7"/>'
        )
        self.assertEqual(self.clean(html), html)

    def test_script_and_style_go_with_their_content(self):
        html = "<p>Hello<script>alert(1)</script><style>p { color: red }</style> world</p>"
        self.assertEqual(self.clean(html), "<p>Hello world</p>")
        self.assertEqual(self.clean('<iframe src="https://evil.example"></iframe><p>x</p>'), "<p>x</p>")

    def test_event_handlers_and_other_attributes_go(self):
        html = '<p onclick="steal()" style="color:red" class="x">Hi <b onmouseover="x()">there</b></p>'
        self.assertEqual(self.clean(html), "<p>Hi <b>there</b></p>")
        self.assertEqual(self.clean('<p><img src="x" onerror="alert(1)">text</p>'), "<p>text</p>")

    def test_javascript_urls_go(self):
        for href in ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "jav\tascript:alert(1)", "data:text/html,<b>"]:
            with self.subTest(href=href):
                self.assertEqual(self.clean(f'<p><a href="{href}">x</a></p>'), "<p><a>x</a></p>")
        self.assertEqual(
            self.clean('<p><a href="mailto:press@example.org">mail</a></p>'),
            '<p><a href="mailto:press@example.org">mail</a></p>',
        )

    def test_only_the_fields_features(self):
        html = (
            '<h2>Title</h2><p><b>bold</b> <a id="3" linktype="page">page</a></p>'
            '<embed alt="" embedtype="image" format="left" id="7"/>'
        )
        self.assertEqual(self.clean(html, ["bold"]), "Title<p><b>bold</b> page</p>")
        self.assertEqual(self.clean("<h1>Top</h1><h3>Sub</h3>"), "Top<h3>Sub</h3>")

    def test_broken_links_and_embeds_go(self):
        self.assertEqual(self.clean('<p><a id="3 onclick" linktype="page">x</a></p>'), "<p>x</p>")
        self.assertEqual(self.clean('<p><a linktype="page">x</a> <a id="1" linktype="unknown">y</a></p>'), "<p>x y</p>")
        self.assertEqual(
            self.clean('<embed embedtype="image" id="7"/><embed embedtype="media" url="https://v.example/1"/>'), ""
        )

    def test_default_features_and_empty_input(self):
        self.assertEqual(sanitise_rich_text(""), "")
        self.assertEqual(sanitise_rich_text("<p><b>x</b><sup>2</sup></p>"), "<p><b>x</b>2</p>")
