"""Reliability runs: the portal under load, and under load while something breaks.

    python -m bench.reliability                      # every run below
    python -m bench.reliability load redis-down      # some of them
    RELIABILITY_DURATION=10 python -m bench.reliability

Everything runs on this machine and is started here, so nothing shared is stopped or
flushed: a PostgreSQL cluster of its own (initdb/pg_ctl, as the user postgres when run as
root, on a free port, data under a temporary folder), a redis-server of its own for the
Redis run, and gunicorn as `make serve` runs it (portal.settings.production, 2 workers,
127.0.0.1 only, access log). The database is migrated and loaded with load_initial_data.
The load is wrk (50 connections) cycling through a mix of URLs: every live page in the four
languages, news and visit filters, searches, feeds, the sitemap, robots.txt and "/".

Runs (each RELIABILITY_DURATION seconds, 60 by default; the fault at a third of it):

- load: uncached (PAGE_CACHE_SECONDS=0) and cached (300) — req/s, p50/p99, errors; target 0 errors;
- postgres-restart: PostgreSQL stopped for RELIABILITY_PG_DOWN seconds (2) and started again —
  only requests that need the database meanwhile may fail, with 503 and Retry-After, never
  500; the same gunicorn workers serve again afterwards;
- worker-kill: one gunicorn worker gets SIGKILL — no failed request but the one it was serving;
- redis-down: REDIS_URL at our redis-server, which is stopped at a third of the run and started
  again at two thirds (or once /healthz has answered) — every request still answers 2xx/3xx, and
  /healthz answers 200 and names the cache's state, "unavailable" and then "ok" again.

Settings (environment): RELIABILITY_DURATION (60 s per run), RELIABILITY_CONNECTIONS (50),
RELIABILITY_THREADS (2, wrk's), RELIABILITY_WORKERS (2, gunicorn's), RELIABILITY_TIMEOUT (30 s,
wrk's per request), RELIABILITY_PG_DOWN (2 s), RELIABILITY_GRACE (5 s), RELIABILITY_RESULTS (a
file for the figures as JSON), RELIABILITY_KEEP=1 (keep the run's folder: logs, database).

Errors are non-2xx/3xx answers (from gunicorn's access log, with their second, path and
Retry-After) and socket errors (wrk: connect, read, write, timeout). Loops are bounded in
count and time; load goes only to 127.0.0.1.
"""

import collections
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PG_BIN = Path(os.environ.get("RELIABILITY_PG_BIN", "/usr/lib/postgresql/15/bin"))
SITE_HOST = "localhost"  # the fixtures' Site.hostname (portal/fixtures.py)
SECRET_KEY = "reliability-only-not-a-secret-" + "abcdefghijklmnopqrstuvwxyz0123456789"
RUNS = ("load", "postgres-restart", "worker-kill", "redis-down")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value else default


def from_env(name: str, default: int):
    return field(default_factory=lambda: env_int(name, default))


@dataclass(frozen=True)
class Config:
    """Every field is an environment variable RELIABILITY_<NAME>, read when a Config is made."""

    duration: int = from_env("RELIABILITY_DURATION", 60)
    connections: int = from_env("RELIABILITY_CONNECTIONS", 50)
    threads: int = from_env("RELIABILITY_THREADS", 2)
    workers: int = from_env("RELIABILITY_WORKERS", 2)
    timeout: int = from_env("RELIABILITY_TIMEOUT", 30)
    pg_down: int = from_env("RELIABILITY_PG_DOWN", 2)
    # After PostgreSQL is back, requests may still fail for this long (a worker's next request
    # finds its old connection dead and opens a new one).
    grace: int = from_env("RELIABILITY_GRACE", 5)


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)  # noqa: T201 (a script's progress)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require(tool: str) -> str:
    path = shutil.which(tool) or (str(PG_BIN / tool) if (PG_BIN / tool).exists() else None)
    if not path:
        raise RuntimeError(f"{tool} is missing (apt-get install -y wrk postgresql redis-server); .ci/run installs it.")
    return path


def get(url: str, timeout: float = 10) -> tuple[int, str, dict]:
    """(status, body, headers) of a GET to the loopback; status 0 when the socket failed."""
    request = urllib.request.Request(url, headers={"Host": SITE_HOST})  # noqa: S310 (a loopback URL built here)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read().decode(errors="replace"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), dict(error.headers)
    except OSError as error:
        return 0, str(error), {}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# --- Services of our own -----------------------------------------------------------------------


