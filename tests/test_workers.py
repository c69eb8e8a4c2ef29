"""An unpublished, private or moved page is gone at once from every place that showed it — the page
itself, the listings, the home page, the search, the feeds, the sitemap — in every gunicorn worker,
with either shared cache (files in CACHE_DIR, or Redis), and is still gone once the caches' default
timeout has passed; a newly published article shows everywhere at once.

Real processes, as bench/reliability.py runs them: gunicorn with the production settings and
2 sync workers on 127.0.0.1 (page cache on, PAGE_CACHE_SECONDS=300), a file SQLite database that
gunicorn and a `manage.py shell` (an editor publishing in another process) share, migrated and
loaded with load_initial_data once and copied for each cache. Both workers must have served each
URL from their page cache before the change (the access log names the worker and X-Page-Cache),
and both must answer each URL after it, every answer checked. CACHE_DEFAULT_TIMEOUT is made short
(IDLE_PAST_DEFAULT_TIMEOUT is longer) so the idle time is real but brief.

Slow (about four minutes on 2 cores: migrate on SQLite alone takes half a minute, then about 90 s
per cache), so `make test-reliability` runs it; it needs neither PostgreSQL nor the shared Redis (its
own redis-server for the Redis run), and uses its own SQLite file whatever DATABASE_URL says.
"""

import collections
import json
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from bench import reliability

pytestmark = pytest.mark.slow

LANGUAGES = ("zh-hans", "en", "de")
CACHE_DEFAULT_TIMEOUT = 2
IDLE_PAST_DEFAULT_TIMEOUT = CACHE_DEFAULT_TIMEOUT + 2
# Answers checked per URL after the last change and after the idle time (fewer after the changes
# before it); more are made until every worker has answered it.
REQUESTS_PER_URL = 10
REQUESTS_PER_URL_BETWEEN_CHANGES = 3
# Concurrent requests: with one at a time, one sync worker would take them all.
CONCURRENCY = 4
MAX_ROUNDS = 10
PASSWORD = "workers-test-password"  # noqa: S105 (a throw-away database's page password)

# A word that finds the page in the search, per language, and one per language for the new article.
SEARCH_WORDS = {
    "unpublished": {"zh-hans": "克拉玛依", "en": "Karamay", "de": "Karamay"},
    "private": {"zh-hans": "上合示范区", "en": "SCODA", "de": "SCODA"},
    "moved": {"zh-hans": "吉木乃", "en": "Jeminay", "de": "Jeminay"},
    "new": {code: "Quokkafest" for code in LANGUAGES},
}

# Run by `manage.py shell` with ACTION set before it: "facts" (the pages' URLs) or one of CHANGES.
# The editor's changes, in this order, each checked before the next: each starts a new generation
# through its own signal alone (private: PageViewRestriction saved; unpublish: page_unpublished and
# the page's save; move: post_page_move; publish: page_published).
CHANGES = ("private", "unpublish", "move", "publish")

SCRIPT = """
import datetime, json, sys
from django.utils import translation
from wagtail.models import PageViewRestriction
from news.models import NewsIndexPage, NewsPage
from portal.models import HomePage
from zones.models import ZoneIndexPage, ZonePage

LANGUAGES = {languages!r}

def urls(page):
    page.refresh_from_db()
    result = {{}}
    for code in LANGUAGES:
        with translation.override(code):
            result[code] = page.get_url()
    return result

unpublished = NewsPage.objects.get(slug_en="sco-platform-karamay-cooperation")
private = ZonePage.objects.get(slug_en="scoda")
private_child = ZonePage.objects.get(slug_en="xinjiang-branch-park")
moved = ZonePage.objects.get(slug_en="jeminay-border-zone")
moved_child = ZonePage.objects.get(slug_en="jeminay-port")
target = ZonePage.objects.get(slug_en="sco-multifunctional-platform")
facts = {{}}
if ACTION == "facts":
    for name, page in [("home", HomePage.objects.get()), ("news", NewsIndexPage.objects.get()),
                       ("zones", ZoneIndexPage.objects.get()), ("unpublished", unpublished), ("private", private),
                       ("private_child", private_child), ("moved", moved), ("moved_child", moved_child)]:
        facts[name] = urls(page)
elif ACTION == "private":
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD,
                                       password={password!r})
elif ACTION == "unpublish":
    unpublished.unpublish()
elif ACTION == "move":
    moved.move(target, pos="last-child")
    facts["moved"], facts["moved_child"] = urls(moved), urls(moved_child)
elif ACTION == "publish":
    article = NewsPage(
        title="夸克节 Quokkafest", title_zh_hans="夸克节 Quokkafest", title_en="Quokkafest opens",
        title_de="Quokkafest beginnt", title_ru="Quokkafest открыт", date=datetime.date.today(),
        summary_en="Quokkafest summary", body_en="<p>Quokkafest body</p>",
    )
    NewsIndexPage.objects.get().add_child(instance=article)
    article.save_revision().publish()
    facts["new"] = urls(article)
sys.stdout.write("FACTS " + json.dumps(facts) + "\\n")
"""


