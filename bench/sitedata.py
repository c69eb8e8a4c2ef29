"""A large, deterministic four-language site for benchmarks (`python -m bench.generate`).

Creating pages one by one (add_child, save_revision, publish and the signals
behind them) takes about a second a page; this module writes the same rows in
bulk instead:

- the page tree: plain INSERTs into wagtailcore_page and each page type's own
  table (Django's bulk_create refuses multi-table inheritance), with treebeard's
  path/depth/numchild, every language's slug and url_path, and the untranslated
  title/slug/url_path/draft_title columns pinned to the default language, as
  BasePage.save pins them;
- one Revision per page, its content what page.serializable_data() gives,
  set as the page's latest and live revision;
- the public search index (portal.search) and the translation status
  (portal.l10n.status, every translation current) computed from the rows in
  memory by the product's own pure functions (search.row_texts/entry_row,
  status.row_fields/statuses/current_records), where rebuild() of either reads
  every page back and takes minutes. tests/test_benchdata.py checks that all
  three equal what Wagtail, portal.search.rebuild() and
  portal.l10n.status.rebuild(mark_current=True) make of the same pages.

Text is sampled from the seed fixtures, each language from its own text
(Chinese sentences for zh-hans, Cyrillic for ru, German for de), so lengths
and characters are realistic; every translatable field is filled in every
language. The same seed and the same fixtures give the same site.

Left out, as the public site never reads them: page log entries (the admin's
page history), the reference index (`manage.py rebuild_references_index`) and,
unless asked, Wagtail's own search index used by the admin's page search
(`manage.py update_index`).
"""

import contextlib
import datetime
import functools
import hashlib
import io
import json
import random
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.images import ImageFile
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone, translation

from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Revision, Site

from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import get_all_child_relations

from news.models import NewsIndexPage, NewsPage
from portal import i18n, pagecache
from portal.fixtures import prepare_tree
from portal.l10n import status
from portal.l10n.models import TranslationRecord, TranslationStatus
from portal.models import HomeFeaturedNews, HomeHighlightedZone, HomePage, SiteSettings, Topic
from portal.search import index as search
from portal.search.models import SearchEntry
from zones.models import (
    DelegationIndexPage,
    DelegationMember,
    DelegationPage,
    ZoneFact,
    ZoneIndexPage,
    ZoneKind,
    ZonePage,
)

SITE_PAGE_TYPES = {m._meta.label for m in (HomePage, NewsIndexPage, ZoneIndexPage, DelegationIndexPage)}
PORTAL_PAGE_TYPES = (HomePage, NewsIndexPage, NewsPage, ZoneIndexPage, ZonePage, DelegationIndexPage, DelegationPage)
IMAGE_COLLECTION = "Benchmark images"
# Share of zones that are branch parks under another zone.
BRANCH_SHARE = 0.3
BATCH = 1000
# Target lengths in characters (HTML included for rich text), the same in every language.
TITLE_LENGTH = 60
SUMMARY_LENGTH = 300
BODY_LENGTH = 3000
OUTCOMES_LENGTH = 1000
DESCRIPTION_LENGTH = 150
NEWS_DATES = (datetime.date(2015, 1, 1), datetime.date(2025, 6, 30))
PUBLISHED_TIME = datetime.time(9, 0)
# Characters that would make a sentence's HTML differ from its text.
_MARKUP = re.compile(r"[<>&]")


class BenchDataError(Exception):
    """Why the site cannot be generated; the message says what to do."""


@dataclass(frozen=True)
class Sizes:
    news: int
    zones: int
    delegations: int
    images: int = 20
    seed: int = 1

    def check(self) -> None:
        if self.news < 1 or self.zones < 1:
            raise BenchDataError("--news and --zones must be at least 1.")
        if self.delegations < 0 or self.images < 0:
            raise BenchDataError("--delegations and --images cannot be negative.")
        # treebeard: four base-36 characters per level
        if max(self.news, self.zones, self.delegations) >= 36**4:
            raise BenchDataError(f"At most {36**4 - 1} pages fit under one parent.")


# --- Text ---------------------------------------------------------------------------


# The end of a block: sentences do not run on from one paragraph (or heading, item) into the next.
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote)>|<br\s*/?>", re.IGNORECASE)


def _plain(text: str) -> str:
    return " ".join(i18n.html_to_text(block) for block in _BLOCK_END.split(text))


