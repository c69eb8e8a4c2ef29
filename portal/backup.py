"""Backups of the whole site: the database and the media files in one dated archive.

An archive is a plain tar file, `scoda-portal-YYYYmmdd-HHMMSS.tar`, holding

- `manifest.json`: format, date, database engine, applied migrations, counts, checksums;
- `database.dump` (pg_dump's custom format) for PostgreSQL, or `database.sqlite3` (a copy made
  with SQLite's online backup API, consistent while the site keeps writing) for SQLite;
- `media/`: MEDIA_ROOT (original images, renditions, documents), when the media are on disk.

Nothing is half written: the archive is built under a `.partial` name and renamed when
complete; a restore unpacks and checks everything first, loads the database in one
transaction (psql --single-transaction; SQLite's backup API replaces the file's content in
one step) and only then swaps the media folder in. It refuses a database that already has
tables, and a media folder that has files, unless `replace` is asked for.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
PREFIX = "scoda-portal-"
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """Something a person must fix; the message says what."""


@dataclass
class Result:
    archive: Path
    manifest: dict


def engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"Backups handle PostgreSQL and SQLite; the database {alias!r} is {vendor}.")
    return vendor


def database_name(alias: str = "default") -> str:
    config = connections[alias].settings_dict
    if engine(alias) == "sqlite":
        return str(config["NAME"])
    return f"{config['NAME']} on {config.get('HOST') or 'the local socket'}:{config.get('PORT') or 5432}"


def media_root() -> Path | None:
    """MEDIA_ROOT when the media are stored on disk; None when they are in a bucket."""
    if not isinstance(default_storage, FileSystemStorage):
        return None
    return Path(settings.MEDIA_ROOT)


def postgres_env(alias: str = "default") -> dict:
    """libpq's variables for pg_dump, pg_restore and psql (the password stays off the command line)."""
    config = connections[alias].settings_dict
    env = {**os.environ}
    values = {
        "PGHOST": config.get("HOST"),
        "PGPORT": config.get("PORT"),
        "PGUSER": config.get("USER"),
        "PGPASSWORD": config.get("PASSWORD"),
        "PGDATABASE": config.get("NAME"),
        "PGSSLMODE": config.get("OPTIONS", {}).get("sslmode"),
    }
    env.update({name: str(value) for name, value in values.items() if value})
    return env


def run_tool(args: list[str], env: dict, what: str, **kwargs) -> subprocess.CompletedProcess:
    if not shutil.which(args[0]):
        raise BackupError(f"{args[0]} is not installed; it is needed to {what} (apt-get install postgresql-client).")
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False, **kwargs)  # noqa: S603
    if result.returncode:
        raise BackupError(f"{args[0]} could not {what}: {result.stderr.strip() or result.stdout.strip()}")
    return result


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def table_names(alias: str = "default") -> list[str]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


# --- Backup ------------------------------------------------------------------------------------


def dump_database(target: Path, alias: str = "default") -> None:
    kind = engine(alias)
    if kind == "postgresql":
        run_tool(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
            postgres_env(alias),
            f"dump the database {database_name(alias)}",
        )
        return
    source_path = Path(connections[alias].settings_dict["NAME"])
    if not source_path.is_file():
        raise BackupError(f"The SQLite database {source_path} does not exist.")
    source = sqlite3.connect(source_path)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
    finally:
        copy.close()
        source.close()