class PostgresCluster:
    """A throw-away PostgreSQL cluster: trust authentication on 127.0.0.1, a free port, no fsync."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.data = directory / "pgdata"
        self.log = directory / "postgres.log"
        self.port = free_port()
        # initdb refuses root: run the server as postgres, which must own (and reach) the folder.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str, timeout: int = 120) -> None:
        result = subprocess.run(  # noqa: S603
            [*self.as_user, *args], capture_output=True, text=True, timeout=timeout, check=False, cwd="/"
        )
        if result.returncode:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{Path(args[0]).name} failed: {result.stderr or result.stdout}\n{log}")

    def start(self) -> None:
        require("initdb")
        if not self.data.exists():
            self.data.mkdir(parents=True)
            if self.as_user:
                shutil.chown(self.directory, "postgres")
                shutil.chown(self.data, "postgres")
            self.data.chmod(0o700)
            self._run(
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            )
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)


class RedisServer:
    """A redis-server of our own on a free port, nothing saved to disk."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [require("redis-server"), "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")]
        self.process = subprocess.Popen(args)  # noqa: S603
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port} within 20 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


# The gunicorn access log: one line per answered request, fields split by |; the worker's pid and
# X-Page-Cache say which worker answered and whether from its page cache (tests/test_workers.py).
ACCESS_LOG_FORMAT = "%(t)s|%(s)s|%(U)s|%(q)s|%({retry-after}o)s|%(D)s|%(p)s|%({x-page-cache}o)s"


class Gunicorn:
    """gunicorn as `make serve` runs it, on a free loopback port, with an access log to read back."""

    def __init__(self, site: "Site", name: str, **env: str):
        self.site = site
        self.port = free_port()
        self.access_log = site.directory / f"{name}.access.log"
        self.error_log = site.directory / f"{name}.error.log"
        self.env = site.env(**env)
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        for path in (self.access_log, self.error_log):
            path.write_text("")
        args = [str(VENV / "gunicorn"), "portal.wsgi:application", "--workers", str(self.site.config.workers)]
        args += ["--bind", f"127.0.0.1:{self.port}", "--access-logfile", str(self.access_log)]
        args += ["--access-logformat", ACCESS_LOG_FORMAT]
        with self.error_log.open("a") as log:
            self.process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=log)  # noqa: S603
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.error_log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"gunicorn stopped (exit {self.process.returncode}); {self.error_log}:\n{log}")
            if get(f"{self.base}/healthz", timeout=2)[0] == 200 and len(self.workers()) == self.site.config.workers:
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within 90 s; see {self.error_log}")

    def workers(self) -> list[int]:
        if not self.process:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return sorted(int(pid) for pid in children.read_text().split())
        except OSError:
            return []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "Gunicorn":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_size(self) -> int:
        return self.access_log.stat().st_size

    def answers(self, since: int = 0) -> list[dict]:
        """Answers logged from byte `since` on: {"second" (epoch), "status", "path", "retry_after", "ms",
        "pid" (the worker's), "page_cache" ("hit", "miss" or None)}."""
        answers = []
        with self.access_log.open("rb") as log:
            log.seek(since)
            text = log.read().decode(errors="replace")
        for line in text.splitlines():
            parts = line.split("|")
            if len(parts) != 8:
                continue
            stamp, status, path, query, retry_after, micros, pid, page_cache = parts
            second = datetime.datetime.strptime(stamp.strip("[]"), "%d/%b/%Y:%H:%M:%S %z").timestamp()
            answers.append(
                {
                    "second": int(second),
                    "status": int(status),
                    "path": path + (f"?{query}" if query else ""),
                    "retry_after": None if retry_after == "-" else retry_after,
                    "ms": round(int(micros) / 1000, 1),
                    "pid": int(pid.strip("<>")),
                    "page_cache": None if page_cache == "-" else page_cache,
                }
            )
        return answers


# --- The site under test -----------------------------------------------------------------------

URLS_SCRIPT = """
import json, sys
import django
django.setup()
from bench.reliability import site_urls
json.dump(site_urls(), sys.stdout)
"""