@dataclass
class Corpus:
    """Text of each language taken from the seed fixtures (fixtures/*.json)."""

    sentences: dict[str, list[str]]
    clauses: dict[str, list[str]]
    # Short values that exist in all four languages, per kind ("news.source", "member" …).
    pools: dict[str, list[dict[str, dict[str, str]]]]
    topics: list[dict]
    site_pages: dict[str, dict]
    settings: dict

    LONG_FIELDS = ("body", "summary", "intro", "outcomes")
    POOLED = {
        "news.NewsPage": ("source", "byline", "dateline", "press_contact"),
        "zones.ZonePage": ("country", "province", "city", "key_industries", "contact"),
        "zones.DelegationPage": ("leader_name", "leader_position", "sending_organisations", "places_visited"),
    }
    POOLED_INLINES = {"members": "member", "facts": "fact"}

    @classmethod
    def from_fixtures(cls, directory: Path) -> "Corpus":
        codes = i18n.language_codes()
        sentences: dict[str, dict[str, None]] = {code: {} for code in codes}
        clauses: dict[str, dict[str, None]] = {code: {} for code in codes}
        pools: dict[str, dict[str, dict]] = {}
        topics, site_pages, site_settings = [], {}, {}

        def complete(value) -> bool:
            return isinstance(value, dict) and all(isinstance(value.get(c), str) and value[c].strip() for c in codes)

        def add_pool(kind: str, group: dict) -> None:
            if group and all(complete(v) for v in group.values()):
                key = json.dumps(group, sort_keys=True, ensure_ascii=False)
                pools.setdefault(kind, {})[key] = group

        for name in ("site.json", "zones.json", "news.json", "delegations.json"):
            path = Path(directory) / name
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise BenchDataError(f"Cannot read the seed fixture {path}: {exc}") from exc
            topics.extend(document.get("topics", []))
            site_settings.update(document.get("settings", {}))
            for page in document.get("pages", []):
                fields = page.get("fields", {})
                if page.get("type") in SITE_PAGE_TYPES:
                    site_pages[page["type"]] = page
                for field_name, value in fields.items():
                    if not complete(value):
                        continue
                    for code in codes:
                        text = value[code]
                        if field_name in cls.LONG_FIELDS:
                            for sentence in _sentences(_plain(text), code):
                                sentences[code][sentence] = None
                        if field_name in ("title", "summary"):
                            for clause in _clauses(_plain(text), code):
                                clauses[code][clause] = None
                for field_name in cls.POOLED.get(page.get("type"), ()):
                    add_pool(f"{page['type']}.{field_name}", {field_name: fields.get(field_name)})
                for accessor, kind in cls.POOLED_INLINES.items():
                    for item in page.get("inlines", {}).get(accessor, []):
                        add_pool(kind, {k: v for k, v in item.items() if isinstance(v, dict)})
        for code in codes:
            if len(sentences[code]) < 10 or len(clauses[code]) < 10:
                raise BenchDataError(f"The seed fixtures in {directory} hold too little {code} text to sample from.")
        if not site_pages.get(HomePage._meta.label) or not topics:
            raise BenchDataError(f"The seed fixtures in {directory} have no home page or no topics.")
        return cls(
            sentences={code: list(values) for code, values in sentences.items()},
            clauses={code: list(values) for code, values in clauses.items()},
            pools={kind: list(groups.values()) for kind, groups in pools.items()},
            topics=sorted(topics, key=lambda t: t["slug"]),
            site_pages=site_pages,
            settings=site_settings,
        )


def _sentences(text: str, code: str) -> Iterator[str]:
    ends = r"(?<=[。！？])" if code == "zh-hans" else r"(?<=[.!?])\s+"
    for part in re.split(ends, text):
        part = " ".join(part.split())
        if len(part) < 8 or _MARKUP.search(part):
            continue
        if code == "zh-hans":
            if not part.endswith(("。", "！", "？")):
                part += "。"
        elif i18n.has_han(part):
            continue
        yield part


def _clauses(text: str, code: str) -> Iterator[str]:
    limits = (6, 30) if code == "zh-hans" else (12, 60)
    for part in re.split(r"[，,；;：:。.!?！？()（）]", text):
        part = " ".join(part.split()).strip("-–—«»“”\"' ")
        if (
            limits[0] <= len(part) <= limits[1]
            and not _MARKUP.search(part)
            and (code == "zh-hans") == i18n.has_han(part)
        ):
            yield part


def clip(text: str, limit: int, code: str) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if code != "zh-hans" and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—，、；：")


@functools.lru_cache(maxsize=4096)
def _slug_base(text: str) -> str:
    return i18n.ascii_slug(text, max_length=40).strip("-")


class Writer:
    """Draws text from the corpus with one random generator."""

    def __init__(self, corpus: Corpus, rng: random.Random):
        self.corpus = corpus
        self.rng = rng

    def sentences(self, code: str, length: int) -> list[str]:
        """Sentences adding up to about `length` characters (at most a quarter more)."""
        pool = self.corpus.sentences[code]
        chosen, total = [], 0
        while total < length:
            for _attempt in range(8):
                sentence = self.rng.choice(pool)
                if total + len(sentence) <= length * 1.25:
                    break
            else:
                if chosen:
                    break
                sentence = clip(sentence, length, code)
            chosen.append(sentence)
            total += len(sentence) + 1
        return chosen

    def text(self, code: str, length: int) -> str:
        joiner = "" if code == "zh-hans" else " "
        return joiner.join(self.sentences(code, length))

    def rich(self, code: str, length: int, *, headings: bool = True) -> str:
        """Paragraphs (and an h2 now and then) of about `length` characters of HTML."""
        joiner = "" if code == "zh-hans" else " "
        blocks, total = [], 0
        while total < length:
            if headings and blocks and self.rng.random() < 0.15:
                text = clip(self.rng.choice(self.corpus.clauses[code]), 60, code)
                blocks.append(f"<h2>{text}</h2>")
            else:
                text = joiner.join(self.rng.choice(self.corpus.sentences[code]) for _ in range(self.rng.randint(2, 4)))
                blocks.append(f"<p>{text}</p>")
            total += len(blocks[-1]) + 1
        return "\n".join(blocks)

    def bullets(self, code: str, length: int) -> str:
        items = self.sentences(code, length)
        body = "\n".join(f"<li>{item}</li>" for item in items)
        return f"<ul>\n{body}\n</ul>"

    def title(self, code: str) -> tuple[str, str]:
        """(title of about TITLE_LENGTH characters, slug base from its first clause)."""
        pool = self.corpus.clauses[code]
        first = self.rng.choice(pool)
        separator = "，" if code == "zh-hans" else self.rng.choice((": ", " – ", ", "))
        title = first
        while len(title) < TITLE_LENGTH - 10:
            title += separator + self.rng.choice(pool)
            separator = "，" if code == "zh-hans" else ", "
        title = clip(title, TITLE_LENGTH + 4, code)
        if code != "zh-hans":
            title = title[0].upper() + title[1:]
        return title, _slug_base(first)

    def pooled(self, kind: str) -> dict[str, dict[str, str]] | None:
        pool = self.corpus.pools.get(kind)
        return self.rng.choice(pool) if pool else None

    def date(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randrange((end - start).days + 1))


