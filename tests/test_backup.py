"""backup_site / restore_site (portal/backup.py, `make backup`, `make restore BACKUP=…`).

A site is loaded from the fixtures and given what a backup must not lose: a password and a
group restriction, a draft with its revision, users with passwords and groups, an image and
a document. It is backed up, restored into an empty database and an empty media folder, and
the two sites are compared: every row (dumpdata), every media file (checksums), and every
page rendered in the four languages. On SQLite, or on a PostgreSQL cluster of the test's
own (initdb/pg_ctl, bench/reliability.py) when DATABASE_URL names PostgreSQL. Then what a
restore must refuse, and that a refused or failed restore changes nothing.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

from bench.reliability import PostgresCluster
from tests.helpers import LANGUAGES

BASE_DIR = Path(__file__).resolve().parent.parent
# The engine DATABASE_URL names, as for the rest of the suite (CI runs it on both), in a database
# of the test's own; PORTAL_BACKUP_ENGINES=sqlite,postgresql runs both at once.
ENGINES = os.environ.get("PORTAL_BACKUP_ENGINES", "").split(",") if os.environ.get("PORTAL_BACKUP_ENGINES") else None
ENGINES = ENGINES or ["postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"]
PASSWORD = "letmein-0815"

POPULATE = f"""
import io
import django
django.setup()
from django.contrib.auth.models import Group, Permission, User
from django.core.files.base import ContentFile
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import PageViewRestriction
from PIL import Image as PILImage
from news.models import NewsPage
from portal import i18n
from zones.models import ZonePage

reviewers = Group.objects.create(name="Reviewers")
reviewers.permissions.add(Permission.objects.get(codename="access_admin"))
editor = User.objects.create_user("editor", "editor@example.org", "editor-password", first_name="Eda")
editor.groups.add(reviewers)
User.objects.create_superuser("admin", "admin@example.org", "admin-password")

first, second = NewsPage.objects.live().order_by("path")[:2]
PageViewRestriction.objects.create(page=first, restriction_type="password", password="{PASSWORD}")
by_group = PageViewRestriction.objects.create(page=second, restriction_type="groups")
by_group.groups.add(reviewers)

zone = ZonePage.objects.live().order_by("path").first()
setattr(zone, i18n.localized("title", "en"), "A draft title, not yet published")
zone.save_revision(user=editor)

picture = io.BytesIO()
PILImage.new("RGB", (64, 48), "teal").save(picture, "PNG")
Image.objects.create(title="Backup test image", file=ContentFile(picture.getvalue(), name="backup-test.png"))
Document.objects.create(title="Backup test document", file=ContentFile(b"%PDF-1.4 backup\\n", name="backup-test.pdf"))
"""

SNAPSHOT = f"""
import hashlib, io, json, re, sys
from pathlib import Path
import django
django.setup()
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page, PageViewRestriction
from portal import i18n

snapshot = {{}}
out = io.StringIO()
call_command("dumpdata", "--indent=0", "--exclude=sessions", stdout=out)
snapshot["data"] = json.loads(out.getvalue())
media = Path(settings.MEDIA_ROOT)
snapshot["media"] = {{
    str(p.relative_to(media)): hashlib.sha256(p.read_bytes()).hexdigest()
    for p in sorted(media.rglob("*")) if p.is_file()
}}
restriction = PageViewRestriction.objects.get(restriction_type="password")
zone = Page.objects.filter(has_unpublished_changes=True).order_by("path").first()
snapshot["facts"] = {{
    "restrictions": sorted(PageViewRestriction.objects.values_list("restriction_type", flat=True)),
    "password": restriction.password,
    "editor_password_ok": User.objects.get(username="editor").check_password("editor-password"),
    "editor_groups": list(User.objects.get(username="editor").groups.values_list("name", flat=True)),
    "draft_title": getattr(zone.get_latest_revision_as_object(), i18n.localized("title", "en")),
    "draft_live_title": getattr(zone.specific, i18n.localized("title", "en")),
    "images": any("backup-test" in p.name for p in media.joinpath("original_images").iterdir()),
}}
if "--pages" in sys.argv:
    csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
    pages = {{}}
    for page in Page.objects.live().filter(depth__gt=1).specific().order_by("path"):
        for code in {LANGUAGES!r}:
            with translation.override(code):
                url = page.get_url()
            response = Client(HTTP_HOST="localhost").get(url)
            body = csrf.sub(b"", response.content)
            pages[f"{{code}} {{url}}"] = [response.status_code, hashlib.sha256(body).hexdigest()]
    snapshot["pages"] = pages
    # The password still opens the restricted page.
    visitor = Client(HTTP_HOST="localhost")
    with translation.override("en"):
        url = restriction.page.specific.get_url()
        form = reverse("wagtailcore_authenticate_with_password", args=[restriction.id, restriction.page_id])
    before = visitor.get(url)
    visitor.post(form, {{"password": "{PASSWORD}", "return_url": url}})
    after = visitor.get(url)
    title = getattr(restriction.page.specific, i18n.localized("title", "en"))
    snapshot["facts"]["password_page"] = [
        before.status_code, title in before.content.decode(), after.status_code, title in after.content.decode()
    ]