def site_urls() -> list[str]:
    """The load's mix: every live page in every language, filters, searches, feeds, sitemap (Django set up)."""
    from urllib.parse import quote, urlsplit

    from django.conf import settings
    from django.utils import translation

    from wagtail.models import Page

    from news.models import NewsIndexPage, NewsPage
    from portal.models import Topic
    from zones.models import DelegationIndexPage, DelegationPage, ZonePage

    languages = [code for code, _name in settings.LANGUAGES]
    paths: list[str] = ["/", "/sitemap.xml", "/sitemap-pages.xml", "/robots.txt"]
    pages = Page.objects.live().filter(depth__gt=1).specific().order_by("path")
    for code in languages:
        with translation.override(code):
            paths += [urlsplit(page.get_url()).path for page in pages]
            news_index = urlsplit(NewsIndexPage.objects.live().first().get_url()).path
            visits = urlsplit(DelegationIndexPage.objects.live().first().get_url()).path
        news = NewsPage.objects.live().order_by("date").first()
        zone = news.related_zones.first() or ZonePage.objects.live().first()
        topic = Topic.objects.order_by("pk").first()
        visit = DelegationPage.objects.live().exclude(host_zone=None).first()
        paths += [
            f"{news_index}?zone={zone.pk}",
            f"{news_index}?year={news.date.year}",
            f"{news_index}?zone={zone.pk}&year={news.date.year}",
            f"{news_index}?page=2",
        ]
        if topic:
            paths.append(f"{news_index}?topic={quote(topic.slug)}")
        if visit:
            paths.append(f"{visits}?host={visit.host_zone_id}&year={visit.start_date.year}")
        words = {"zh-hans": "示范区", "en": "zone", "de": "Zone", "ru": "зона"}
        paths += [
            f"/{code}/search/?q={quote(words.get(code, 'zone'))}",
            f"/{code}/search/?q={quote(words.get(code, 'zone'))}&type=news",
            f"/{code}/search/?q=zeppelin",
            f"/{code}/feeds/news.rss",
            f"/{code}/feeds/news.atom",
            f"/{code}/feeds/zones/{zone.pk}.rss",
            f"/{code}/feeds/zones/{zone.pk}.atom",
        ]
    return paths