# --- Rows -----------------------------------------------------------------------------


@dataclass
class Node:
    """One page as rows: its columns, links and inline children."""

    model: type[Page]
    values: dict
    m2m: dict[str, list] = field(default_factory=dict)
    inlines: dict[str, list[dict]] = field(default_factory=dict)
    numchild: int = 0

    @property
    def pk(self) -> int:
        return self.values["id"]

    @property
    def path(self) -> str:
        return self.values["path"]


def set_translated(node: Node, name: str, per_language: dict[str, str]) -> None:
    """Every language's column, and the untranslated one pinned to the default language (as BasePage.save does)."""
    for code, value in per_language.items():
        node.values[i18n.localized(name, code)] = value
    node.values[name] = node.values[i18n.localized(name, i18n.default_language())]


def translated_row(values: dict[str, dict[str, str]]) -> dict:
    row = {}
    for name, per_language in values.items():
        for code, text in per_language.items():
            row[i18n.localized(name, code)] = text
        row[name] = per_language[i18n.default_language()]
    return row


class IdRange:
    """Primary keys handed out from the table's current maximum, so rows can point at each other before insertion."""

    def __init__(self, model: type[models.Model]):
        current = model._base_manager.aggregate(top=models.Max("pk"))["top"] or 0
        self.next = current + 1

    def take(self, count: int = 1) -> int:
        first = self.next
        self.next += count
        return first