print(json.dumps(snapshot))
"""


class Site:
    """One database (SQLite file or PostgreSQL database) with its media folder, driven by manage.py in subprocesses."""

    def __init__(self, directory: Path, database_url: str, name: str):
        self.directory = directory
        self.media = directory / f"media-{name}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
            "DEBUG": "0",
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(self.media),
            "CACHE_DIR": str(directory / f"cache-{name}"),
            "REDIS_URL": "",
            "PAGE_CACHE_SECONDS": "0",
        }

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, *args], cwd=BASE_DIR, env=self.env, capture_output=True, text=True, timeout=600
        )
        if check:
            assert result.returncode == 0, f"{args}: {result.stdout[-3000:]}\n{result.stderr[-5000:]}"
        return result

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run("manage.py", *args, check=check)

    def snapshot(self, pages: bool = False) -> dict:
        return json.loads(self.run("-c", SNAPSHOT, *(["--pages"] if pages else [])).stdout)

    def backup(self, into: Path) -> Path:
        result = self.manage("backup_site", "--output-dir", str(into))
        return Path(result.stdout.strip().splitlines()[-1].split(": ", 1)[1])

    def restore(self, archive: Path, *flags: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.manage("restore_site", str(archive), *flags, check=check)

    def tables(self) -> list[str]:
        code = (
            "import django; django.setup(); from django.db import connection; "
            "print(len(connection.introspection.table_names()))"
        )
        return int(self.run("-c", code).stdout.strip())


class Databases:
    """New, empty databases of one engine: SQLite files, or databases in our own PostgreSQL cluster."""

    def __init__(self, engine: str, directory: Path):
        self.engine, self.directory = engine, directory
        self.cluster = None
        if engine == "postgresql":
            self.cluster = PostgresCluster(directory / "pg")
            (directory / "pg").mkdir()
            self.cluster.start()

    def new(self, name: str) -> Site:
        if self.cluster:
            return Site(self.directory, self.cluster.create_database(name), name)
        return Site(self.directory, f"sqlite:///{self.directory / f'{name}.sqlite3'}", name)

    def close(self) -> None:
        if self.cluster:
            self.cluster.stop("immediate")


@pytest.fixture(scope="module", params=ENGINES)
def backed_up(request):
    """(databases, the source site, its archive, its snapshot with pages) for one engine."""
    directory = Path(tempfile.mkdtemp(prefix="portal-backup-test-"))
    # The PostgreSQL server runs as the user postgres, which must reach its data folder inside.
    directory.chmod(0o755)
    databases = Databases(request.param, directory)
    try:
        source = databases.new("source")
        source.manage("migrate", "--noinput", "-v0")
        source.manage("load_initial_data")
        source.run("-c", POPULATE)
        archive = source.backup(directory / "backups")
        yield databases, source, archive, source.snapshot(pages=True)
    finally:
        databases.close()
        shutil.rmtree(directory, ignore_errors=True)


def test_the_archive_holds_the_database_the_media_and_a_manifest(backed_up):
    databases, _source, archive, _snapshot = backed_up
    assert archive.name.startswith("scoda-portal-") and archive.suffix == ".tar"
    assert not list(archive.parent.glob("*.partial"))
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    database_file = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}[databases.engine]
    assert manifest["database"] == databases.engine
    assert manifest["database_file"] == database_file
    assert database_file in names
    assert manifest["media"] == "included"
    assert manifest["media_files"] >= 2
    assert any(name.startswith("media/original_images/backup-test") for name in names)
    assert any(name.startswith("media/documents/backup-test") for name in names)
    assert "wagtailcore" in manifest["migrations"]


def test_round_trip_gives_the_same_site(backed_up):
    databases, _source, archive, before = backed_up
    target = databases.new("restored")
    result = target.restore(archive)
    assert "Restore complete." in result.stdout
    after = target.snapshot(pages=True)

    # What the source must have had for the comparison to mean anything.
    facts = before["facts"]
    assert facts["restrictions"] == ["groups", "password"]
    assert facts["password"] == PASSWORD
    assert facts["editor_password_ok"] is True
    assert facts["editor_groups"] == ["Reviewers"]
    assert facts["draft_title"] == "A draft title, not yet published"
    assert facts["draft_live_title"] != facts["draft_title"]
    assert facts["images"] is True
    # Restricted: the form first (no title), the page after the password.
    assert facts["password_page"] == [200, False, 200, True]
    assert {status for status, _digest in before["pages"].values()} <= {200, 302}
    assert len(before["pages"]) >= 4 * 10
    for code in LANGUAGES:
        assert any(key.startswith(f"{code} /{code}/") for key in before["pages"])

    assert after["facts"] == facts
    assert after["media"] == before["media"]
    assert after["pages"] == before["pages"]
    assert len(after["data"]) == len(before["data"])
    assert after["data"] == before["data"]


def test_refuses_a_database_that_is_not_empty(backed_up):
    _databases, source, archive, before = backed_up
    result = source.restore(archive, check=False)
    assert result.returncode != 0
    assert "is not empty" in result.stderr
    assert "--replace" in result.stderr
    assert "Nothing was changed" in result.stderr
    assert source.snapshot()["data"] == before["data"]


def test_refuses_a_media_folder_that_is_not_empty(backed_up):
    databases, _source, archive, _before = backed_up
    target = databases.new("media_in_the_way")
    target.media.mkdir()
    (target.media / "keep.txt").write_text("someone's file")
    result = target.restore(archive, check=False)
    assert result.returncode != 0
    assert f"The media folder {target.media} is not empty" in result.stderr
    assert target.tables() == 0
    assert [p.name for p in target.media.iterdir()] == ["keep.txt"]


def test_replace_puts_the_backup_over_a_changed_site(backed_up):
    databases, _source, archive, before = backed_up
    target = databases.new("replaced")
    target.restore(archive)
    target.run(
        "-c",
        "import django; django.setup(); from news.models import NewsPage; from django.contrib.auth.models import User; "
        "NewsPage.objects.order_by('path').last().delete(); User.objects.create_user('intruder')",
    )
    (target.media / "stray.txt").write_text("not in the backup")
    assert target.snapshot()["data"] != before["data"]

    target.restore(archive, "--replace")
    after = target.snapshot()
    assert after["data"] == before["data"]
    assert after["media"] == before["media"]
    assert not list(target.media.parent.glob(f".{target.media.name}-*"))


def test_a_damaged_archive_changes_nothing(backed_up):
    databases, _source, archive, _before = backed_up
    damaged = archive.with_name("damaged.tar")
    data = archive.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    target = databases.new("from_damaged")
    result = target.restore(damaged, check=False)
    assert result.returncode != 0
    assert str(damaged) in result.stderr
    assert "damaged" in result.stderr
    assert target.tables() == 0
    assert not target.media.exists()


def test_a_database_of_the_other_engine_is_refused(backed_up, tmp_path):
    databases, _source, archive, _before = backed_up
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[databases.engine]
    forged = tmp_path / "other-engine.tar"
    # As the other engine's backup would be: its database file's name too (the manifest must agree with it).
    other_file = {"sqlite": "database.dump", "postgresql": "database.sqlite3"}[databases.engine]
    (tmp_path / "manifest.json").write_text(json.dumps({**manifest, "database": other, "database_file": other_file}))
    with tarfile.open(archive) as source, tarfile.open(forged, "w") as tar:
        tar.add(tmp_path / "manifest.json", arcname="manifest.json")
        for member in source.getmembers():
            if member.name == manifest["database_file"]:
                content = source.extractfile(member)
                member.name = other_file
                tar.addfile(member, content)
            elif member.name != "manifest.json":
                tar.addfile(member, source.extractfile(member) if member.isfile() else None)
    target = databases.new("other_engine")
    result = target.restore(forged, check=False)
    assert result.returncode != 0
    assert f"holds a {other} database, but the database here is {databases.engine}" in result.stderr
    assert target.tables() == 0


def test_backup_of_an_empty_database_says_so(tmp_path):
    site = Site(tmp_path, f"sqlite:///{tmp_path / 'nothing.sqlite3'}", "nothing")
    result = site.manage("backup_site", "--output-dir", str(tmp_path / "backups"), check=False)
    assert result.returncode != 0
    assert f"The database {tmp_path / 'nothing.sqlite3'} has no tables" in result.stderr
    assert not list((tmp_path / "backups").glob("*"))


def test_make_restore_needs_a_backup():
    result = subprocess.run(["make", "-s", "restore"], cwd=BASE_DIR, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "BACKUP=" in result.stderr


def test_a_restore_that_fails_half_way_leaves_nothing_behind(backed_up):
    databases, _source, archive, _before = backed_up
    if databases.engine != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's backup API writes the whole file in one step")
    target = databases.new("half_way")
    # An empty database (no tables) in which creating one of the tables, late in the script, fails.
    code = (
        "import django; django.setup(); from django.db import connection; "
        "connection.cursor().execute('CREATE TYPE wagtailcore_site AS (x integer)')"
    )
    target.run("-c", code)
    result = target.restore(archive, check=False)
    assert result.returncode != 0
    assert "psql could not restore into" in result.stderr
    assert "wagtailcore_site" in result.stderr
    # The tables created before the failure are gone again, and the media were never swapped in.
    assert target.tables() == 0
    assert not target.media.exists()
    assert not list(target.media.parent.glob(f".{target.media.name}-*"))


# --- A manifest is checked before anything in it is used (no database or site needed) ------------


def forged_archive(directory: Path, manifest, files: dict[str, bytes] | None = None) -> Path:
    """An archive with this manifest (any JSON value) and these files."""
    archive = directory / "forged.tar"
    (directory / "manifest.json").write_text(json.dumps(manifest))
    with tarfile.open(archive, "w") as tar:
        tar.add(directory / "manifest.json", arcname="manifest.json")
        for name, content in (files or {}).items():
            (directory / "member").write_bytes(content)
            tar.add(directory / "member", arcname=name)
    return archive


def good_manifest(content: bytes, database: str = "sqlite") -> dict:
    from portal import backup

    return {
        "format": backup.FORMAT,
        "created": "2026-01-01T00:00:00+00:00",
        "database": database,
        "database_file": backup.DATABASE_FILES[database],
        "database_sha256": hashlib.sha256(content).hexdigest(),
        "migrations": {"wagtailcore": "0001_initial"},
        "media": "left out",
        "media_files": 0,
        "media_bytes": 0,
    }


def unpack_error(tmp_path: Path, manifest, files=None) -> str:
    from portal import backup

    archive = forged_archive(tmp_path, manifest, files)
    (tmp_path / "staged").mkdir(exist_ok=True)
    with pytest.raises(backup.BackupError) as caught:
        backup.unpack(archive, tmp_path / "staged")
    return str(caught.value)


def test_a_good_forged_manifest_is_unpacked(tmp_path):
    """The helpers above make an archive that unpack() accepts: the refusals below are the manifest's."""
    from portal import backup

    archive = forged_archive(tmp_path, good_manifest(b"db"), {"database.sqlite3": b"db"})
    (tmp_path / "staged").mkdir()
    assert backup.unpack(archive, tmp_path / "staged")["database_file"] == "database.sqlite3"


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_manifest_naming_a_file_outside_the_archive_is_refused(tmp_path, database):
    """An absolute path (or ../) as database_file would read, and for PostgreSQL write beside, any file."""
    secret = tmp_path / "secret.dump"
    secret.write_bytes(b"not from the archive")
    for name in [str(secret), "../secret.dump", f"staged/../../{tmp_path.name}/secret.dump"]:
        manifest = {**good_manifest(secret.read_bytes(), database), "database_file": name}
        message = unpack_error(tmp_path, manifest)
        assert f"names the database file {name!r}" in message
        assert f"{database} backup's is {good_manifest(b'', database)['database_file']!r}" in message