class Site:
    """Our PostgreSQL cluster with a migrated, loaded database, collected static files and the URL mix."""

    def __init__(self, config: Config | None = None, directory: Path | None = None):
        self.config = config or Config()
        self.directory = Path(directory or tempfile.mkdtemp(prefix="portal-reliability-"))
        # The postgres user must reach its data folder inside.
        self.directory.chmod(0o755)
        self.cluster = PostgresCluster(self.directory / "pg")
        self.database_url = ""
        self.urls: list[str] = []

    def env(self, **extra: str) -> dict:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": f"127.0.0.1,{SITE_HOST}",
            # Required by production; nothing is mailed during the runs.
            "EMAIL_HOST": "127.0.0.1",
            "DEFAULT_FROM_EMAIL": "portal@example.org",
            # No TLS proxy in front here: plain HTTP must not redirect.
            "SECURE_SSL_REDIRECT": "0",
            "MEDIA_ROOT": str(self.directory / "media"),
            "STATIC_ROOT": str(self.directory / "static"),
            # Our own generation files: never shared with another checkout's or test's workers.
            "CACHE_DIR": str(self.directory / "cache"),
            "REDIS_URL": "",
            "PAGE_CACHE_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        env.update(extra)
        return env

    def manage(self, *args: str) -> None:
        result = subprocess.run(  # noqa: S603
            [str(VENV / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")

    def prepare(self) -> "Site":
        (self.directory / "pg").mkdir()
        say(f"PostgreSQL cluster of our own in {self.cluster.directory}, port {self.cluster.port}")
        self.cluster.start()
        self.database_url = self.cluster.create_database("portal")
        say("migrate, load_initial_data, collectstatic")
        self.manage("migrate", "--noinput", "-v0")
        self.manage("load_initial_data")
        self.manage("collectstatic", "--noinput", "-v0")
        result = subprocess.run(  # noqa: S603
            [str(VENV / "python"), "-c", URLS_SCRIPT],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"Listing the URLs failed:\n{result.stderr[-4000:]}")
        self.urls = json.loads(result.stdout)
        (self.directory / "urls.txt").write_text("\n".join(self.urls) + "\n")
        (self.directory / "mix.lua").write_text(WRK_SCRIPT)
        say(f"{len(self.urls)} URLs in the mix")
        return self

    def close(self) -> None:
        try:
            self.cluster.stop("immediate")
        finally:
            if not os.environ.get("RELIABILITY_KEEP"):
                shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> "Site":
        try:
            return self.prepare()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()


# --- Load --------------------------------------------------------------------------------------

WRK_SCRIPT = """
-- Cycles through the URL mix (a file, one path a line); each thread starts elsewhere in it.
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  reqs = {}
  for line in io.lines(args[1]) do
    if line ~= "" then table.insert(reqs, wrk.format("GET", line)) end
  end
  counter = id * 7919
end
function request()
  counter = counter + 1
  return reqs[(counter % #reqs) + 1]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %d, \\"p99_us\\": %d, "
    .. "\\"max_us\\": %d, \\"connect\\": %d, \\"read\\": %d, \\"write\\": %d, \\"status\\": %d, "
    .. "\\"timeout\\": %d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass
class Run:
    """One run's figures."""

    name: str
    seconds: float = 0.0
    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    # Time in Django (access log), without the wait in gunicorn's queue that wrk's figures include.
    server_p50_ms: float = 0.0
    server_p99_ms: float = 0.0
    socket_errors: dict = field(default_factory=dict)  # wrk: connect, read, write, timeout
    statuses: dict = field(default_factory=dict)  # access log: status → answers
    failures: list = field(default_factory=list)  # access log: answers ≥ 400 (first 50)
    failures_by_second: dict = field(default_factory=dict)  # second of the run → {status: n}
    events: dict = field(default_factory=dict)  # what happened when, seconds since the load began
    notes: dict = field(default_factory=dict)

    @property
    def failed_answers(self) -> int:
        return sum(n for status, n in self.statuses.items() if int(status) >= 400)

    @property
    def errors(self) -> int:
        return self.failed_answers + sum(self.socket_errors.values())

    def summary(self) -> str:
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items()))
        sockets = ", ".join(f"{kind} {n}" for kind, n in self.socket_errors.items() if n) or "none"
        lines = [
            f"{self.name}: {self.requests} requests in {self.seconds:.0f} s, {self.rps} req/s, "
            f"p50 {self.p50_ms} ms, p99 {self.p99_ms} ms, max {self.max_ms} ms "
            f"(in the server: p50 {self.server_p50_ms} ms, p99 {self.server_p99_ms} ms)",
            f"    errors {self.errors} (answers ≥ 400: {self.failed_answers}; socket errors: {sockets})",
            f"    statuses {statuses}",
        ]
        if self.failures_by_second:
            lines.append(f"    failures by second of the run: {self.failures_by_second}")
        if self.events:
            lines.append(f"    events (s): {self.events}")
        lines += [f"    {name}: {value}" for name, value in self.notes.items()]
        return "\n".join(lines)


class Load:
    """wrk over the URL mix for `seconds`, in the background; finish() gathers the figures."""

    def __init__(self, site: Site, server: Gunicorn, name: str, seconds: int | None = None):
        self.site, self.server, self.name = site, server, name
        self.seconds = seconds or site.config.duration
        require("wrk")
        c = site.config
        args = ["wrk", f"-t{c.threads}", f"-c{c.connections}", f"-d{self.seconds}s", f"--timeout={c.timeout}s"]
        args += ["-H", f"Host: {SITE_HOST}", "-s", str(site.directory / "mix.lua"), server.base]
        args += ["--", str(site.directory / "urls.txt")]
        self.log_offset = server.log_size()
        self.started = time.time()
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
        self.events: dict[str, float] = {}

    def at(self, fraction: float) -> None:
        """Sleep until this fraction of the run has passed."""
        time.sleep(max(0.0, self.started + fraction * self.seconds - time.time()))

    def mark(self, event: str) -> float:
        now = time.time()
        self.events[event] = round(now - self.started, 1)
        return now

    def finish(self) -> Run:
        try:
            out, err = self.process.communicate(timeout=self.seconds + self.site.config.timeout + 60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
        line = next((line for line in out.splitlines() if line.startswith("WRK_JSON ")), None)
        if line is None:
            raise RuntimeError(f"wrk gave no figures (exit {self.process.returncode}):\n{out}\n{err}")
        data = json.loads(line.removeprefix("WRK_JSON "))
        # Let the workers log the last answers.
        time.sleep(0.5)
        answers = [a for a in self.server.answers(self.log_offset) if "/healthz" not in a["path"]]
        seconds = data["duration_us"] / 1e6
        statuses = collections.Counter(str(a["status"]) for a in answers)
        failed = [a for a in answers if a["status"] >= 400]
        times = sorted(a["ms"] for a in answers) or [0.0]
        by_second: dict = collections.defaultdict(collections.Counter)
        for answer in failed:
            by_second[answer["second"] - int(self.started)][answer["status"]] += 1
        return Run(
            name=self.name,
            seconds=round(seconds, 1),
            requests=data["requests"],
            rps=round(data["requests"] / seconds, 1) if seconds else 0.0,
            p50_ms=round(data["p50_us"] / 1000, 1),
            p99_ms=round(data["p99_us"] / 1000, 1),
            max_ms=round(data["max_us"] / 1000, 1),
            server_p50_ms=times[len(times) // 2],
            server_p99_ms=times[min(len(times) - 1, int(len(times) * 0.99))],
            socket_errors={kind: data[kind] for kind in ("connect", "read", "write", "timeout")},
            statuses=dict(statuses),
            failures=failed[:50],
            failures_by_second={second: dict(counts) for second, counts in sorted(by_second.items())},
            events=self.events,
        )


def wait_until(check, seconds: float, step: float = 0.2):
    """check() until it returns something true, at most `seconds`; its last result."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(step)


def warm(server: Gunicorn, urls: list[str]) -> dict[str, int]:
    """Fetch every URL once (fills the caches); the ones that did not answer 2xx/3xx, with their status."""
    opener = urllib.request.build_opener(NoRedirect)
    bad = {}
    for path in urls:
        request = urllib.request.Request(server.base + path, headers={"Host": SITE_HOST})  # noqa: S310
        try:
            with opener.open(request, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        if not 200 <= status < 400:
            bad[path] = status
    return bad


# --- The runs ----------------------------------------------------------------------------------


def load_run(site: Site, cached: bool) -> Run:
    """The mix under load, with the page cache off or on (production's 300 s)."""
    name = "load, page cache on" if cached else "load, page cache off"
    with Gunicorn(site, "load-cached" if cached else "load", PAGE_CACHE_SECONDS="300" if cached else "0") as server:
        bad = warm(server, site.urls)
        load = Load(site, server, name)
        run = load.finish()
    run.notes["URLs in the mix"] = len(site.urls)
    if bad:
        run.notes["warm-up failures"] = bad
    return run


def postgres_restart_run(site: Site) -> Run:
    """PostgreSQL stopped (fast: open connections are cut) for pg_down seconds, then started, mid-load."""
    with Gunicorn(site, "postgres-restart", PAGE_CACHE_SECONDS="300") as server:
        warm(server, site.urls)
        master, workers = server.process.pid, server.workers()
        load = Load(site, server, "PostgreSQL restarted mid-load (page cache on)")
        load.at(1 / 3)
        stopped = load.mark("PostgreSQL stopping")
        site.cluster.stop("fast")
        load.mark("PostgreSQL stopped")
        time.sleep(site.config.pg_down)
        load.mark("PostgreSQL starting")
        site.cluster.start()
        back = load.mark("PostgreSQL accepting connections")
        healthy = wait_until(lambda: get(f"{server.base}/healthz", timeout=5)[0] == 200, 60)
        load.mark("/healthz 200 again")
        run = load.finish()
        run.notes["gunicorn master kept"] = server.process.poll() is None and server.process.pid == master
        run.notes["gunicorn workers kept"] = server.workers() == workers
        run.notes["healthz recovered"] = bool(healthy)
        run.notes["failures after every URL once more"] = warm(server, site.urls)
    # The window in which a failure is allowed: from the stop (its second) to `grace` seconds after the start.
    window = (int(stopped) - int(load.started), int(back) - int(load.started) + site.config.grace)
    run.notes["allowed failure window (s)"] = window
    late = [s for s in run.failures_by_second if not window[0] <= s <= window[1]]
    run.notes["failures outside the window (s)"] = late
    after = [s for s in run.failures_by_second if s >= int(back) - int(load.started)]
    run.notes["recovery (s after PostgreSQL was back)"] = (
        round(max(after) + 1 - (back - load.started), 1) if after else 0
    )
    answers = server.answers(load.log_offset)
    run.notes["503 without Retry-After"] = sum(1 for a in answers if a["status"] == 503 and not a["retry_after"])
    outage = range(window[0] + 1, int(back) - int(load.started))
    answered = collections.Counter(a["status"] for a in answers if a["second"] - int(load.started) in outage)
    run.notes["answers while PostgreSQL was down"] = dict(answered)
    return run


def worker_kill_run(site: Site) -> Run:
    """One worker killed with SIGKILL mid-load; gunicorn starts another."""
    with Gunicorn(site, "worker-kill", PAGE_CACHE_SECONDS="0") as server:
        warm(server, site.urls)
        load = Load(site, server, "gunicorn worker SIGKILLed mid-load (page cache off)")
        load.at(1 / 3)
        before = server.workers()
        victim = before[0]
        killed = load.mark(f"SIGKILL worker {victim}")
        os.kill(victim, signal.SIGKILL)
        replaced = wait_until(
            lambda: len(server.workers()) == site.config.workers and victim not in server.workers(), 60
        )
        replaced_at = load.mark("replacement worker running")
        run = load.finish()
    run.notes["killed workers"] = 1
    run.notes["replacement started"] = bool(replaced)
    run.notes["replacement after (s)"] = round(replaced_at - killed, 1)
    return run


def redis_down_run(site: Site) -> Run:
    """REDIS_URL at our redis-server, stopped at a third of the run, started again at two thirds."""
    redis = RedisServer(site.directory)
    redis.start()
    probes: dict[str, tuple[int, str]] = {}

    def probe(name: str) -> None:
        # In a thread: behind 50 connections the answer may take seconds, and Redis must come back on time.
        status, body, _headers = get(f"{server.base}/healthz", timeout=60)
        probes[name] = (status, body)

    try:
        with Gunicorn(site, "redis-down", PAGE_CACHE_SECONDS="300", REDIS_URL=redis.url) as server:
            warm(server, site.urls)
            load = Load(site, server, "Redis stopped mid-load (page cache on, REDIS_URL set)")
            load.at(1 / 3)
            stopped = load.mark("Redis stopped")
            redis.stop()
            time.sleep(1)
            down_probe = threading.Thread(target=probe, args=("down",))
            down_probe.start()
            load.at(2 / 3)
            # Redis stays away until /healthz has answered about it (later than 2/3 when the queue is long).
            down_probe.join(timeout=90)
            started = load.mark("Redis started")
            redis.start()
            # The portal asks a failed Redis again only after a few seconds (portal/cache.py); each probe
            # waits its turn behind the load, so this is the recovery time to within a probe's wait.
            wait_until(lambda: probe("back") or "cache: ok" in probes["back"][1], 60, step=0.5)
            back = load.mark("/healthz names the cache ok")
            run = load.finish()
            run.notes["/healthz names the cache ok again after (s)"] = round(back - started, 1)
            answers = server.answers(load.log_offset)
    finally:
        redis.stop()
    for name, label in (("down", "while Redis is down"), ("back", "after Redis is back")):
        status, body = probes.get(name, (0, "no answer"))
        run.notes[f"/healthz {label}"] = f"{status} {' / '.join(body.strip().splitlines())[:200]}"
    run.notes["_healthz"] = probes
    outage = [a for a in answers if int(stopped) < a["second"] < int(started)]
    run.notes["answers while Redis was down"] = dict(collections.Counter(a["status"] for a in outage))
    run.notes["req/s while Redis was down"] = round(len(outage) / max(1, int(started) - int(stopped) - 1), 1)
    if outage:
        times = sorted(a["ms"] for a in outage)
        run.notes["server time while Redis was down, p50/p99 (ms)"] = (
            times[len(times) // 2],
            times[min(len(times) - 1, int(len(times) * 0.99))],
        )
    return run


def main(names: list[str]) -> int:
    unknown = set(names) - set(RUNS)
    if unknown:
        raise SystemExit(f"Unknown run(s) {', '.join(sorted(unknown))}; choose from {', '.join(RUNS)}.")
    names = names or list(RUNS)
    runs: list[Run] = []
    with Site() as site:
        for name in names:
            say(f"run: {name} ({site.config.duration} s)")
            if name == "load":
                new = [load_run(site, cached=False), load_run(site, cached=True)]
            elif name == "postgres-restart":
                new = [postgres_restart_run(site)]
            elif name == "worker-kill":
                new = [worker_kill_run(site)]
            else:
                new = [redis_down_run(site)]
            for run in new:
                say(run.summary())
            runs += new
    results = os.environ.get("RELIABILITY_RESULTS")
    if results:
        Path(results).write_text(json.dumps([asdict(run) for run in runs], indent=2, default=str) + "\n")
        say(f"Figures: {results}")
    return 0


if __name__ == "__main__":
    # Stopped with kill: leave through the finally blocks, which stop gunicorn, Redis and PostgreSQL.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench/reliability stopped"))
    sys.exit(main(sys.argv[1:]))