class Inserter:
    """INSERTs of rows given as {attname: value}; columns left out get the field's default."""

    # Columns whose Python value (str, int, bool or None) the database driver takes as it is;
    # get_db_prep_save would only copy it, at a few microseconds a value.
    TEXT_TYPES = {"CharField", "SlugField", "TextField"}
    NUMBER_TYPES = {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
    }

    def __init__(self):
        self.quote = connection.ops.quote_name

    def _prepare(self, f: models.Field):
        """None when values go to the driver as they are, else a function preparing one value."""
        target = f.target_field if f.many_to_one or f.one_to_one else f
        if type(target).get_db_prep_save is models.Field.get_db_prep_save:
            kind = target.get_internal_type()
            if kind in self.NUMBER_TYPES:
                return None
            if kind in self.TEXT_TYPES and type(target).get_db_prep_value is models.Field.get_db_prep_value:
                return None
        prepare = functools.partial(f.get_db_prep_save, connection=connection)
        memo = {}

        def prepare_value(value):
            # Dates, timestamps and JSON lists (a translation status's fields: mostly []) repeat across rows.
            key = tuple(value) if type(value) is list else value
            try:
                return memo[key]
            except KeyError:
                memo[key] = prepared = prepare(value)
                return prepared
            except TypeError:  # other JSON values (a revision's content)
                return prepare(value)

        return prepare_value

    def insert(self, model: type[models.Model], rows: list[dict]) -> None:
        """Rows of the model's own table (a page type's: its own columns, Page's go to wagtailcore_page)."""
        if not rows:
            return
        fields = model._meta.local_concrete_fields
        keys = rows[0].keys()
        # The primary key is written when the rows carry it, else the database assigns it.
        fields = [f for f in fields if f.attname in keys or not f.primary_key]
        columns = ", ".join(self.quote(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {self.quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        plan = [(f.attname, f.get_default(), self._prepare(f)) for f in fields]
        params = [
            [
                prepare(row.get(attname, default)) if prepare else row.get(attname, default)
                for attname, default, prepare in plan
            ]
            for row in rows
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY is several times faster than INSERTs over the wire; psycopg adapts each value by type.
                copy_sql = f"COPY {self.quote(model._meta.db_table)} ({columns}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in params:
                        copy.write_row(row)
            else:
                for start in range(0, len(params), BATCH):
                    cursor.executemany(sql, params[start : start + BATCH])


# --- Revisions, search entries, translation status: from the rows ---------------------


@functools.cache
def child_relations(model) -> list:
    return get_all_child_relations(model)


@functools.cache
def _serialized_fields(model) -> list[tuple[str, str, bool]]:
    return [(f.name, f.attname, f.remote_field is not None) for f in model._meta.fields if f.serialize]


def _serial(value):
    """What modelcluster's get_field_value makes of a column value."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, datetime.UTC)
    if value is None or isinstance(value, int | float | Decimal | datetime.date | datetime.time):
        return value
    return str(value)


def _field_data(model, values: dict) -> dict:
    data = {"pk": values["id"]}
    for name, attname, relation in _serialized_fields(model):
        value = values.get(attname)
        data[name] = value if relation else _serial(value)
    return data


# Revision pointers as they stand when Wagtail serialises a page for its first revision.
FIRST_REVISION_STATE = {
    "latest_revision": None,
    "live_revision": None,
    "first_published_at": None,
    "last_published_at": None,
    "latest_revision_created_at": None,
}


def revision_content(node: Node) -> dict:
    """node's page.serializable_data(), built from the rows."""
    content = _field_data(node.model, node.values) | FIRST_REVISION_STATE
    for relation in child_relations(node.model):
        accessor = relation.get_accessor_name()
        content[accessor] = [_field_data(relation.related_model, row) for row in node.inlines.get(accessor, [])]
    for f in node.model._meta.get_fields():
        if isinstance(f, ParentalManyToManyField) and f.serialize:
            content[f.name] = list(node.m2m.get(f.name, []))
    return content


def inline_rows(node: Node) -> list[tuple[type, str, list[dict]]]:
    """(model, accessor, rows) of each of the page's inline relations, in Wagtail's order."""
    return [
        (r.related_model, r.get_accessor_name(), node.inlines.get(r.get_accessor_name(), []))
        for r in child_relations(node.model)
    ]


def search_rows(node: Node, content_type_id: int, postgres: bool, date) -> list[dict]:
    """SearchEntry rows as portal.search.index_page writes them (before the vectors are filled)."""
    children = [(model, row) for model, _accessor, rows in inline_rows(node) for row in rows]
    rows = []
    for code in i18n.language_codes():
        title, body = search.row_texts((node.model, node.values), children, code)
        rows.append(search.entry_row(node.pk, content_type_id, date, code, title, body, postgres))
    return rows


def status_rows(node: Node, now) -> tuple[list[dict], list[dict]]:
    """(TranslationRecord rows, TranslationStatus rows) as status.rebuild(mark_current=True) writes them."""
    fields = status.row_fields(node.model, node.values, node.inlines)
    records = [
        {"page_id": node.pk, "field": key, "language": code, "source_digest": digest, "updated_at": now}
        for key, code, digest in status.current_records(fields)
    ]
    statuses = [
        {
            "page_id": node.pk,
            "language": code,
            "state": result.state,
            "expected": result.expected,
            "filled": result.filled,
            "missing_fields": result.missing,
            "outdated_fields": result.outdated,
            "updated_at": now,
        }
        for code, result in status.statuses(fields, None).items()
    ]
    return records, statuses


# --- The generator ------------------------------------------------------------------


@dataclass
class Report:
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @contextlib.contextmanager
    def timed(self, phase: str):
        """Add the time spent in the block to `phase`."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - start


def existing_content() -> str | None:
    """What content the database already has, or None when it is empty or freshly migrated."""
    portal_types = [ContentType.objects.get_for_model(m) for m in PORTAL_PAGE_TYPES]
    pages = Page.objects.filter(Q(content_type__in=portal_types) | Q(depth__gt=2)).count()
    topics = Topic.objects.count()
    if pages or topics:
        return f"{pages} pages, {topics} topics"
    return None


def remove_existing() -> None:
    """Delete every home page tree, the topics and the images this generator made."""
    for home in HomePage.objects.order_by("-path"):
        home.delete()
    Topic.objects.all().delete()
    collection = Collection.objects.filter(name=IMAGE_COLLECTION).first()
    if collection is not None:
        for image in get_image_model().objects.filter(collection=collection):
            image.delete()


def remove_welcome_page() -> None:
    """Wagtail's welcome page: the default site's root in a freshly migrated database."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return
    welcome = site.root_page
    if welcome.content_type_id == ContentType.objects.get_for_model(Page).pk and welcome.numchild == 0:
        site.delete()
        welcome.delete()


def tree_root() -> Page:
    root = Page.get_first_root_node()
    if root is None:  # a flushed database (transactional tests)
        Locale.objects.get_or_create(language_code=i18n.default_language())
        root = Page.add_root(instance=Page(title_zh_hans="Root", slug_zh_hans="root"))
    prepare_tree()
    return Page.objects.get(pk=root.pk)


def make_images(count: int, seed: int) -> list[int]:
    from PIL import Image as PILImage
    from PIL import ImageDraw

    if not count:
        return []
    root = Collection.get_first_root_node()
    collection = Collection.objects.filter(name=IMAGE_COLLECTION).first() or root.add_child(name=IMAGE_COLLECTION)
    rng = random.Random(f"{seed}-images")  # noqa: S311 (test data, not security)
    image_model = get_image_model()
    ids = []
    for number in range(1, count + 1):
        picture = PILImage.new("RGB", (1200, 800), tuple(rng.randrange(40, 220) for _ in range(3)))
        draw = ImageDraw.Draw(picture)
        for _ in range(12):
            x, y = rng.randrange(1200), rng.randrange(800)
            w, h = rng.randrange(80, 500), rng.randrange(80, 400)
            shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
            shape((x, y, x + w, y + h), fill=tuple(rng.randrange(256) for _ in range(3)))
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=80)
        data = buffer.getvalue()
        image = image_model(
            title=f"Benchmark image {number}",
            collection=collection,
            file=ImageFile(io.BytesIO(data), name=f"bench-{seed}-{number:02d}.jpg"),
            file_size=len(data),
            # Wagtail's own file hash (wagtail.utils.file.hash_filelike) is a SHA-1 too.
            file_hash=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        )
        image.save()
        ids.append(image.pk)
    return ids


class Generator:
    def __init__(self, sizes: Sizes, corpus: Corpus, report: Report, log: Callable[[str], None] = lambda s: None):
        self.sizes = sizes
        self.corpus = corpus
        self.report = report
        self.log = log
        self.codes = i18n.language_codes()
        self.default = i18n.default_language()
        self.postgres = search.is_postgres()
        self.inserter = Inserter()
        self.now = timezone.now()
        self.content_types = {m: ContentType.objects.get_for_model(m).pk for m in PORTAL_PAGE_TYPES}
        self.page_content_type = ContentType.objects.get_for_model(Page).pk
        self.locale_id = Locale.get_default().pk
        self.page_ids = IdRange(Page)
        self.revision_ids = IdRange(Revision)
        self.inline_ids = {m: IdRange(m) for m in (ZoneFact, DelegationMember)}

    def rng(self, *key) -> random.Random:
        # One generator per page: a page's text does not depend on how many pages come before it.
        return random.Random("-".join(map(str, (self.sizes.seed, *key))))  # noqa: S311 (test data)

    # -- pages --
    def page(self, model, key: str, parent: Node, step: int, titles: dict, slugs: dict, published, **extra) -> Node:
        node = Node(model=model, values={})
        node.values.update(
            id=self.page_ids.take(),
            depth=parent.values["depth"] + 1,
            path=Page._get_path(parent.path, parent.values["depth"] + 1, step),
            numchild=0,
            translation_key=uuid.uuid5(uuid.NAMESPACE_URL, f"bench:{self.sizes.seed}:{key}"),
            locale_id=self.locale_id,
            live=True,
            has_unpublished_changes=False,
            first_published_at=published,
            last_published_at=published,
            latest_revision_created_at=published,
            expired=False,
            locked=False,
            content_type_id=self.content_types[model],
            show_in_menus=False,
        )
        node.values.update(extra)
        set_translated(node, "title", titles)
        set_translated(node, "slug", slugs)
        set_translated(
            node, "url_path", {c: parent.values[i18n.localized("url_path", c)] + slugs[c] + "/" for c in titles}
        )
        node.values["draft_title"] = node.values["title"]
        parent.numchild += 1
        return node

    def titled(self, writer: Writer, number: int) -> tuple[dict, dict]:
        titles, slugs = {}, {}
        for code in self.codes:
            titles[code], base = writer.title(code)
            slugs[code] = f"{base}-{number}" if base else f"page-{number}"
        return titles, slugs

    def seo(self, node: Node, writer: Writer) -> None:
        set_translated(node, "seo_title", {c: clip(node.values[i18n.localized("title", c)], 50, c) for c in self.codes})
        set_translated(
            node,
            "search_description",
            {c: clip(writer.text(c, DESCRIPTION_LENGTH), DESCRIPTION_LENGTH + 30, c) for c in self.codes},
        )

    def pooled(self, writer: Writer, kind: str, *names: str) -> dict[str, dict[str, str]]:
        """Values of `names` taken together from one fixture object of `kind`; made up when it has none."""
        group = writer.pooled(kind) or {}
        values = {}
        for name in names:
            per_language = group.get(name) or {c: clip(writer.text(c, 40), 60, c) for c in self.codes}
            values[name] = per_language
        return values

    def from_fixture(self, model, parent: Node, step: int, published) -> Node:
        spec = self.corpus.site_pages.get(model._meta.label, {}).get("fields", {})
        fallback = {c: model._meta.verbose_name.title() for c in self.codes}
        titles = {c: (spec.get("title") or fallback)[c] or fallback[c] for c in self.codes}
        slugs = i18n.complete_slugs(titles, spec.get("slug") or {})
        node = self.page(
            model, model.__name__, parent, step, titles, slugs, published, show_in_menus=model is not HomePage
        )
        writer = Writer(self.corpus, self.rng(model.__name__))
        intro = spec.get("intro")
        set_translated(
            node,
            "intro",
            {c: intro[c] if intro and intro.get(c) else writer.rich(c, SUMMARY_LENGTH) for c in self.codes},
        )
        self.seo(node, writer)
        return node

    def zone(self, number: int, parent: Node, step: int, branch: bool, image_ids: list, news_ids: list) -> Node:
        writer = Writer(self.corpus, self.rng("zone", number))
        rng = writer.rng
        titles, slugs = self.titled(writer, number)
        established = writer.date(datetime.date(1992, 1, 1), datetime.date(2022, 12, 31))
        kinds = [k for k in ZoneKind.values if k != ZoneKind.BRANCH_PARK]
        node = self.page(
            ZonePage,
            f"zone/{number}",
            parent,
            step,
            titles,
            slugs,
            self.published(datetime.date(2024, 1, 1)),
            kind=ZoneKind.BRANCH_PARK if branch else kinds[number % len(kinds)],
            latitude=Decimal(f"{rng.uniform(22, 48):.6f}"),
            longitude=Decimal(f"{rng.uniform(75, 125):.6f}"),
            established=established,
            area_km2=Decimal(f"{rng.uniform(2, 1200):.2f}"),
            website=f"https://zone{number}.example.org/",
            contact_phone=f"+86-532-{rng.randrange(10_000_000, 99_999_999)}",
            contact_email=f"contact{number}@example.org",
            image_id=rng.choice(image_ids) if image_ids else None,
        )
        for name in ("country", "province", "city", "key_industries", "contact"):
            set_translated(node, name, self.pooled(writer, f"zones.ZonePage.{name}", name)[name])
        set_translated(node, "summary", {c: writer.text(c, SUMMARY_LENGTH) for c in self.codes})
        set_translated(node, "body", {c: writer.rich(c, BODY_LENGTH) for c in self.codes})
        set_translated(node, "image_alt", {c: clip(titles[c], 80, c) for c in self.codes})
        self.seo(node, writer)
        facts = []
        for index in range(rng.randint(2, 4)):
            group = self.pooled(writer, "fact", "label", "value", "source")
            facts.append(
                {
                    "id": self.inline_ids[ZoneFact].take(),
                    "page_id": node.pk,
                    "sort_order": index,
                    "source_page_id": rng.choice(news_ids) if news_ids and rng.random() < 0.5 else None,
                    "as_of": writer.date(datetime.date(2018, 1, 1), datetime.date(2024, 12, 31)),
                    # about one zone in ten shows its first figure in the home page's key figures band
                    "key_figure": index == 0 and rng.random() < 0.1,
                    **translated_row(group),
                }
            )
        node.inlines["facts"] = facts
        return node

    def news(self, number: int, parent: Node, step: int, zones: list[Node], topics: list, image_ids: list[int]) -> Node:
        writer = Writer(self.corpus, self.rng("news", number))
        rng = writer.rng
        titles, slugs = self.titled(writer, number)
        date = writer.date(*NEWS_DATES)
        node = self.page(
            NewsPage,
            f"news/{number}",
            parent,
            step,
            titles,
            slugs,
            self.published(date),
            date=date,
            source_url=f"https://news.example.org/{date:%Y/%m}/{number}.html",
            source_date=date - datetime.timedelta(days=rng.randint(0, 3)),
            lead_image_id=rng.choice(image_ids) if image_ids else None,
            press_contact_phone=f"+86-10-{rng.randrange(10_000_000, 99_999_999)}",
            press_contact_email=f"press{number % 97}@example.org",
        )
        for name in ("source", "byline", "dateline", "press_contact"):
            set_translated(node, name, self.pooled(writer, f"news.NewsPage.{name}", name)[name])
        set_translated(node, "summary", {c: writer.text(c, SUMMARY_LENGTH) for c in self.codes})
        set_translated(node, "body", {c: writer.rich(c, BODY_LENGTH) for c in self.codes})
        set_translated(node, "lead_image_alt", {c: clip(titles[c], 80, c) for c in self.codes})
        self.seo(node, writer)
        node.m2m["topics"] = self.topic_ids(rng, topics)
        node.m2m["related_zones"] = [
            z.pk for z in sorted(rng.sample(zones, rng.randint(1, min(3, len(zones)))), key=lambda z: z.path)
        ]
        return node

    def delegation(self, number: int, parent: Node, step: int, zones: list[Node], topics: list, news: list) -> Node:
        writer = Writer(self.corpus, self.rng("delegation", number))
        rng = writer.rng
        titles, slugs = self.titled(writer, number)
        start = writer.date(*NEWS_DATES)
        visited = rng.sample(zones, min(len(zones), rng.randint(1, 3)))
        node = self.page(
            DelegationPage,
            f"delegation/{number}",
            parent,
            step,
            titles,
            slugs,
            self.published(start + datetime.timedelta(days=5)),
            start_date=start,
            end_date=start + datetime.timedelta(days=rng.randint(0, 4)),
            host_zone_id=visited[0].pk,
        )
        for name in ("leader_name", "leader_position", "sending_organisations", "places_visited"):
            set_translated(node, name, self.pooled(writer, f"zones.DelegationPage.{name}", name)[name])
        set_translated(node, "summary", {c: writer.text(c, SUMMARY_LENGTH) for c in self.codes})
        set_translated(node, "outcomes", {c: writer.bullets(c, OUTCOMES_LENGTH) for c in self.codes})
        self.seo(node, writer)
        node.m2m["sending_zones"] = [z.pk for z in sorted(visited[1:], key=lambda z: z.path)]
        node.m2m["topics"] = self.topic_ids(rng, topics)
        node.m2m["related_news"] = [n[1] for n in sorted(rng.sample(news, min(len(news), rng.randint(1, 3))))]
        members = []
        for index in range(rng.randint(2, 5)):
            group = self.pooled(writer, "member", "name", "position", "organisation")
            members.append(
                {"id": self.inline_ids[DelegationMember].take(), "page_id": node.pk, "sort_order": index}
                | translated_row(group)
            )
        node.inlines["members"] = members
        return node

    @staticmethod
    def topic_ids(rng: random.Random, topics: list[Topic]) -> list[int]:
        # in the order Wagtail serialises them (Topic.Meta.ordering)
        chosen = rng.sample(topics, rng.randint(1, min(3, len(topics))))
        return [t.pk for t in sorted(chosen, key=lambda t: t.slug)]

    def published(self, date: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(date, PUBLISHED_TIME))

    # -- writing --
    def write(self, nodes: list[Node]) -> None:
        """Insert the pages with their links, revisions, search entries and translation status."""
        with self.report.timed("pages"):
            revision_ids = {}
            for node in nodes:
                revision_ids[node.pk] = self.revision_ids.take()
                node.values["latest_revision_id"] = node.values["live_revision_id"] = revision_ids[node.pk]
            self.inserter.insert(Page, [n.values for n in nodes])
            by_model: dict[type, list[Node]] = {}
            for node in nodes:
                by_model.setdefault(node.model, []).append(node)
            for model, group in by_model.items():
                self.inserter.insert(model, [n.values | {"page_ptr_id": n.pk} for n in group])
                for relation in child_relations(model):
                    rows = [row for n in group for row in n.inlines.get(relation.get_accessor_name(), [])]
                    self.inserter.insert(relation.related_model, rows)
                for f in model._meta.get_fields():
                    if isinstance(f, ParentalManyToManyField):
                        through = f.remote_field.through
                        source, target = f.m2m_field_name(), f.m2m_reverse_field_name()
                        rows = [
                            {f"{source}_id": n.pk, f"{target}_id": pk} for n in group for pk in n.m2m.get(f.name, [])
                        ]
                        self.inserter.insert(through, rows)
        with self.report.timed("revisions"):
            rows = [
                {
                    "id": revision_ids[node.pk],
                    "content_type_id": node.values["content_type_id"],
                    "base_content_type_id": self.page_content_type,
                    "object_id": str(node.pk),
                    "created_at": node.values["latest_revision_created_at"],
                    "object_str": node.values["title"],
                    "content": revision_content(node),
                }
                for node in nodes
            ]
            self.inserter.insert(Revision, rows)
        with self.report.timed("search index"):
            rows = []
            for node in nodes:
                if node.values["depth"] > 2:
                    date = node.values.get("date") or node.values.get("start_date")
                    rows.extend(search_rows(node, node.values["content_type_id"], self.postgres, date))
            self.inserter.insert(SearchEntry, rows)
        with self.report.timed("translation status"):
            records, statuses = [], []
            for node in nodes:
                node_records, node_statuses = status_rows(node, self.now)
                records.extend(node_records)
                statuses.extend(node_statuses)
            self.inserter.insert(TranslationRecord, records)
            self.inserter.insert(TranslationStatus, statuses)
        for node in nodes:
            self.report.counts[node.model._meta.label] = self.report.counts.get(node.model._meta.label, 0) + 1

    def finish_numchild(self, nodes: list[Node]) -> None:
        for node in nodes:
            if node.numchild:
                Page.objects.filter(pk=node.pk).update(numchild=node.numchild)

    def run(self) -> HomePage:
        sizes = self.sizes
        with self.report.timed("prepare"):
            root = tree_root()
            Topic.objects.bulk_create(
                Topic(slug=t["slug"], **translated_row({"name": t["name"]})) for t in self.corpus.topics
            )
            topics = list(Topic.objects.order_by("slug"))
        with self.report.timed("images"):
            image_ids = make_images(sizes.images, sizes.seed)
        root_node = Node(model=Page, values={"id": root.pk, "path": root.path, "depth": root.depth})
        for code in self.codes:
            root_node.values[i18n.localized("url_path", code)] = "/"
        last = root.get_last_child()
        root_node.numchild = root.numchild
        step = (Page._str2int(last.path[-Page.steplen :]) if last else 0) + 1
        published = self.published(datetime.date(2015, 1, 1))
        with self.report.timed("pages"):
            home = self.from_fixture(HomePage, root_node, step, published)
            news_index = self.from_fixture(NewsIndexPage, home, 1, published)
            zone_index = self.from_fixture(ZoneIndexPage, home, 2, published)
            delegation_index = self.from_fixture(DelegationIndexPage, home, 3, published)
        # Page ids are handed out in creation order, so news ids are known before the zones that cite them.
        first_news_id = self.page_ids.next + sizes.zones
        news_ids = list(range(first_news_id, first_news_id + sizes.news))
        with self.report.timed("pages"):
            zones: list[Node] = []
            top_count = max(1, sizes.zones - int(sizes.zones * BRANCH_SHARE))
            tops: list[Node] = []
            structure = self.rng("zone-tree")
            for number in range(1, sizes.zones + 1):
                branch = number > top_count
                parent = structure.choice(tops) if branch else zone_index
                node = self.zone(number, parent, parent.numchild + 1, branch, image_ids, news_ids)
                (zones if branch else tops).append(node)
            zones = tops + zones
        self.write([home, news_index, zone_index, delegation_index, *zones])
        news_dates: list[tuple[datetime.date, int, str]] = []
        for start in range(0, sizes.news, BATCH):
            with self.report.timed("pages"):
                batch = [
                    self.news(number, news_index, news_index.numchild + 1, zones, topics, image_ids)
                    for number in range(start + 1, min(start + BATCH, sizes.news) + 1)
                ]
            news_dates.extend((n.values["date"], n.pk, n.path) for n in batch)
            self.write(batch)
            self.log(f"  {start + len(batch)} news pages")
        with self.report.timed("pages"):
            news_refs = [(path, pk) for _date, pk, path in news_dates]
            delegations = [
                self.delegation(number, delegation_index, delegation_index.numchild + 1, zones, topics, news_refs)
                for number in range(1, sizes.delegations + 1)
            ]
        self.write(delegations)
        with self.report.timed("pages"):
            self.finish_numchild([root_node, home, news_index, zone_index, delegation_index, *zones])
            newest = sorted(news_dates, key=lambda d: (d[0], d[1]), reverse=True)[:3]
            HomeFeaturedNews.objects.bulk_create(
                HomeFeaturedNews(page_id=home.pk, news_id=pk, sort_order=i) for i, (_d, pk, _p) in enumerate(newest)
            )
            HomeHighlightedZone.objects.bulk_create(
                HomeHighlightedZone(page_id=home.pk, zone_id=z.pk, sort_order=i) for i, z in enumerate(tops[:4])
            )
            self._fix_home_revision(home)
            site = Site.objects.create(
                hostname="localhost", port=80, root_page_id=home.pk, is_default_site=True, site_name="SCODA Portal"
            )
            self._site_settings(site)
        if self.postgres:
            with self.report.timed("search vectors"):
                search._update_vectors(SearchEntry.objects.filter(page_id__gte=home.pk, page_id__lt=self.page_ids.next))
        return HomePage.objects.get(pk=home.pk)

    def _fix_home_revision(self, home: Node) -> None:
        """The home page's revision, rewritten now that its featured news and zones exist."""
        rows = {
            "featured_news": list(HomeFeaturedNews.objects.filter(page_id=home.pk).values()),
            "highlighted_zones": list(HomeHighlightedZone.objects.filter(page_id=home.pk).values()),
        }
        home.inlines = rows
        Revision.objects.filter(pk=home.values["latest_revision_id"]).update(content=revision_content(home))

    def _site_settings(self, site: Site) -> None:
        data = self.corpus.settings
        translated = {k: v for k, v in data.items() if isinstance(v, dict)}
        plain_values = {k: v for k, v in data.items() if not isinstance(v, dict)}
        SiteSettings.objects.create(site=site, **plain_values, **translated_row(translated))


def clear_caches() -> None:
    """What publishing would have cleared: the pages were written without Wagtail's signals."""
    Site.clear_site_root_paths_cache()
    cache.delete_many([f"wagtail_site_root_paths_{code}" for code in i18n.language_codes()])
    pagecache.invalidate()


def generate(
    sizes: Sizes,
    *,
    replace: bool = False,
    fixtures: Path | None = None,
    log: Callable[[str], None] = lambda s: None,
) -> Report:
    """Build the site in one transaction; raise BenchDataError and change nothing when it cannot."""
    sizes.check()
    report = Report()
    corpus = Corpus.from_fixtures(Path(fixtures or settings.FIXTURE_DIRS[0]))
    with translation.override(i18n.default_language()), transaction.atomic():
        found = existing_content()
        if found and not replace:
            raise BenchDataError(
                f"The database already has content ({found}). Use --replace to delete the home page tree, "
                "the topics and the benchmark images first, or start from a freshly migrated database."
            )
        with report.timed("replace"):
            if found:
                remove_existing()
            remove_welcome_page()
        Generator(sizes, corpus, report, log).run()
        with report.timed("pages"):
            sequences = connection.ops.sequence_reset_sql(no_style(), [Page, Revision, ZoneFact, DelegationMember])
            with connection.cursor() as cursor:
                for sql in sequences:
                    cursor.execute(sql)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # What autovacuum would do within minutes of such a load (planner statistics, visibility map),
        # done now so that it does not run during whatever is measured next. (VACUUM cannot run inside
        # a transaction, e.g. a test's.)
        with report.timed("vacuum analyze"), connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    clear_caches()
    return report


# --- Checks ---------------------------------------------------------------------------


def tree_problems() -> list[str]:
    names = ("bad characters", "bad path length", "orphans", "wrong depth", "wrong numchild")
    return [f"{name}: {ids[:10]}" for name, ids in zip(names, Page.find_problems(), strict=True) if ids]


def sample_pages(per_type: int) -> list[Page]:
    """The home page, the indexes, and the first, middle and last pages of each other type."""
    pages = []
    for model in PORTAL_PAGE_TYPES:
        ids = list(model.objects.order_by("path").values_list("pk", flat=True))
        if len(ids) > per_type:
            step = (len(ids) - 1) / max(per_type - 1, 1)
            ids = sorted({ids[round(i * step)] for i in range(per_type)})
        pages.extend(model.objects.filter(pk__in=ids).order_by("path"))
    return pages


def serve_problems(pages: list[Page], host: str = "localhost") -> list[str]:
    """Each page, in each language, at its translated URL: 200 with its own title in the <h1>."""
    from django.test import Client

    client = Client(HTTP_HOST=host)
    problems = []
    for page in pages:
        for code in i18n.language_codes():
            with translation.override(code):
                # With more than one Site, Wagtail gives absolute URLs; the client needs the path.
                url = urlsplit(page.get_url()).path
                title = page.title
            response = client.get(url, secure=True)
            if response.status_code != 200:
                problems.append(f"{url}: {response.status_code}")
                continue
            content = response.content.decode()
            match = re.search(r"<h1[^>]*>(.*?)</h1>", content, re.S)
            if not match or i18n.html_to_text(match.group(1)) != " ".join(title.split()):
                problems.append(f"{url}: the <h1> is not the page's {code} title {title!r}")
    return problems


def verification_host() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host not in ("*",) and not host.startswith(".") and not host.startswith("["):
            return host
    return "localhost"