def test_a_manifest_with_the_other_engines_file_name_is_refused(tmp_path):
    manifest = {**good_manifest(b"db", "postgresql"), "database_file": "database.sqlite3"}
    message = unpack_error(tmp_path, manifest, {"database.sqlite3": b"db"})
    assert "names the database file 'database.sqlite3'; a postgresql backup's is 'database.dump'" in message


@pytest.mark.parametrize("key", ["database", "database_file", "database_sha256", "media", "migrations"])
def test_a_manifest_missing_a_key_is_a_backup_error(tmp_path, key):
    manifest = good_manifest(b"db")
    del manifest[key]
    message = unpack_error(tmp_path, manifest, {"database.sqlite3": b"db"})
    assert f"manifest.json in {tmp_path / 'forged.tar'} has no {key!r}" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"database": "mysql"}, "'database' is 'mysql'; it should be one of 'postgresql', 'sqlite'"),
        ({"database": ["sqlite"]}, "'database' is ['sqlite']; it should be one of 'postgresql', 'sqlite'"),
        ({"database_file": None}, "names the database file None"),
        ({"database_sha256": 7}, "'database_sha256' is 7; it should be a text"),
        ({"media": {}}, "'media' is {}; it should be a text"),
        ({"migrations": ["wagtailcore"]}, "'migrations' is ['wagtailcore']; it should be an object"),
        ({"migrations": {"wagtailcore": 1}}, "'migrations' is {'wagtailcore': 1}; it should be an object"),
    ],
)
def test_a_manifest_with_a_wrong_value_is_a_backup_error(tmp_path, change, expected):
    message = unpack_error(tmp_path, {**good_manifest(b"db"), **change}, {"database.sqlite3": b"db"})
    assert expected in message


def test_a_manifest_that_is_not_an_object_is_a_backup_error(tmp_path):
    message = unpack_error(tmp_path, ["format", 1], {"database.sqlite3": b"db"})
    assert f"The manifest.json in {tmp_path / 'forged.tar'} is not a JSON object" in message