def applied_migrations(alias: str = "default") -> dict[str, str]:
    """The last applied migration of each app."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def create(directory: Path, include_media: bool = True, alias: str = "default") -> Result:
    """Write a new archive into `directory` and return it."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"Cannot create the backup folder {directory}: {exc.strerror}.") from exc
    if not os.access(directory, os.W_OK):
        raise BackupError(f"The backup folder {directory} is not writable.")
    kind = engine(alias)
    if not table_names(alias):
        raise BackupError(f"The database {database_name(alias)} has no tables; there is nothing to back up.")
    now = datetime.datetime.now(datetime.UTC)
    archive = directory / f"{PREFIX}{now:%Y%m%d-%H%M%S}.tar"
    number = 1
    while archive.exists():
        number += 1
        archive = directory / f"{PREFIX}{now:%Y%m%d-%H%M%S}-{number}.tar"
    partial = archive.with_name(archive.name + ".partial")
    media = media_root() if include_media else None
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=directory) as work:
        database_file = Path(work) / DATABASE_FILES[kind]
        dump_database(database_file, alias)
        media_files = sorted(p for p in media.rglob("*") if p.is_file()) if media and media.is_dir() else []
        manifest = {
            "format": FORMAT,
            "created": now.isoformat(timespec="seconds"),
            "database": kind,
            "database_file": database_file.name,
            "database_sha256": sha256(database_file),
            "migrations": applied_migrations(alias),
            "media": "included" if media else ("left out" if not include_media else "in a bucket, not included"),
            "media_files": len(media_files),
            "media_bytes": sum(p.stat().st_size for p in media_files),
        }
        manifest_file = Path(work) / "manifest.json"
        manifest_file.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        try:
            with tarfile.open(partial, "w") as tar:
                tar.add(manifest_file, arcname="manifest.json")
                tar.add(database_file, arcname=database_file.name)
                if media and media.is_dir():
                    tar.add(media, arcname="media", recursive=False)
                    for path in media_files:
                        tar.add(path, arcname=f"media/{path.relative_to(media).as_posix()}")
            os.replace(partial, archive)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return Result(archive, manifest)


# --- Restore -----------------------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile, archive: Path) -> dict:
    try:
        member = tar.extractfile("manifest.json")
    except KeyError:
        member = None
    if member is None:
        raise BackupError(f"{archive} has no manifest.json; it is not a backup made by backup_site.")
    try:
        manifest = json.loads(member.read())
    except ValueError as exc:
        raise BackupError(f"The manifest.json in {archive} is not valid JSON: {exc}.") from exc
    if not isinstance(manifest, dict):
        raise BackupError(
            f"The manifest.json in {archive} is not a JSON object; it is not a backup made by backup_site."
        )
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} has backup format {manifest.get('format')!r}; this code reads format {FORMAT}.")
    check_manifest(manifest, archive)
    return manifest


def check_manifest(manifest: dict, archive: Path) -> None:
    """Every value restore() uses, checked before any is: the archive is not trusted. The database
    file is the one name its engine's backups have, never a path of the archive's choosing."""
    where = f"The manifest.json in {archive}"
    for key in ["database", "database_file", "database_sha256", "media", "migrations"]:
        if key not in manifest:
            raise BackupError(f"{where} has no {key!r}; it is not a backup made by backup_site, or it was changed.")
    database = manifest["database"]
    if not isinstance(database, str) or database not in DATABASE_FILES:
        raise BackupError(
            f"{where}: 'database' is {database!r}; it should be one of {', '.join(map(repr, sorted(DATABASE_FILES)))}."
        )
    expected = DATABASE_FILES[database]
    if manifest["database_file"] != expected:
        raise BackupError(
            f"{where} names the database file {manifest['database_file']!r}; a {database} backup's is {expected!r}."
        )
    for key in ["database_sha256", "media"]:
        if not isinstance(manifest[key], str):
            raise BackupError(f"{where}: {key!r} is {manifest[key]!r}; it should be a text.")
    migrations = manifest["migrations"]
    if not isinstance(migrations, dict) or not all(isinstance(v, str) for v in migrations.values()):
        raise BackupError(f"{where}: 'migrations' is {migrations!r}; it should be an object of app: migration names.")


def unpack(archive: Path, into: Path) -> dict:
    """Unpack and check the archive; its manifest."""
    if not archive.is_file():
        raise BackupError(f"The backup {archive} does not exist.")
    try:
        with tarfile.open(archive, "r") as tar:
            manifest = read_manifest(tar, archive)
            # The "data" filter refuses absolute paths, links out of the folder and device files.
            tar.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{archive} cannot be read (damaged or incomplete?): {exc}.") from exc
    database_file = into / DATABASE_FILES[manifest["database"]]  # checked to equal manifest["database_file"]
    if not database_file.is_file() or sha256(database_file) != manifest["database_sha256"]:
        raise BackupError(f"The database in {archive} is missing or damaged (its checksum does not match).")
    return manifest