class SqliteSite(reliability.Site):
    """reliability.Site on a file SQLite database in its folder (no PostgreSQL cluster is started)."""

    def __init__(self, directory: Path, static_root: Path | None = None, **env: str):
        super().__init__(directory=directory)
        self.database_url = f"sqlite:///{self.directory / 'db.sqlite3'}"
        self.static_root = static_root or self.directory / "static"
        self.extra = env

    def env(self, **extra: str) -> dict:
        return super().env(
            STATIC_ROOT=str(self.static_root),
            PAGE_CACHE_SECONDS="300",
            # Warming adds more pages than a visitor may per minute: all of them must be cached.
            PAGE_CACHE_NEW_PAGES_PER_CLIENT="0",
            CACHE_DEFAULT_TIMEOUT=str(CACHE_DEFAULT_TIMEOUT),
            **{**self.extra, **extra},
        )

    def shell(self, action: str) -> dict:
        """Runs SCRIPT in a process of its own (like an editor's request in another worker); its facts."""
        code = f"ACTION = {action!r}\n" + SCRIPT.format(languages=LANGUAGES, password=PASSWORD)
        result = subprocess.run(
            [str(reliability.VENV / "python"), "manage.py", "shell", "-v0", "-c", code],
            cwd=reliability.ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        line = next((line for line in result.stdout.splitlines() if line.startswith("FACTS ")), None)
        if result.returncode or line is None:
            raise RuntimeError(f"manage.py shell ({action}) failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
        return json.loads(line.removeprefix("FACTS "))

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="module")
def prepared():
    """A migrated, loaded database and collected static files, made once; with the pages' URLs."""
    site = SqliteSite(Path(tempfile.mkdtemp(prefix="portal_workers_")))
    try:
        site.manage("migrate", "--noinput", "-v0")
        site.manage("load_initial_data")
        site.manage("collectstatic", "--noinput", "-v0")
        site.facts = site.shell("facts")
        yield site
    finally:
        site.close()


@dataclass
class Answer:
    path: str
    status: int
    body: str
    headers: dict


OPENER = urllib.request.build_opener(reliability.NoRedirect)


def fetch(base: str, path: str) -> Answer:
    """GET without following redirects, with the fixtures' site as Host."""
    request = urllib.request.Request(base + path, headers={"Host": reliability.SITE_HOST})  # noqa: S310
    try:
        with OPENER.open(request, timeout=30) as response:
            return Answer(path, response.status, response.read().decode(errors="replace"), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Answer(path, error.code, error.read().decode(errors="replace"), dict(error.headers))


def logged(server: reliability.Gunicorn, since: int, count: int) -> list[dict]:
    """The access log's answers from byte `since`, once `count` of them are written (a worker logs
    after it has sent the response)."""
    answers = reliability.wait_until(lambda: len(found := server.answers(since)) >= count and found, 10, step=0.05)
    return answers or server.answers(since)


def answer_everywhere(server: reliability.Gunicorn, paths: list[str], per_url: int, from_cache: bool = False):
    """Each path at least `per_url` times, and again until every worker has answered it (with a page
    cache hit, for `from_cache` paths the page cache keeps); every answer, and which workers answered."""
    workers = set(server.workers())
    answers: list[Answer] = []
    answered: dict[str, set] = collections.defaultdict(set)
    missing = list(paths)
    jobs = [path for _ in range(per_url) for path in paths]
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        for _ in range(MAX_ROUNDS):
            since = server.log_size()
            answers += pool.map(lambda path: fetch(server.base, path), jobs)
            for entry in logged(server, since, len(jobs)):
                if not from_cache or entry["page_cache"] == "hit":
                    answered[entry["path"]].add(entry["pid"])
            missing = [path for path in paths if answered[path] != workers]
            if not missing:
                break
            jobs = [path for _ in range(CONCURRENCY) for path in missing]
    assert not missing, f"not answered by every worker {sorted(workers)} ({'hits' if from_cache else 'answers'}): " + (
        ", ".join(f"{path} {sorted(answered[path])}" for path in missing)
    )
    assert set(server.workers()) == workers, "a worker was replaced meanwhile"
    return answers


def places(facts: dict, code: str) -> list[str]:
    """Where a page of the language is listed: home, news and zones indexes, the search, the news feed."""
    searches = [search_url(kind, code) for kind in SEARCH_WORDS]
    return [facts["home"][code], facts["news"][code], facts["zones"][code], *searches, f"/{code}/feeds/news.rss"]


SITEMAPS = ["/sitemap.xml", "/sitemap-pages.xml"]


def search_url(kind: str, code: str) -> str:
    return f"/{code}/search/?q={quote(SEARCH_WORDS[kind][code])}"


def check_before(facts: dict, answers: list[Answer]) -> list[str]:
    """Each page to change is there to begin with: its own URL, its listings, search and sitemap."""
    failures = []
    by_path = collections.defaultdict(list)
    for answer in answers:
        by_path[answer.path].append(answer)
    for code in LANGUAGES:
        news, zones, feed = facts["news"][code], facts["zones"][code], f"/{code}/feeds/news.rss"
        expected = {
            "unpublished": [news, feed, search_url("unpublished", code), "/sitemap-pages.xml"],
            "private": [zones, search_url("private", code), "/sitemap-pages.xml"],
            "private_child": [zones, "/sitemap-pages.xml"],
            "moved": [zones, search_url("moved", code), "/sitemap-pages.xml"],
            "moved_child": [zones, "/sitemap-pages.xml"],
        }
        for name, listed_in in expected.items():
            page_url = facts[name][code]
            failures += [
                f"{page_url} ({name}) answered {a.status} before" for a in by_path[page_url] if a.status != 200
            ]
            for place in listed_in:
                failures += [
                    f"{place} does not show {page_url} ({name}) before"
                    for a in by_path[place]
                    if page_url not in a.body
                ]
    return failures


def expectations(before: dict, after: dict, done: list[str]) -> dict[str, tuple]:
    """What each URL must answer once the changes `done` are made: (kind, URLs it must not show, URLs
    it must show); `after` holds the moved and new pages' URLs."""
    gone = {"private": ("private", "private_child"), "unpublish": ("unpublished",), "move": ("moved", "moved_child")}
    never = [before[name][code] for change in done for name in gone.get(change, ()) for code in LANGUAGES]
    new_pages = [after[name][code] for name in ("moved", "moved_child", "new") if name in after for code in LANGUAGES]
    expected = {"/sitemap.xml": ("listing", never, []), "/sitemap-pages.xml": ("listing", never, new_pages)}
    for code in LANGUAGES:
        for place in places(before, code):
            expected[place] = ("listing", never, [])
        if "private" in done:
            expected[before["private"][code]] = expected[before["private_child"][code]] = ("password", [], [])
        if "unpublish" in done:
            expected[before["unpublished"][code]] = ("not found", [], [])
        if "move" in done:
            moved, child = after["moved"][code], after["moved_child"][code]
            expected[before["zones"][code]] = ("listing", never, [moved, child])
            expected[search_url("moved", code)] = ("listing", never, [moved])
            expected[before["moved"][code]] = ("moved to", [], [moved])
            expected[before["moved_child"][code]] = ("moved to", [], [child])
            expected[moved] = expected[child] = ("page", [], [])
        if "publish" in done:
            new = after["new"][code]
            for place in (
                before["home"][code],
                before["news"][code],
                f"/{code}/feeds/news.rss",
                search_url("new", code),
            ):
                expected[place] = ("listing", never, [new])
            expected[new] = ("page", [], [])
    return expected


def check_after(expected: dict, answers: list[Answer]) -> list[str]:
    """Every answer after the change: the unpublished and private pages and the moved pages' old URLs
    are nowhere; the private ones ask for the password; the moved and new pages are where they belong."""
    failures = []
    for answer in answers:
        kind, never, must = expected[answer.path]
        status, body, path = answer.status, answer.body, answer.path
        if kind in ("listing", "page") and status != 200:
            failures.append(f"{path} answered {status}")
        failures += [f"{path} still shows {url}" for url in never if url in body]
        if kind == "listing":
            failures += [f"{path} does not show {url}" for url in must if url not in body]
        elif kind == "not found" and status != 404:
            failures.append(f"{path} (unpublished) answered {status}, not 404")
        elif kind == "password":
            if status != 200 or 'name="password"' not in body:
                failures.append(f"{path} (private) answered {status} without the password form")
            if answer.headers.get("X-Page-Cache") == "hit" or "no-store" not in answer.headers.get("Cache-Control", ""):
                failures.append(f"{path} (private) came from the page cache or may be kept")
        elif kind == "moved to":
            location = answer.headers.get("Location", "")
            if not (status == 404 or (status in (301, 302) and location.endswith(must[0]))):
                failures.append(f"{path} (a moved page's old URL) answered {status} {location}, not 404 nor {must[0]}")
    return failures


def summary(failures: list[str], limit: int = 30) -> str:
    counted = collections.Counter(failures)
    lines = [f"{n}× {failure}" for failure, n in counted.most_common(limit)]
    return f"{len(failures)} failures:\n" + "\n".join(lines)


@pytest.mark.parametrize("shared_cache", ["files", "redis"])
def test_changes_reach_every_worker_at_once_and_after_idle(prepared, shared_cache):
    started = time.monotonic()
    directory = Path(tempfile.mkdtemp(prefix=f"portal_workers_{shared_cache}_"))
    redis = None
    try:
        shutil.copy(prepared.directory / "db.sqlite3", directory / "db.sqlite3")
        env = {"CACHE_DIR": str(directory / "cache")}
        if shared_cache == "redis":
            redis = reliability.RedisServer(directory)
            redis.start()
            env["REDIS_URL"] = redis.url
        site = SqliteSite(directory, static_root=prepared.static_root, **env)
        before = prepared.facts
        page_urls = sorted({url for urls in before.values() for url in urls.values()})
        listings = [place for code in LANGUAGES for place in places(before, code)] + SITEMAPS
        with reliability.Gunicorn(site, shared_cache) as server:
            # Warm: both workers have every page in their page cache (search, feeds and sitemaps are
            # never kept whole, but the values they remember are).
            uncached = ("/search/", "/feeds/", "/sitemap")
            cached = [path for path in listings if not any(part in path for part in uncached)]
            cached += [path for path in page_urls if path not in listings]
            warm = answer_everywhere(server, cached, 2, from_cache=True)
            warm += answer_everywhere(server, [path for path in listings if path not in cached], 2)
            reliability.say(f"{shared_cache}: warm in {time.monotonic() - started:.0f} s")
            failures = check_before(before, warm)
            assert not failures, summary(failures)

            # Each change from another process, checked at once in every worker before the next.
            after, done = {}, []
            for change in CHANGES:
                after.update(site.shell(change))
                done.append(change)
                expected = expectations(before, after, done)
                per_url = REQUESTS_PER_URL if change == CHANGES[-1] else REQUESTS_PER_URL_BETWEEN_CHANGES
                failures = check_after(expected, answer_everywhere(server, sorted(expected), per_url))
                assert not failures, f"at once after {change}: " + summary(failures)
                reliability.say(f"{shared_cache}: {change} checked at {time.monotonic() - started:.0f} s")

            time.sleep(IDLE_PAST_DEFAULT_TIMEOUT)
            failures = check_after(expected, answer_everywhere(server, sorted(expected), REQUESTS_PER_URL))
            assert not failures, f"after {IDLE_PAST_DEFAULT_TIMEOUT} s idle: " + summary(failures)
    finally:
        if redis:
            redis.stop()
        shutil.rmtree(directory, ignore_errors=True)
        reliability.say(f"{shared_cache}: {time.monotonic() - started:.0f} s")