def restore_database(database_file: Path, replace: bool, alias: str = "default") -> None:
    connections[alias].close()
    if engine(alias) == "postgresql":
        # The whole script first (a pipe cut short would let psql commit half of it), then one transaction:
        # an error anywhere leaves the database as it was.
        script = database_file.with_suffix(".sql")
        run_tool(
            ["pg_restore", "--no-owner", "--no-privileges", f"--file={script}", str(database_file)],
            postgres_env(alias),
            f"read {database_file.name}",
        )
        preamble = ["-c", "DROP SCHEMA public CASCADE", "-c", "CREATE SCHEMA public"] if replace else []
        run_tool(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", *preamble, "-f", str(script)],
            postgres_env(alias),
            f"restore into {database_name(alias)}",
        )
        return
    target_path = Path(connections[alias].settings_dict["NAME"])
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(database_file)
    target = sqlite3.connect(target_path)
    try:
        # The backup API writes every page of the target in one transaction.
        source.backup(target)
    except sqlite3.Error as exc:
        raise BackupError(f"Could not write the SQLite database {target_path}: {exc}.") from exc
    finally:
        target.close()
        source.close()


def restore(archive: Path, replace: bool = False, alias: str = "default") -> dict:
    """Restore the archive's database and media; its manifest."""
    archive = Path(archive)
    kind = engine(alias)
    media = media_root()
    with tempfile.TemporaryDirectory(prefix=".restore-") as work:
        staged = Path(work)
        manifest = unpack(archive, staged)
        if manifest["database"] != kind:
            raise BackupError(
                f"{archive} holds a {manifest['database']} database, but the database here is {kind} "
                f"({database_name(alias)}); restore it into a {manifest['database']} database."
            )
        tables = table_names(alias)
        if tables and not replace:
            raise BackupError(
                f"The database {database_name(alias)} is not empty ({len(tables)} tables, e.g. {tables[0]}). "
                "Restore into a new, empty database, or pass --replace (make restore BACKUP=… REPLACE=1) "
                "to delete everything in it first. Nothing was changed."
            )
        staged_media = staged / "media"
        if manifest["media"] == "included":
            if media is None:
                raise BackupError(
                    f"{archive} includes media files, but the media here are in a bucket "
                    f"({settings.STORAGES['default']['BACKEND']}); copy {archive}'s media/ there yourself, "
                    "or restore with the media on disk. Nothing was changed."
                )
            if media.is_dir() and any(media.iterdir()) and not replace:
                raise BackupError(
                    f"The media folder {media} is not empty. Restore into an empty one, or pass --replace "
                    "(make restore BACKUP=… REPLACE=1) to replace it. Nothing was changed."
                )
            staged_media.mkdir(exist_ok=True)
            # Staged beside MEDIA_ROOT, so swapping it in is a rename on one file system.
            media.parent.mkdir(parents=True, exist_ok=True)
            incoming = Path(tempfile.mkdtemp(prefix=f".{media.name}-restore-", dir=media.parent))
            shutil.rmtree(incoming)
            shutil.move(staged_media, incoming)
        else:
            incoming = None
        try:
            restore_database(staged / DATABASE_FILES[manifest["database"]], replace, alias)
        except BaseException:
            if incoming:
                shutil.rmtree(incoming, ignore_errors=True)
            raise
        if incoming:
            old = media.with_name(f".{media.name}-replaced") if media.exists() else None
            if old:
                shutil.rmtree(old, ignore_errors=True)
                media.rename(old)
            incoming.rename(media)
            if old:
                shutil.rmtree(old, ignore_errors=True)
    return manifest


def missing_migrations(manifest: dict, alias: str = "default") -> list[str]:
    """Apps whose code has migrations the restored database lacks (run manage.py migrate)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    applied = manifest.get("migrations", {})
    latest: dict[str, str] = {}
    for app, name in loader.disk_migrations:
        latest[app] = max(latest.get(app, name), name)
    return sorted(app for app, name in latest.items() if applied.get(app, "") < name)
